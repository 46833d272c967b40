"""Masked feature MSE, the plain feature-imitation loss.

.. math::
    L = w \\cdot \\frac{\\sum_{n,c,p} M_{n,p} (S_{n,c,p} - T_{n,c,p})^2}
                       {C \\sum_{n,p} M_{n,p}}

without a mask this is ``F.mse_loss``; with a binary mask it is the MSE over
the masked positions (e.g. foreground, key distillation points).  For a list
of levels the per-level losses are summed.
"""
from typing import Optional

import torch
from torch import nn

from crossdistill.registry import MODELS
from .utils import Features, check_same_shape, sum_over_levels


@MODELS.register_module()
class MaskedFeatureMSELoss(nn.Module):
    """Args:
        loss_weight: ``w``.
        eps: Floor of the normaliser (an empty mask gives a zero loss).
    """

    def __init__(self, loss_weight: float = 1.0, eps: float = 1e-6) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.eps = eps

    def forward(self,
                preds_S: Features,
                preds_T: Features,
                mask: Optional[Features] = None) -> torch.Tensor:
        """``preds``: (N, C, *spatial) or a list of them; ``mask``:
        broadcastable to (N, 1, *spatial), or a list per level."""
        return self.loss_weight * sum_over_levels(self._single, preds_S,
                                                  preds_T, mask)

    def _single(self, s: torch.Tensor, t: torch.Tensor,
                mask: Optional[torch.Tensor]) -> torch.Tensor:
        check_same_shape(s, t, type(self).__name__)
        sq = (s - t).pow(2)
        if mask is None:
            return sq.mean()
        if mask.dim() == s.dim() - 1:
            mask = mask.unsqueeze(1)
        mask = mask.to(sq.dtype).expand(s.shape[0], 1, *s.shape[2:])
        denom = (mask.sum() * s.shape[1]).clamp(min=self.eps)
        return (sq * mask).sum() / denom
