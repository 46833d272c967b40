"""Depth supervision of the LSS depth distribution by LiDAR depth maps.

BEVDepth-style (Li et al. 2023): the LiDAR depth map ``gt_depth``
(B, N, H, W) of the augmented images (camera z-depth in metres, 0 where no
point projects) is brought to the feature stride by **min-depth pooling**
over each ``s x s`` cell (the nearest return wins: it is the visible surface;
empty pixels are ignored, a cell with none is unsupervised) and one-hot
encoded in the bins of :mod:`.geometry` (bin ``k`` covers
``[d_min + k·step, d_min + (k+1)·step)``; depths outside the bins are
unsupervised). Over the ``P`` supervised cells ``p`` with target bin
``k_p`` and predicted probabilities ``q_p`` (after the softmax):

* ``'bce'`` (BEVDepth, default):
  ``L = (1/P) Σ_p Σ_k BCE(q_pk, [k = k_p])``;
* ``'ce'``: ``L = -(1/P) Σ_p log q_{p, k_p}``, the negative log-likelihood
  of the categorical distribution that the depth net predicts.

Both are zero for a one-hot prediction at the target bin. The arguments of
the logarithms are clamped at ``eps``.
"""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossdistill.registry import MODELS
from .geometry import num_depth_bins


def min_depth_pooling(gt_depth: Tensor, feature_size: Sequence[int]) -> Tensor:
    """Nearest valid depth per feature cell.

    Args:
        gt_depth (Tensor): (B, N, H, W) depth, 0 = no return.
        feature_size: ``(h, w)``; ``H`` and ``W`` must be multiples.

    Returns:
        Tensor: (B, N, h, w), 0 where the cell has no return.
    """
    batch, num_cams, height, width = gt_depth.shape
    feat_h, feat_w = feature_size
    if height % feat_h or width % feat_w:
        raise ValueError(f'gt_depth size {(height, width)} is not a multiple '
                         f'of the feature size {(feat_h, feat_w)}.')
    depth = torch.where(gt_depth > 0, gt_depth,
                        torch.full_like(gt_depth, torch.inf))
    depth = -F.max_pool2d(-depth.view(batch * num_cams, 1, height, width),
                          kernel_size=(height // feat_h, width // feat_w))
    depth = depth.view(batch, num_cams, feat_h, feat_w)
    return torch.where(torch.isinf(depth), torch.zeros_like(depth), depth)


@MODELS.register_module()
class LSSDepthLoss(nn.Module):
    """Depth-bin classification loss on the LSS depth distribution.

    Args:
        depth_bounds (Sequence[float]): ``(d_min, d_max, step)``, the view
            transformer's bins.
        loss_type (str): ``'bce'`` or ``'ce'`` (see module doc).
        loss_weight (float): weight (BEVDepth uses 3.0).
        eps (float): probability clamp.
    """

    def __init__(self,
                 depth_bounds: Sequence[float] = (1.0, 45.0, 0.5),
                 loss_type: str = 'bce',
                 loss_weight: float = 1.0,
                 eps: float = 1e-6) -> None:
        super().__init__()
        if loss_type not in ('bce', 'ce'):
            raise ValueError(f"loss_type must be 'bce' or 'ce', got "
                             f'{loss_type!r}')
        self.depth_bounds = tuple(float(x) for x in depth_bounds)
        self.num_bins = num_depth_bins(depth_bounds)
        self.loss_type = loss_type
        self.loss_weight = loss_weight
        self.eps = eps

    def get_targets(self, gt_depth: Tensor,
                    feature_size: Sequence[int]) -> Tensor:
        """(B, N, H, W) depth -> (B, N, h, w) long bin index, -1 = ignore."""
        depth = min_depth_pooling(gt_depth, feature_size)
        d_min, _, step = self.depth_bounds
        bins = torch.floor((depth - d_min) / step).long()
        valid = (depth > 0) & (bins >= 0) & (bins < self.num_bins)
        return torch.where(valid, bins, torch.full_like(bins, -1))

    def forward(self, depth_probs: Tensor, gt_depth: Tensor) -> Tensor:
        """Args:
            depth_probs (Tensor): (B, N, D, h, w) softmax depth distribution.
            gt_depth (Tensor): (B, N, H, W) LiDAR depth, 0 = no return.
        """
        if depth_probs.shape[2] != self.num_bins:
            raise ValueError(f'depth_probs has {depth_probs.shape[2]} bins, '
                             f'depth_bounds give {self.num_bins}.')
        targets = self.get_targets(gt_depth, depth_probs.shape[-2:])
        valid = (targets >= 0).to(depth_probs)
        one_hot = F.one_hot(targets.clamp(min=0),
                            self.num_bins).movedim(-1, 2).to(depth_probs)
        log_p = depth_probs.clamp(min=self.eps).log()
        per_bin = -one_hot * log_p
        if self.loss_type == 'bce':
            log_not_p = (1 - depth_probs).clamp(min=self.eps).log()
            per_bin = per_bin - (1 - one_hot) * log_not_p
        loss = (per_bin.sum(dim=2) * valid).sum()
        return self.loss_weight * loss / valid.sum().clamp(min=1)
