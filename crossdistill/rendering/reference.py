"""Slow, obviously-correct reference renderer (tests and benchmark only).

Each step is written out independently of :mod:`.volume_renderer` and
:mod:`.rays`: one ray at a time, trilinear / nearest interpolation done by
hand on voxel-centre indices, and transmittance accumulated sample by sample
as ``T ← T · exp(-σ δ)``. Do not use it for training.
"""
from typing import Sequence, Tuple

import torch
from torch import Tensor

from .sampling import RaySamples
from .volume_renderer import RenderOutputs


def reference_pixel_ray(u: float, v: float, intrinsics: Tensor,
                        cam2ego: Tensor,
                        img_aug: Tensor) -> Tuple[Tensor, Tensor]:
    """Ray through augmented-image pixel ``(u, v)``, undone step by step.

    Args:
        intrinsics (Tensor): (3, 3) original-image ``K``.
        cam2ego (Tensor): (4, 4) camera-to-ego.
        img_aug (Tensor): (3, 3) homogeneous 2D pixel augmentation.

    Returns:
        tuple[Tensor, Tensor]: origin (3,) and unit direction (3,).
    """
    aug_pixel = intrinsics.new_tensor([u, v, 1.0])
    orig_pixel = torch.linalg.solve(img_aug, aug_pixel)
    cam_dir = torch.linalg.solve(intrinsics, orig_pixel / orig_pixel[2])
    ego_dir = cam2ego[:3, :3] @ cam_dir
    return cam2ego[:3, 3], ego_dir / ego_dir.norm()


def _interpolate(field: Tensor, coords: Tensor, trilinear: bool) -> Tensor:
    """Interpolate a (X, Y, Z, F) field at (N, 3) voxel-centre coordinates.

    Coordinates are clamped to the border (callers zero the density
    outside).
    """
    size = torch.tensor(field.shape[:3], device=coords.device)
    coords = torch.minimum(coords.clamp(min=0), size - 1)
    if not trilinear:
        idx = (coords + 0.5).floor().long().clamp(max=size - 1)
        return field[idx[:, 0], idx[:, 1], idx[:, 2]]
    low = coords.floor().long()
    high = torch.minimum(low + 1, size - 1)
    frac = coords - low
    out = 0
    for corner in range(8):
        pick = [(corner >> axis) & 1 for axis in range(3)]
        idx = [high[:, a] if pick[a] else low[:, a] for a in range(3)]
        weight = torch.ones_like(frac[:, 0])
        for a in range(3):
            weight = weight * (frac[:, a] if pick[a] else 1 - frac[:, a])
        out = out + weight[:, None] * field[idx[0], idx[1], idx[2]]
    return out


def reference_render(voxel_logits: Tensor,
                     samples: RaySamples,
                     point_cloud_range: Sequence[float],
                     voxel_size: float,
                     free_index: int = 17,
                     interpolation: str = 'trilinear',
                     semantic_type: str = 'logits') -> RenderOutputs:
    """Render ray by ray; same contract as ``VoxelVolumeRenderer``.

    ``voxel_size`` is a single (cubic) edge length.
    """
    batch, num_rays, num_samples = samples.depths.shape
    num_channels = voxel_logits.shape[1]
    lo = voxel_logits.new_tensor(point_cloud_range[:3])
    hi = voxel_logits.new_tensor(point_cloud_range[3:])
    keep = [c for c in range(num_channels) if c != free_index % num_channels]
    depth = voxel_logits.new_zeros(batch, num_rays)
    semantics = voxel_logits.new_zeros(batch, num_rays, len(keep))
    weights = voxel_logits.new_zeros(batch, num_rays, num_samples)
    for b in range(batch):
        logits = voxel_logits[b].permute(1, 2, 3, 0)  # X, Y, Z, C+1
        probs = logits.softmax(dim=-1)
        sigma = -torch.log(probs[..., free_index]) / voxel_size
        semantic = logits[..., keep]
        if semantic_type == 'probs':
            semantic = semantic.softmax(dim=-1)
        field = torch.cat([sigma[..., None], semantic], dim=-1)
        for r in range(num_rays):
            points = samples.points[b, r]
            coords = (points - lo) / voxel_size - 0.5
            values = _interpolate(field, coords,
                                  interpolation == 'trilinear')
            inside = ((points >= lo) & (points <= hi)).all(dim=-1)
            transmittance = voxel_logits.new_ones(())
            for i in range(num_samples):
                sigma_i = values[i, 0] if inside[i] else 0.0
                alpha = 1 - torch.exp(-sigma_i * samples.deltas[b, r, i])
                w = transmittance * alpha
                weights[b, r, i] = w
                depth[b, r] += w * samples.depths[b, r, i]
                semantics[b, r] += w * values[i, 1:]
                transmittance = transmittance * (1 - alpha)
    return RenderOutputs(
        depth=depth,
        semantics=semantics,
        weights=weights,
        opacity=weights.sum(dim=-1))
