"""Occ3D-nuScenes occupancy ground truth from the scene model.

The grid is the Occ3D standard: ego frame at the key frame, range
[-40, -40, -1, 40, 40, 5.4] m, 0.4 m voxels, arrays indexed [x, y, z] with
shape (200, 200, 16), 18 classes with 17 = free. Every array is uint8, as in
the published ``labels.npz``.

- ``semantics``: a voxel takes the class of every box that overlaps it
  (exact separating-axis test between the voxel and the yaw-rotated box;
  annotated things are stamped after the background, so they win) and the
  ground class in the layer that holds the ground plane; all other voxels
  are free. Voxels below the ground are free and never observed, as in
  Occ3D.
- ``mask_lidar``: voxels that a ray of the key-frame sweep passes through
  or ends in (Occ3D accumulates a whole sequence; one sweep keeps the
  generator fast and the mask conservative).
- ``mask_camera``: voxels whose centre lies in front of, or within half a
  voxel diagonal behind, the first surface seen by the pixel it projects to
  in any of the six cameras.
"""
from typing import List, Tuple

import numpy as np

from .sensors import Camera, CameraView, Lidar, LidarSweep
from .taxonomy import FREE
from .world import DrivingWorld, Primitives

GRID_RANGE = (-40.0, -40.0, -1.0, 40.0, 40.0, 5.4)
VOXEL = 0.4
GRID_SHAPE = (200, 200, 16)
HALF_DIAGONAL = VOXEL * np.sqrt(3) / 2
RAY_STEP = 0.25  # m, sampling of LiDAR rays for the LiDAR mask


def voxel_centers() -> np.ndarray:
    """Centres of all voxels in the ego frame, (200, 200, 16, 3)."""
    axes = [lo + VOXEL * (np.arange(n) + 0.5)
            for lo, n in zip(GRID_RANGE[:3], GRID_SHAPE)]
    return np.stack(np.meshgrid(*axes, indexing='ij'), -1)


def _axis_range(lo: float, hi: float, axis: int) -> Tuple[int, int]:
    """Voxel indices along ``axis`` whose open interval meets (lo, hi)."""
    start = GRID_RANGE[axis]
    i0 = max(int(np.floor((lo - start) / VOXEL)), 0)
    i1 = min(int(np.ceil((hi - start) / VOXEL)) - 1, GRID_SHAPE[axis] - 1)
    return i0, i1


def semantics(world: DrivingWorld, prims: Primitives, ego_rot: np.ndarray,
              ego_trans: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Occ3D class of every voxel, (200, 200, 16) uint8."""
    sem = np.full(GRID_SHAPE, FREE, np.uint8)
    # ground layer: the voxels whose z interval holds the plane z = 0
    k_ground = int(np.floor((-ego_trans[2] - GRID_RANGE[2]) / VOXEL))
    if 0 <= k_ground < GRID_SHAPE[2]:
        road = centers[:, :, k_ground] @ ego_rot.T + ego_trans
        sem[:, :, k_ground] = world.ground_class(road[..., 0], road[..., 1])
    # boxes in the ego frame (the ego only yaws: z stays vertical)
    ego_yaw = np.arctan2(ego_rot[1, 0], ego_rot[0, 0])
    center = (prims.center - ego_trans) @ ego_rot
    yaw = prims.yaw - ego_yaw
    c, s = np.abs(np.cos(yaw)), np.abs(np.sin(yaw))
    ext_x = prims.half[:, 0] * c + prims.half[:, 1] * s
    ext_y = prims.half[:, 0] * s + prims.half[:, 1] * c
    h = VOXEL / 2
    for p in range(len(prims)):
        (i0, i1), (j0, j1), (k0, k1) = (
            _axis_range(center[p, a] - e, center[p, a] + e, a)
            for a, e in ((0, ext_x[p]), (1, ext_y[p]),
                         (2, prims.half[p, 2])))
        if i1 < i0 or j1 < j0 or k1 < k0:
            continue
        q = centers[i0:i1 + 1, j0:j1 + 1, 0, :2] - center[p, :2]
        cy, sy = np.cos(yaw[p]), np.sin(yaw[p])
        along = q[..., 0] * cy + q[..., 1] * sy
        across = -q[..., 0] * sy + q[..., 1] * cy
        hx, hy = prims.half[p, :2]
        overlap = ((np.abs(along) < hx + h * (c[p] + s[p])) &
                   (np.abs(across) < hy + h * (c[p] + s[p])))
        # the x/y axis tests hold by construction of the index ranges
        block = sem[i0:i1 + 1, j0:j1 + 1, k0:k1 + 1]
        block[overlap] = prims.occ[p]
    return sem


def camera_mask(cams: List[Camera], views: List[CameraView],
                ego_rot: np.ndarray, ego_trans: np.ndarray,
                centers: np.ndarray) -> np.ndarray:
    """Voxels seen by at least one camera, (200, 200, 16) uint8 0/1."""
    pts = centers.reshape(-1, 3) @ ego_rot.T + ego_trans
    seen = np.zeros(len(pts), bool)
    for cam, view in zip(cams, views):
        rot, origin = cam.pose_in(ego_rot, ego_trans)
        rel = pts - origin
        local = rel @ rot
        z = local[:, 2]
        front = z > 1e-3
        k = cam.intrinsic
        with np.errstate(divide='ignore', invalid='ignore'):
            u = np.round(k[0, 0] * local[:, 0] / z + k[0, 2])
            v = np.round(k[1, 1] * local[:, 1] / z + k[1, 2])
        inside = front & (u >= 0) & (u < cam.width) & (v >= 0) & (
            v < cam.height)
        idx = np.flatnonzero(inside)
        depth = view.depth[v[idx].astype(int), u[idx].astype(int)]
        dist = np.linalg.norm(rel[idx], axis=1)
        seen[idx[dist <= depth + HALF_DIAGONAL]] = True
    return seen.reshape(GRID_SHAPE).astype(np.uint8)


def lidar_mask(lidar: Lidar, sweep: LidarSweep, ego_rot: np.ndarray,
               ego_trans: np.ndarray) -> np.ndarray:
    """Voxels that the key-frame LiDAR rays traverse or end in, uint8 0/1.

    Each ray is sampled every ``RAY_STEP`` from the sensor to its return (or
    to where it leaves the grid), plus the return itself.
    """
    rot, origin = lidar.pose_in(ego_rot, ego_trans)
    dirs = lidar.ray_dirs @ (ego_rot.T @ rot).T  # rays in the ego frame
    start = ego_rot.T @ (origin - ego_trans)
    lo, hi = np.array(GRID_RANGE[:3]), np.array(GRID_RANGE[3:])
    shape = np.array(GRID_SHAPE)
    with np.errstate(divide='ignore', invalid='ignore'):
        exit_t = np.fmax((lo - start) / dirs, (hi - start) / dirs).min(1)
    reach = np.minimum(sweep.ranges.ravel(), lidar.max_range)
    end = np.minimum(reach, exit_t)
    n = np.floor(end / RAY_STEP).astype(np.int64) + 1
    ray = np.repeat(np.arange(len(dirs)), n)
    t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) * RAY_STEP
    ray = np.concatenate([ray, np.arange(len(dirs))])
    t = np.concatenate([t, reach])
    pts = start + t[:, None] * dirs[ray]
    idx = np.floor((pts - lo) / VOXEL).astype(np.int64)
    idx = idx[np.all((idx >= 0) & (idx < shape), 1)]
    seen = np.zeros(GRID_SHAPE, np.uint8)
    seen[idx[:, 0], idx[:, 1], idx[:, 2]] = 1
    return seen
