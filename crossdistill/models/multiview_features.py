"""Per-batch feature extraction shared by the driving models (RadOcc's
BEVDet-Occ / BEVFusion-Occ, SimDistill's BEVFusion family)."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def multiview_image_features(backbone: nn.Module, neck: nn.Module,
                             imgs: Tensor) -> Tensor:
    """(B, N, 3, H, W) images -> (B, N, C, h, w) at the neck's first level.

    One map per camera is lifted, as BEVDet's and BEVFusion's one-output
    necks give: the first level, with the coarser neck outputs upsampled
    (nearest) and added, so that every neck parameter takes part (DDP needs
    no ``find_unused_parameters``).
    """
    batch, num_cams = imgs.shape[:2]
    feats = neck(backbone(imgs.flatten(0, 1)))
    if not isinstance(feats, (list, tuple)):
        feats = [feats]
    feat = feats[0]
    for coarse in feats[1:]:
        feat = feat + F.interpolate(coarse, size=feat.shape[-2:])
    return feat.view(batch, num_cams, *feat.shape[1:])


@torch.no_grad()
def batch_voxelize(voxel_layer: nn.Module, points: Sequence[Tensor]
                   ) -> Tuple[Tensor, Tensor, Tensor]:
    """Hard-voxelise each sample's points with ``voxel_layer`` (mmcv
    ``Voxelization``) and concatenate.

    Returns:
        tuple[Tensor, Tensor, Tensor]: voxels (M, P, C), coors (M, 4) as
        (batch index, z, y, x), points per voxel (M,).
    """
    voxels, coors, num_points = [], [], []
    for i, pts in enumerate(points):
        v, c, n = voxel_layer(pts)
        voxels.append(v)
        coors.append(F.pad(c, (1, 0), value=i))
        num_points.append(n)
    return torch.cat(voxels), torch.cat(coors), torch.cat(num_points)
