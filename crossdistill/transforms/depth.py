"""LiDAR points -> sparse per-camera depth maps at the augmented resolution.

mmdet3d 1.4 has no such step (BEVDet/BEVDepth keep theirs in their own
repositories), so it is written here. Each point (LiDAR frame) goes through
``img_aug_matrix @ cam2img @ lidar2cam``; a point lands in the pixel whose
centre is nearest (integer coordinates are pixel centres, as in
:mod:`.image_aug`), and a pixel hit by several points keeps the nearest
depth. Depth is the camera-frame z (metres); 0 marks pixels without a
return. The maps supervise depth and rendered depth.

Place it before ``LoadPointsFromMultiSweeps`` to use the key-frame sweep
only (past sweeps smear moving objects), after it to use all sweeps.
"""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from crossdistill.registry import TRANSFORMS


def project_to_image(points: np.ndarray, lidar2img: np.ndarray,
                     img_aug_matrix: np.ndarray) -> np.ndarray:
    """(P, 3) LiDAR points -> (P, 3) augmented-image (u, v, depth).

    ``lidar2img`` (4x4, ``cam2img @ lidar2cam``) projects; u and v are
    divided by the depth; ``img_aug_matrix`` then moves them into the
    augmented image. Points with depth <= 0 get non-finite or meaningless
    u, v: filter on the depth.
    """
    homo = np.concatenate([points, np.ones((len(points), 1))], axis=1)
    cam = homo @ np.asarray(lidar2img, dtype=np.float64).T
    depth = cam[:, 2:3]
    with np.errstate(divide='ignore', invalid='ignore'):
        uvd = np.concatenate([cam[:, :2] / depth, depth, cam[:, 3:]], axis=1)
    return (uvd @ np.asarray(img_aug_matrix, dtype=np.float64).T)[:, :3]


def depth_map(points: np.ndarray, lidar2img: np.ndarray,
              img_aug_matrix: np.ndarray, size: Sequence[int],
              depth_range: Sequence[float]) -> np.ndarray:
    """Sparse (H, W) float32 depth map of one camera (0 = no return)."""
    height, width = size
    uvd = project_to_image(points, lidar2img, img_aug_matrix)
    depth = uvd[:, 2]
    keep = (depth >= depth_range[0]) & (depth <= depth_range[1])
    u = np.round(uvd[keep, 0])
    v = np.round(uvd[keep, 1])
    depth = depth[keep]
    inside = (u >= 0) & (u < width) & (v >= 0) & (v < height)
    pixel = (v[inside] * width + u[inside]).astype(np.int64)
    depth = depth[inside]
    order = np.lexsort((depth, pixel))  # by pixel, nearest first
    pixel, depth = pixel[order], depth[order]
    first = np.ones(len(pixel), dtype=bool)
    first[1:] = pixel[1:] != pixel[:-1]
    out = np.zeros(height * width, dtype=np.float32)
    out[pixel[first]] = depth[first]
    return out.reshape(height, width)


@TRANSFORMS.register_module()
class PointsToMultiViewDepth(BaseTransform):
    """Project LiDAR points into every augmented camera image.

    Required keys: ``points`` (LiDAR frame), ``cam2img``, ``lidar2cam``,
    ``img_aug_matrix`` ((N, 4, 4), from ``MultiViewImageAug``),
    ``img_shape``. Added keys: ``gt_depth`` (N, H, W) float32.

    Args:
        depth_range: (min, max) camera-frame depth in metres to keep.
    """

    def __init__(self, depth_range: Sequence[float] = (0.1, 100.0)) -> None:
        self.depth_range = tuple(depth_range)

    def transform(self, results: dict) -> dict:
        if 'img_aug_matrix' not in results:
            raise KeyError('PointsToMultiViewDepth needs img_aug_matrix: '
                           'place it after MultiViewImageAug.')
        points = results['points'].tensor[:, :3].numpy().astype(np.float64)
        size = tuple(results['img_shape'][:2])
        lidar2img = np.asarray(results['cam2img']) @ np.asarray(
            results['lidar2cam'])
        results['gt_depth'] = np.stack([
            depth_map(points, l2i, aug, size, self.depth_range)
            for l2i, aug in zip(lidar2img, results['img_aug_matrix'])
        ])
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(depth_range={self.depth_range})'
