"""Build a teacher from its own config file (or an inline model dict) and load
its checkpoint, failing with one actionable message when they do not fit."""
import os.path as osp
from typing import Dict, Optional, Union

import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import import_modules_from_strings
from torch import nn

from crossdistill.registry import MODELS

DISTILLER_PREFIXES = ('student.', 'teacher.', 'connectors.')


class TeacherCheckpointError(RuntimeError):
    """A teacher checkpoint is missing or does not fit the teacher config."""


def _model_cfg_from_file(path: str) -> Dict:
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Teacher config "{path}" does not exist. Set `model.teacher` to '
            'the config file the teacher was trained with.')
    cfg = Config.fromfile(path)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg['custom_imports'])
    if 'model' not in cfg:
        raise KeyError(f'Teacher config "{path}" has no `model` field.')
    return cfg['model']


def _checkpoint_state_dict(path: str) -> Dict[str, torch.Tensor]:
    if not (path.startswith(('http://', 'https://', 's3://'))
            or osp.isfile(path)):
        raise TeacherCheckpointError(
            f'Teacher checkpoint "{path}" does not exist. Train the teacher '
            'with its own config first (python tools/train.py '
            'TEACHER_CONFIG), then point `model.teacher_ckpt` at the '
            'resulting .pth file.')
    checkpoint = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    return checkpoint.get('state_dict', checkpoint)


def load_teacher_checkpoint(teacher: nn.Module, path: str,
                            source: str = 'the teacher config') -> None:
    """Load ``path`` into ``teacher`` strictly.

    Raises:
        TeacherCheckpointError: the file is missing, is a whole distiller
            checkpoint, or its keys/shapes disagree with the teacher model.
    """
    state = _checkpoint_state_dict(path)
    own = teacher.state_dict()
    if (not any(k in own for k in state)
            and any(k.startswith(DISTILLER_PREFIXES) for k in state)):
        raise TeacherCheckpointError(
            f'"{path}" is a distiller checkpoint (keys start with '
            '"student."/"teacher."). Extract the model you want as teacher '
            'with tools/model_converters/extract_student.py and use the '
            'extracted file as `teacher_ckpt`.')
    missing = [k for k in own if k not in state
               and not k.endswith('num_batches_tracked')]
    unexpected = [k for k in state if k not in own]
    mismatched = [
        f'{k}: checkpoint {tuple(state[k].shape)} vs model '
        f'{tuple(own[k].shape)}' for k in own
        if k in state and hasattr(state[k], 'shape')
        and state[k].shape != own[k].shape
    ]
    if missing or unexpected or mismatched:
        def head(items):
            return ', '.join(items[:5]) + (' ...' if len(items) > 5 else '')

        raise TeacherCheckpointError(
            f'Teacher checkpoint "{path}" does not fit {source}: '
            f'{len(missing)} missing keys [{head(missing)}], '
            f'{len(unexpected)} unexpected keys [{head(unexpected)}], '
            f'{len(mismatched)} shape mismatches [{head(mismatched)}]. Use '
            'the config the checkpoint was trained with as `model.teacher`, '
            'or the checkpoint that config produced as `model.teacher_ckpt`.')
    teacher.load_state_dict(state, strict=False)


def build_teacher(teacher: Union[str, Dict],
                  checkpoint: Optional[str] = None) -> nn.Module:
    """Build the teacher model.

    Args:
        teacher: Path of the teacher's own config file (its ``model`` field is
            used, and its ``custom_imports`` are imported), or a model dict.
        checkpoint: Optional checkpoint of the teacher model alone.
    """
    if isinstance(teacher, str):
        source = f'teacher config "{teacher}"'
        model_cfg = _model_cfg_from_file(teacher)
    else:
        source = 'the inline teacher model config'
        model_cfg = teacher
    model = MODELS.build(model_cfg)
    if checkpoint is not None:
        load_teacher_checkpoint(model, checkpoint, source)
        # The runner's init_weights() must not overwrite the loaded weights.
        model._is_init = True
    return model
