"""Vectorised ray casting against the ground plane and yaw-rotated boxes.

Every sensor of the synthetic driving world (six cameras, LiDAR) shoots rays
from one origin; this module intersects them analytically with the ground
plane z = 0 and with each primitive box (slab test in the box frame) and
keeps the nearest hit per ray (a z-buffer). Sensors pass, for each box, the
indices of the rays that can reach it (from their own ray grid), so the work
is proportional to the boxes' angular footprint, not rays x boxes.
"""
from typing import Dict, Iterable, NamedTuple, Tuple

import numpy as np

from .world import Primitives

GROUND = -1  # ``RayHits.prim`` of a ray that hits the ground plane
MISS = -2  # ... and of a ray that hits nothing within range

# unit corners of a box, (8, 3): the bottom four first
UNIT_CORNERS = np.array([[sx, sy, sz] for sz in (-1, 1) for sx, sy in
                         ((-1, -1), (1, -1), (1, 1), (-1, 1))], np.float64)


class RayHits(NamedTuple):
    """Nearest hit of each ray."""
    t: np.ndarray  # (N,) distance along the (unit) ray, inf for a miss
    prim: np.ndarray  # (N,) primitive index, GROUND or MISS
    face: np.ndarray  # (N,) 2 * axis + (1 if the face is on the + side)
    coverage: Dict[int, np.ndarray]  # owner -> rays through it, unoccluded


def box_corners(prims: Primitives) -> np.ndarray:
    """Corners of every primitive in the road frame, (P, 8, 3)."""
    c, s = np.cos(prims.yaw), np.sin(prims.yaw)
    local = UNIT_CORNERS[None] * prims.half[:, None]
    x = c[:, None] * local[..., 0] - s[:, None] * local[..., 1]
    y = s[:, None] * local[..., 0] + c[:, None] * local[..., 1]
    return prims.center[:, None] + np.stack([x, y, local[..., 2]], -1)


def ray_box(origin: np.ndarray, dirs: np.ndarray, center: np.ndarray,
            half: np.ndarray, yaw: float) -> Tuple[np.ndarray, np.ndarray]:
    """Slab test of rays ``origin + t * dirs`` against one box.

    Returns the entry distance (inf where the ray misses or starts inside)
    and the index of the entry face.
    """
    c, s = np.cos(yaw), np.sin(yaw)
    rel = origin - center
    o = np.array([c * rel[0] + s * rel[1], -s * rel[0] + c * rel[1], rel[2]])
    d = np.stack([c * dirs[:, 0] + s * dirs[:, 1],
                  -s * dirs[:, 0] + c * dirs[:, 1], dirs[:, 2]], 1)
    with np.errstate(divide='ignore', invalid='ignore'):
        inv = 1.0 / d
        t1 = (-half - o) * inv
        t2 = (half - o) * inv
    near = np.fmin(t1, t2)
    far = np.fmax(t1, t2)
    axis = np.argmax(near, axis=1)
    entry = np.take_along_axis(near, axis[:, None], 1)[:, 0]
    exit_ = far.min(axis=1)
    hit = (entry <= exit_) & (entry > 1e-6) & np.isfinite(entry)
    t = np.where(hit, entry, np.inf)
    d_axis = np.take_along_axis(d, axis[:, None], 1)[:, 0]
    face = (2 * axis + (d_axis < 0)).astype(np.int8)
    return t, face


def ray_ground(origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Distance to the ground plane z = 0 (inf for rays not going down)."""
    with np.errstate(divide='ignore'):
        t = -origin[2] / dirs[:, 2]
    return np.where(dirs[:, 2] < -1e-9, t, np.inf)


def cast(origin: np.ndarray, dirs: np.ndarray, prims: Primitives,
         candidates: Iterable[Tuple[int, np.ndarray]],
         max_range: float = np.inf, coverage: bool = False) -> RayHits:
    """Nearest hit of unit rays from ``origin`` (road frame).

    Args:
        origin: (3,) ray origin.
        dirs: (N, 3) unit directions.
        prims: the scene's boxes.
        candidates: (primitive index, indices of the rays that may hit it).
        max_range: hits farther than this count as misses.
        coverage: also record, per annotated owner, the rays that would
            hit it if nothing occluded it (for the visibility level).
    """
    t = ray_ground(origin, dirs)
    prim = np.where(np.isfinite(t), GROUND, MISS).astype(np.int64)
    face = np.zeros(len(dirs), np.int8)
    through: Dict[int, list] = {}
    for p, idx in candidates:
        tp, fp = ray_box(origin, dirs[idx], prims.center[p], prims.half[p],
                         prims.yaw[p])
        closer = tp < t[idx]
        sel = idx[closer]
        t[sel], prim[sel], face[sel] = tp[closer], p, fp[closer]
        owner = int(prims.owner[p])
        if coverage and owner >= 0:
            through.setdefault(owner, []).append(idx[np.isfinite(tp)])
    far = t > max_range
    t[far], prim[far] = np.inf, MISS
    cover = {o: np.unique(np.concatenate(v)) for o, v in through.items()}
    return RayHits(t, prim, face, cover)


def hit_normals(prims: Primitives, hits: RayHits) -> np.ndarray:
    """Outward surface normal at each hit (ground: +z; misses: zeros)."""
    normals = np.zeros((len(hits.t), 3))
    normals[hits.prim == GROUND, 2] = 1.0
    on_box = hits.prim >= 0
    p, f = hits.prim[on_box], hits.face[on_box].astype(np.int64)
    axis, sign = f // 2, np.where(f % 2 == 1, 1.0, -1.0)
    local = np.zeros((len(p), 3))
    local[np.arange(len(p)), axis] = sign
    c, s = np.cos(prims.yaw[p]), np.sin(prims.yaw[p])
    normals[on_box] = np.stack([c * local[:, 0] - s * local[:, 1],
                                s * local[:, 0] + c * local[:, 1],
                                local[:, 2]], 1)
    return normals
