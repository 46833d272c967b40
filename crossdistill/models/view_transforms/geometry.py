"""Frustum geometry of the LSS lift: image-feature cells x depth bins -> 3D.

Every cell of a stride-``s`` image feature map and every depth bin gives one
3D point. For the augmented-image pixel ``(u', v')`` and the camera depth
``d`` (distance along the optical axis, the ``z`` of the camera frame, which
is what LiDAR depth maps store):

    p_target = E · [ d · K⁻¹ · A⁻¹ · (u', v', 1)ᵀ ; 1 ]

* ``A`` (``img_aug_matrix``) maps original-image pixels to augmented-image
  pixels (resize / crop / flip / rotate). Only its 2D part acts on pixels,
  read by :func:`crossdistill.rendering.as_image_aug_matrix` (3x3, 4x4 or a
  ``(post_rots, post_trans)`` pair), so the lift and the renderer's rays use
  one convention; :func:`crossdistill.rendering.pixel_to_ray_transform`
  builds ``E_R · K⁻¹ · A⁻¹``.
* ``K`` (``cam2img``) are the original-image intrinsics, (…, 3, 3) or padded
  (…, 4, 4).
* ``E = bev_aug · lidar2ego⁻¹ · cam2ego``: the voxel grid lives in the ego
  frame (Occ3D), or in the LiDAR frame when ``lidar2ego`` is given
  (mmdet3d / BEVFusion boxes); a BEV augmentation (``bev_aug_matrix``,
  BEVDet's ``bda`` / BEVFusion's ``lidar_aug_matrix``, applied to the
  boxes / occupancy as well) maps that frame to the augmented one.

Choices the papers leave open:

* **Pixel centres on integer coordinates** (OpenCV / nuScenes, as the
  renderer's rays). Feature cell ``j`` of a map of width ``w`` over an image
  of width ``W`` covers pixels ``[j·s, (j+1)·s)`` with ``s = W / w``, so its
  centre is ``u = (j + 0.5)·s - 0.5`` (the same for rows). BEVDet / BEVFusion
  spread ``linspace(0, W - 1, w)`` instead, which drifts by up to half a
  stride at the far border; the cell-centre rule also matches the min-depth
  pooling of the depth targets (:mod:`.depth_loss`), whose ``s x s`` windows
  are exactly these cells.
* **Depth bins** ``depth_bounds = (d_min, d_max, step)``: bin ``k`` covers
  ``[d_min + k·step, d_min + (k+1)·step)`` and is lifted at its centre
  (BEVDet lifts at the lower edge; the centre halves the worst error).
"""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor

from crossdistill.rendering import pixel_to_ray_transform

DepthBounds = Tuple[float, float, float]


def num_depth_bins(depth_bounds: Sequence[float]) -> int:
    """Number ``D`` of bins of ``(d_min, d_max, step)``."""
    d_min, d_max, step = (float(x) for x in depth_bounds)
    if not (step > 0 and d_max > d_min):
        raise ValueError('depth_bounds must be (d_min, d_max, step) with '
                         f'd_max > d_min and step > 0, got {depth_bounds}')
    return int(round((d_max - d_min) / step))


def depth_bin_centers(depth_bounds: Sequence[float],
                      device: Optional[torch.device] = None,
                      dtype: torch.dtype = torch.float32) -> Tensor:
    """(D,) bin centres ``d_min + (k + 0.5)·step``."""
    d_min, _, step = (float(x) for x in depth_bounds)
    bins = torch.arange(num_depth_bins(depth_bounds),
                        device=device,
                        dtype=dtype)
    return d_min + (bins + 0.5) * step


