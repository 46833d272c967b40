"""Position-aware L2 distillation loss, Sec. 3.3.2, Eqs. (19)-(21).

.. math::
    L2\\_distance &= (T\\_feat - S\\_feat)^2                      && (19)\\\\
    PA\\_L2\\_distance(i, j) &= L2\\_distance(i, j) \\cdot mask(i, j)
        && (20)\\\\
    loss_{distill} &= \\lambda_{distill} \\frac{\\sum_{i,j}
        PA\\_L2\\_distance(i, j)}{\\sum_{i,j} mask(i, j)}             && (21)

with ``mask`` from AKDP (:mod:`.akdp`), computed from the ground truths and
the anchors of the *compared* grid.  The channel dimension is summed, not
averaged (Eq. 21 divides by the number of key positions only), and
:math:`\\lambda_{distill} = 0.01` is applied once (Eq. 22 repeats it).  For a
pyramid the sums run over all levels and images of the batch.  Maps are
compared on their common top-left extent: after 2x resampling, pyramid
levels of odd size differ by one row or column.
"""
from typing import List, Sequence

import torch
from mmdet.registry import TASK_UTILS as MMDET_TASK_UTILS
from torch import nn

from crossdistill.registry import MODELS
from .akdp import akdp_masks

Levels = Sequence[torch.Tensor]


@MODELS.register_module()
class PositionAwareL2Loss(nn.Module):
    """Args:
        prior_generator: mmdet anchor generator config of the compared grid,
            in the frame of the ``data_samples``' boxes (e.g. the student
            head's ``anchor_generator``; with LA/FA, strides 4-64 on the 1x
            image).  Built in mmdet's scope.
        loss_weight: :math:`\\lambda_{distill}`.
        eps: Floor of the normaliser (no key positions give a zero loss).
    """

    def __init__(self,
                 prior_generator: dict,
                 loss_weight: float = 0.01,
                 eps: float = 1e-6) -> None:
        super().__init__()
        self.prior_generator = MMDET_TASK_UTILS.build(
            dict(prior_generator, _scope_='mmdet'))
        self.loss_weight = loss_weight
        self.eps = eps

    def forward(self, preds_S: Levels, preds_T: Levels,
                data_samples: Sequence) -> torch.Tensor:
        """``preds_*``: per level (N, C, H, W); ``data_samples``: the
        student's, with ``gt_instances.bboxes``."""
        preds_S, preds_T = _as_levels(preds_S), _as_levels(preds_T)
        if len(preds_S) != len(preds_T) or (len(preds_S) !=
                                            self.prior_generator.num_levels):
            raise ValueError(
                f'{type(self).__name__}: {len(preds_S)} student and '
                f'{len(preds_T)} teacher levels, anchors for '
                f'{self.prior_generator.num_levels}.')
        sizes = [(min(s.shape[-2], t.shape[-2]), min(s.shape[-1],
                                                     t.shape[-1]))
                 for s, t in zip(preds_S, preds_T)]
        masks = self.key_positions(sizes, data_samples, preds_S[0].device)
        total = preds_S[0].new_zeros(())
        count = preds_S[0].new_zeros(())
        for s, t, mask, (h, w) in zip(preds_S, preds_T, masks, sizes):
            if s.shape[:2] != t.shape[:2]:
                raise ValueError(
                    f'{type(self).__name__}: student (N, C) {s.shape[:2]} '
                    f'!= teacher {t.shape[:2]}.')
            dist = (t[..., :h, :w] - s[..., :h, :w]).pow(2).sum(dim=1)
            total = total + (dist * mask).sum()
            count = count + mask.sum()
        return self.loss_weight * total / count.clamp(min=self.eps)

    @torch.no_grad()
    def key_positions(self, featmap_sizes: List, data_samples: Sequence,
                      device: torch.device) -> List[torch.Tensor]:
        """Per level an (N, H, W) AKDP mask of the batch."""
        priors = self.prior_generator.grid_priors(featmap_sizes, device=device)
        per_image = [
            akdp_masks(priors, featmap_sizes,
                       self.prior_generator.num_base_priors[0],
                       sample.gt_instances.bboxes) for sample in data_samples
        ]
        return [torch.stack(level) for level in zip(*per_image)]


def _as_levels(preds) -> List[torch.Tensor]:
    return list(preds) if isinstance(preds, (list, tuple)) else [preds]
