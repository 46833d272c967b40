"""Cosine-affinity distillation: match the pairwise similarity structure.

For features ``F`` (N, C, *spatial) each position's channel vector is
L2-normalised and the affinity ``A = \\hat F^\\top \\hat F`` (N, P, P) is
compared:

.. math::  L = w \\cdot \\operatorname{mean}\\,(A^S - A^T)^2

For embeddings (N, D) the affinity is between the N samples (N, N).  The loss
is invariant to a positive rescaling of either feature map and to a common
permutation of positions, and the two maps may have different channel
counts (no connector needed).
"""
import torch
import torch.nn.functional as F
from torch import nn

from crossdistill.registry import MODELS
from .utils import Features, sum_over_levels


def cosine_affinity(x: torch.Tensor) -> torch.Tensor:
    """(N, D) -> (N, N) between samples; (N, C, *sp) -> (N, P, P)."""
    if x.dim() == 2:
        x = F.normalize(x, dim=1)
        return x @ x.t()
    x = F.normalize(x.flatten(2), dim=1)
    return x.transpose(1, 2) @ x


@MODELS.register_module()
class CosineAffinityLoss(nn.Module):

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds_S: Features, preds_T: Features) -> torch.Tensor:
        return self.loss_weight * sum_over_levels(self._single, preds_S,
                                                  preds_T)

    @staticmethod
    def _single(s: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        a_s, a_t = cosine_affinity(s), cosine_affinity(t)
        if a_s.shape != a_t.shape:
            raise ValueError(f'CosineAffinityLoss: affinity shapes '
                             f'{tuple(a_s.shape)} and {tuple(a_t.shape)} '
                             'differ (batch or spatial size mismatch).')
        return (a_s - a_t).pow(2).mean()
