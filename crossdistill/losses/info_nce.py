"""InfoNCE contrastive loss between paired embeddings (van den Oord et al.).

Row ``i`` of ``query`` and row ``i`` of ``key`` form the positive pair; the
other rows of the batch are negatives:

.. math::
    L_{q \\to k} = -\\frac{1}{N} \\sum_i \\log
        \\frac{\\exp(\\langle \\hat q_i, \\hat k_i \\rangle / \\tau)}
             {\\sum_j \\exp(\\langle \\hat q_i, \\hat k_j \\rangle / \\tau)}

With ``symmetric=True`` (CLIP style) the loss is
``(L_{q->k} + L_{k->q}) / 2``.
"""
import torch
import torch.nn.functional as F
from torch import nn

from crossdistill.registry import MODELS


@MODELS.register_module()
class InfoNCELoss(nn.Module):
    """Args:
        temperature: ``tau``.
        symmetric: Average both directions.
        loss_weight: Weight of the loss.
    """

    def __init__(self,
                 temperature: float = 0.07,
                 symmetric: bool = True,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.symmetric = symmetric
        self.loss_weight = loss_weight

    def forward(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        """``query``, ``key``: (N, D) embeddings, paired by row."""
        if query.shape[0] != key.shape[0]:
            raise ValueError(f'InfoNCELoss: {query.shape[0]} queries but '
                             f'{key.shape[0]} keys; rows must be paired.')
        logits = F.normalize(query, dim=1) @ F.normalize(key, dim=1).t()
        logits = logits / self.temperature
        target = torch.arange(len(logits), device=logits.device)
        loss = F.cross_entropy(logits, target)
        if self.symmetric:
            loss = (loss + F.cross_entropy(logits.t(), target)) / 2
        return self.loss_weight * loss