def create_frustum(image_size: Sequence[int],
                   feature_size: Sequence[int],
                   depth_bounds: Sequence[float],
                   device: Optional[torch.device] = None,
                   dtype: torch.dtype = torch.float32) -> Tensor:
    """Frustum of augmented-image pixel centres and bin depths.

    Args:
        image_size: ``(H, W)`` of the augmented (network input) image.
        feature_size: ``(h, w)`` of the image feature map.
        depth_bounds: ``(d_min, d_max, step)`` in metres.

    Returns:
        Tensor: (D, h, w, 3) of ``(u, v, d)``: pixel column, row (integer
        pixel centres, see module doc) and camera depth.
    """
    (img_h, img_w), (feat_h, feat_w) = image_size, feature_size
    rows = (torch.arange(feat_h, device=device, dtype=dtype) +
            0.5) * (img_h / feat_h) - 0.5
    cols = (torch.arange(feat_w, device=device, dtype=dtype) +
            0.5) * (img_w / feat_w) - 0.5
    depths = depth_bin_centers(depth_bounds, device, dtype)
    d, v, u = torch.meshgrid(depths, rows, cols, indexing='ij')
    return torch.stack([u, v, d], dim=-1)


def _homogeneous(mat: Tensor) -> Tensor:
    """(…, 3, 3) rotation/scale or (…, 4, 4) -> (…, 4, 4)."""
    if mat.shape[-2:] == (4, 4):
        return mat
    if mat.shape[-2:] != (3, 3):
        raise ValueError('expected a (..., 3, 3) or (..., 4, 4) matrix, got '
                         f'shape {tuple(mat.shape)}')
    out = mat.new_zeros(mat.shape[:-2] + (4, 4))
    out[..., :3, :3] = mat
    out[..., 3, 3] = 1
    return out


def cam_to_target_matrix(cam2ego: Tensor,
                         lidar2ego: Optional[Tensor] = None,
                         bev_aug_matrix: Optional[Tensor] = None) -> Tensor:
    """``E = bev_aug · lidar2ego⁻¹ · cam2ego`` per camera.

    Args:
        cam2ego (Tensor): (B, N, 4, 4) camera-to-ego.
        lidar2ego (Tensor, optional): (B, 4, 4); when given, the target frame
            is the LiDAR frame.
        bev_aug_matrix (Tensor, optional): (B, 4, 4) or (B, 3, 3) augmentation
            of the target frame.

    Returns:
        Tensor: (B, N, 4, 4) camera-to-target.
    """
    mat = cam2ego
    if lidar2ego is not None:
        mat = torch.linalg.inv(lidar2ego.to(mat))[:, None] @ mat
    if bev_aug_matrix is not None:
        mat = _homogeneous(bev_aug_matrix.to(mat))[:, None] @ mat
    return mat


def frustum_to_points(frustum: Tensor,
                      cam2img: Tensor,
                      cam2ego: Tensor,
                      img_aug_matrix: Optional[Tensor] = None,
                      lidar2ego: Optional[Tensor] = None,
                      bev_aug_matrix: Optional[Tensor] = None) -> Tensor:
    """Lift a frustum of ``(u, v, d)`` into the target (voxel) frame.

    Args:
        frustum (Tensor): (…, 3) ``(u, v, d)``, e.g. (D, h, w, 3) from
            :func:`create_frustum`.
        cam2img (Tensor): (B, N, 3, 3) or (B, N, 4, 4) intrinsics.
        cam2ego (Tensor): (B, N, 4, 4) camera-to-ego.
        img_aug_matrix (Tensor, optional): (B, N, 3, 3) / (B, N, 4, 4),
            original -> augmented pixels; ``None`` for no augmentation.
        lidar2ego (Tensor, optional): (B, 4, 4), see
            :func:`cam_to_target_matrix`.
        bev_aug_matrix (Tensor, optional): (B, 4, 4) or (B, 3, 3).

    Returns:
        Tensor: (B, N, …, 3) points in the target frame.
    """
    cam2target = cam_to_target_matrix(cam2ego.to(cam2img), lidar2ego,
                                      bev_aug_matrix)
    pix2target, origin = pixel_to_ray_transform(
        cam2img, cam2target,
        None if img_aug_matrix is None else img_aug_matrix.to(cam2img))
    depth = frustum[..., 2:]
    scaled = torch.cat([frustum[..., :2] * depth, depth], dim=-1)
    batch, num_cams = pix2target.shape[:2]
    flat = scaled.reshape(-1, 3).to(pix2target)
    points = torch.einsum('bnij,pj->bnpi', pix2target, flat)
    points = points + origin[:, :, None]
    return points.view(batch, num_cams, *frustum.shape[:-1], 3)
