"""Safe loading of MMEngine checkpoints on torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default.  A checkpoint
written by the MMEngine ``Runner`` pickles ``HistoryBuffer`` objects and numpy
values in its ``meta`` and ``message_hub``, so ``load_checkpoint`` and
``--resume`` fail with ``UnpicklingError: Weights only load failed``.
Setting ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` would execute arbitrary pickles
from untrusted files; instead we allow-list exactly the globals such
checkpoints contain.
"""
import builtins
import collections
from typing import List

import numpy as np
import torch


def _numpy_globals() -> List[object]:
    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtypes = [type(np.dtype(t)) for t in (
        np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
        np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_)]
    return [_reconstruct, scalar, np.ndarray, np.dtype, *dtypes]


def mmengine_checkpoint_globals() -> List[object]:
    """Globals that an MMEngine Runner checkpoint pickles besides tensors."""
    from mmengine.logging import HistoryBuffer
    return [
        HistoryBuffer, builtins.getattr, collections.OrderedDict,
        *_numpy_globals()
    ]


def allow_mmengine_checkpoints() -> None:
    """Register the allow-list with ``torch.serialization`` (idempotent)."""
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return  # torch < 2.4 loads full pickles by default
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
