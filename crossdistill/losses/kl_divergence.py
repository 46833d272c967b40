"""Logit distillation with temperature (Hinton et al., 2015).

Softmax over the class dimension ``dim``:

.. math::
    L = w \\, \\tau^2 \\, \\frac{1}{|P|} \\sum_{p \\in P}
        \\mathrm{KL}\\big(\\sigma(z^T_p / \\tau) \\,\\|\\,
                          \\sigma(z^S_p / \\tau)\\big)

averaged over every position ``p`` (all dims but ``dim``; a weight per
position may be given).  With ``use_sigmoid=True`` each class is an
independent Bernoulli (sigmoid detection heads such as RetinaNet's) and the
per-class Bernoulli KLs are summed over ``dim``.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from crossdistill.registry import MODELS
from .utils import Features, check_same_shape, sum_over_levels


@MODELS.register_module()
class KLDivergenceLoss(nn.Module):
    """Args:
        tau: Temperature.
        dim: Class dimension of the logits.
        use_sigmoid: Bernoulli KL per class instead of a softmax KL.
        loss_weight: ``w``.
    """

    def __init__(self,
                 tau: float = 1.0,
                 dim: int = 1,
                 use_sigmoid: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.tau = tau
        self.dim = dim
        self.use_sigmoid = use_sigmoid
        self.loss_weight = loss_weight

    def forward(self,
                preds_S: Features,
                preds_T: Features,
                weight: Optional[Features] = None) -> torch.Tensor:
        """``weight``: per position (the logits' shape without ``dim``)."""
        return self.loss_weight * self.tau**2 * sum_over_levels(
            self._single, preds_S, preds_T, weight)

    def _single(self, s: torch.Tensor, t: torch.Tensor,
                weight: Optional[torch.Tensor]) -> torch.Tensor:
        check_same_shape(s, t, type(self).__name__)
        s, t = s / self.tau, t / self.tau
        if self.use_sigmoid:
            p_t = torch.sigmoid(t)
            kl = (p_t * (F.logsigmoid(t) - F.logsigmoid(s)) +
                  (1 - p_t) * (F.logsigmoid(-t) - F.logsigmoid(-s)))
        else:
            log_p_t = F.log_softmax(t, dim=self.dim)
            kl = log_p_t.exp() * (log_p_t - F.log_softmax(s, dim=self.dim))
        kl = kl.sum(dim=self.dim)
        if weight is None:
            return kl.mean()
        weight = weight.to(kl.dtype)
        return (kl * weight).sum() / weight.sum().clamp(min=1e-6)
