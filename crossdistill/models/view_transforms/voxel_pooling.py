"""Voxel pooling: sum the features of lifted points per voxel / BEV cell.

The ``ρ`` of LSS / BEVDet / SimDistill Eq. 2 ("efficient BEV pooling").
Pure PyTorch, one scatter-add by flat voxel index; no Python loop over
points, no host synchronisation (no boolean indexing): points outside the
range are routed to one extra "dump" row that is dropped afterwards, so they
get no feature and no gradient. mmdet3d 1.4's package ships no ``bev_pool``
CUDA op (it lives in the BEVFusion project), so there is no CUDA path;
``index_add_`` is the same scatter-add on every device (on CUDA it uses
atomics, hence run-to-run float rounding differences unless
``torch.use_deterministic_algorithms`` is on).

Voxel ``(i, j, k)`` covers ``[lo + idx·size, lo + (idx + 1)·size)`` per axis;
points on the upper faces of the range are outside.
"""
from typing import Sequence, Tuple, Union

import torch
from torch import Tensor

Size3 = Union[float, Sequence[float]]


def grid_shape(point_cloud_range: Sequence[float],
               voxel_size: Size3) -> Tuple[int, int, int]:
    """``(X, Y, Z)`` voxel counts of a range ``(x0, y0, z0, x1, y1, z1)``."""
    sizes = _voxel_sizes(voxel_size)
    return tuple(
        int(round((point_cloud_range[i + 3] - point_cloud_range[i]) /
                  sizes[i])) for i in range(3))


def _voxel_sizes(voxel_size: Size3) -> Tuple[float, float, float]:
    if isinstance(voxel_size, (int, float)):
        return (float(voxel_size), ) * 3
    return tuple(float(x) for x in voxel_size)


def voxel_pooling(points: Tensor,
                  feats: Tensor,
                  point_cloud_range: Sequence[float],
                  voxel_size: Size3,
                  collapse_z: bool = False) -> Tensor:
    """Sum point features into a voxel volume or a BEV map.

    Args:
        points (Tensor): (B, P, 3) ``(x, y, z)`` in the grid's frame.
        feats (Tensor): (B, P, C) features of the points.
        point_cloud_range (Sequence[float]): ``(x0, y0, z0, x1, y1, z1)``.
        voxel_size (float | Sequence[float]): voxel edge(s) ``(dx, dy, dz)``.
        collapse_z (bool): sum over the height axis too (points outside the
            z range are still dropped).

    Returns:
        Tensor: (B, C, X, Y, Z), or (B, C, X, Y) with ``collapse_z``.
    """
    batch, num_points, channels = feats.shape
    if points.shape != (batch, num_points, 3):
        raise ValueError(f'points must be (B, P, 3) = {(batch, num_points, 3)}'
                         f', got {tuple(points.shape)}')
    shape = grid_shape(point_cloud_range, voxel_size)
    lo = points.new_tensor(point_cloud_range[:3])
    size = points.new_tensor(_voxel_sizes(voxel_size))
    idx = torch.floor((points - lo) / size).long()
    bound = torch.tensor(shape, device=idx.device)
    inside = ((idx >= 0) & (idx < bound)).all(dim=-1)

    cells = shape[:2] if collapse_z else shape
    flat = torch.arange(batch, device=idx.device)[:, None]
    for axis, count in enumerate(cells):
        flat = flat * count + idx[..., axis]
    num_cells = batch * int(torch.tensor(cells).prod())
    flat = torch.where(inside, flat, torch.full_like(flat, num_cells))
    pooled = feats.new_zeros(num_cells + 1,
                             channels).index_add_(0, flat.flatten(),
                                                  feats.reshape(-1, channels))
    pooled = pooled[:num_cells].view(batch, *cells, channels)
    return pooled.movedim(-1, 1).contiguous()
