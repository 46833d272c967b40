"""Helpers shared by the distillation losses."""
from typing import Callable, Sequence, Union

import torch

Features = Union[torch.Tensor, Sequence[torch.Tensor]]


def sum_over_levels(fn: Callable[..., torch.Tensor], preds_S: Features,
                    preds_T: Features, *args) -> torch.Tensor:
    """``fn(S, T, *args)`` for a tensor, or its sum over paired levels.

    Extra arguments that are lists are paired level by level too.
    """
    if isinstance(preds_S, torch.Tensor):
        return fn(preds_S, preds_T, *args)
    if len(preds_S) != len(preds_T):
        raise ValueError(f'Student has {len(preds_S)} feature levels, '
                         f'teacher {len(preds_T)}: connect them first.')
    total = 0
    for level, (s, t) in enumerate(zip(preds_S, preds_T)):
        level_args = [a[level] if isinstance(a, (list, tuple)) else a
                      for a in args]
        total = total + fn(s, t, *level_args)
    return total


def check_same_shape(preds_S: torch.Tensor, preds_T: torch.Tensor,
                     name: str) -> None:
    if preds_S.shape != preds_T.shape:
        raise ValueError(
            f'{name}: student shape {tuple(preds_S.shape)} differs from '
            f'teacher shape {tuple(preds_T.shape)}; add a connector.')
