"""Turn a distiller checkpoint into a checkpoint of its student (or teacher)
that loads with that model's own config."""
import os.path as osp
from collections import OrderedDict
from typing import Dict

import torch

SUBMODELS = ('student', 'teacher')


def extract_submodel(checkpoint: Dict, submodel: str = 'student') -> Dict:
    """The ``submodel``'s weights of a distiller checkpoint, prefix removed.

    Connectors, loss parameters, optimizer and message-hub states are
    dropped; ``meta`` is kept.
    """
    if submodel not in SUBMODELS:
        raise ValueError(f'submodel must be one of {SUBMODELS}, '
                         f'got "{submodel}".')
    state = checkpoint.get('state_dict', checkpoint)
    prefix = f'{submodel}.'
    sub_state = OrderedDict(
        (k[len(prefix):], v) for k, v in state.items()
        if k.startswith(prefix))
    if not sub_state:
        raise KeyError(f'No "{prefix}*" weights: this is not a distiller '
                       'checkpoint (or the model is named differently).')
    meta = dict(checkpoint.get('meta') or {})
    meta['extracted'] = submodel
    return dict(state_dict=sub_state, meta=meta)


def extract_submodel_file(src: str, dst: str,
                          submodel: str = 'student') -> int:
    """File version of :func:`extract_submodel`; returns the tensor count."""
    if not osp.isfile(src):
        raise FileNotFoundError(f'Distiller checkpoint "{src}" does not '
                                'exist.')
    checkpoint = torch.load(src, map_location='cpu')
    try:
        out = extract_submodel(checkpoint, submodel)
    except KeyError as err:
        raise KeyError(f'{src}: {err.args[0]}') from None
    torch.save(out, dst)
    return len(out['state_dict'])
