"""The sensor rig: six pinhole cameras and a spinning LiDAR on the ego car.

Geometry follows the nuScenes rig (mounting positions, yaw of each camera,
focal lengths of the 1600 x 900 images, LIDAR_TOP with x to the right and y
forward), rounded and with zero pitch/roll; intrinsics are scaled to the
chosen image size. Pixel (row i, column j) looks through image point
(u, v) = (j, i), i.e. integer coordinates are pixel centres.

Cameras render RGB (flat colours, Lambert shading, weak ground texture,
lane markings, sky gradient), the range of every pixel and an integer
segment map that stands in for SAM masks: one segment per visible box face
of every object or background box, per 8 m tile of each ground class, and
one for the sky (SAM-like over-segmentation). The LiDAR returns (x, y, z,
intensity, ring) in its own frame; ``ring`` counts beams from the lowest.
All sensors of one key frame share its timestamp (the spec leaves camera
offsets open; equal times keep camera pixels, points and boxes exact).
"""
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator, List, Tuple

import numpy as np

from .raycast import GROUND, MISS, cast, hit_normals
from .taxonomy import OCC
from .world import DrivingWorld, Primitives, rot_z

NUSC_IMAGE_SIZE = (1600, 900)
# channel, translation in the ego frame (m), yaw (deg), focal, cx, cy
NUSC_CAMERAS = (
    ('CAM_FRONT', (1.70, 0.02, 1.51), 0.0, 1266.4, 816.3, 491.5),
    ('CAM_FRONT_RIGHT', (1.55, -0.49, 1.50), -55.0, 1260.8, 807.0, 495.3),
    ('CAM_FRONT_LEFT', (1.52, 0.49, 1.51), 55.0, 1272.6, 826.6, 479.8),
    ('CAM_BACK', (0.03, 0.00, 1.58), 180.0, 809.2, 829.2, 481.8),
    ('CAM_BACK_LEFT', (1.04, 0.48, 1.59), 110.0, 1256.7, 817.8, 451.9),
    ('CAM_BACK_RIGHT', (1.01, -0.48, 1.56), -110.0, 1259.5, 807.3, 501.2),
)
LIDAR_TRANSLATION = (0.985, 0.0, 1.84)
LIDAR_ELEVATION = (-30.67, 10.67)  # degrees, HDL-32E-like vertical field
LIDAR_MAX_RANGE = 70.0
LIDAR_RANGE_NOISE = 0.01  # m, clipped to 2 sigma (inside the part inset)

GROUND_COLORS = {OCC['driveable_surface']: (82, 82, 88),
                 OCC['sidewalk']: (150, 146, 140),
                 OCC['terrain']: (96, 118, 72),
                 OCC['other_flat']: (122, 112, 100)}
GROUND_REFLECTIVITY = {OCC['driveable_surface']: 20.0, OCC['sidewalk']: 35.0,
                       OCC['terrain']: 25.0, OCC['other_flat']: 30.0}
SEGMENT_TILE = 8.0  # m, ground segments are tiles of one class


@dataclass
class Sensor:
    """A sensor mounted on the ego car (pose in the ego frame)."""
    channel: str
    translation: np.ndarray  # (3,)
    rotation: np.ndarray  # (3, 3) sensor -> ego

    def pose_in(self, ego_rot: np.ndarray, ego_trans: np.ndarray
                ) -> Tuple[np.ndarray, np.ndarray]:
        """Rotation (sensor -> road) and origin in the road frame."""
        return ego_rot @ self.rotation, ego_rot @ self.translation + ego_trans


@dataclass
class Camera(Sensor):
    intrinsic: np.ndarray  # (3, 3)
    width: int
    height: int

    @cached_property
    def ray_dirs(self) -> np.ndarray:
        """Unit ray directions of all pixels in the camera frame (H*W, 3)."""
        v, u = np.mgrid[0:self.height, 0:self.width].astype(np.float64)
        k = self.intrinsic
        d = np.stack([(u - k[0, 2]) / k[0, 0], (v - k[1, 2]) / k[1, 1],
                      np.ones_like(u)], -1).reshape(-1, 3)
        return d / np.linalg.norm(d, axis=1, keepdims=True)

    def candidates(self, corners_cam: np.ndarray
                   ) -> Iterator[Tuple[int, np.ndarray]]:
        """Pixels inside the projected bounding box of each primitive."""
        z = corners_cam[..., 2]
        front = z > 1e-3
        all_front, any_front = front.all(1), front.any(1)
        k = self.intrinsic
        with np.errstate(divide='ignore', invalid='ignore'):
            u = k[0, 0] * corners_cam[..., 0] / z + k[0, 2]
            v = k[1, 1] * corners_cam[..., 1] / z + k[1, 2]
        j0 = np.floor(u.min(1)).clip(0, self.width)
        j1 = np.ceil(u.max(1)).clip(-1, self.width - 1)
        i0 = np.floor(v.min(1)).clip(0, self.height)
        i1 = np.ceil(v.max(1)).clip(-1, self.height - 1)
        full = any_front & ~all_front  # straddles the image plane
        j0[full], i0[full] = 0, 0
        j1[full], i1[full] = self.width - 1, self.height - 1
        keep = any_front & (j1 >= j0) & (i1 >= i0)
        for p in np.flatnonzero(keep):
            rows = np.arange(int(i0[p]), int(i1[p]) + 1)
            cols = np.arange(int(j0[p]), int(j1[p]) + 1)
            yield p, (rows[:, None] * self.width + cols[None]).ravel()


@dataclass
class Lidar(Sensor):
    elevations: np.ndarray  # (R,) radians, ascending
    num_azimuths: int
    max_range: float = LIDAR_MAX_RANGE

    @cached_property
    def ray_dirs(self) -> np.ndarray:
        """Unit directions (R*A, 3) in the LiDAR frame, beam-major."""
        az = 2 * np.pi * np.arange(self.num_azimuths) / self.num_azimuths
        el = self.elevations[:, None]
        return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az),
                         np.broadcast_to(np.sin(el), (len(el), len(az)))],
                        -1).reshape(-1, 3)

    def candidates(self, corners_sensor: np.ndarray
                   ) -> Iterator[Tuple[int, np.ndarray]]:
        """All beams over the azimuth sector covered by each primitive."""
        num_az, step = self.num_azimuths, 2 * np.pi / self.num_azimuths
        xy = corners_sensor[:, :4, :2]
        center = xy.mean(1)
        dist = np.linalg.norm(center, axis=1)
        radius = np.linalg.norm(xy - center[:, None], axis=2).max(1)
        az_c = np.arctan2(center[:, 1], center[:, 0])
        rel = np.arctan2(xy[..., 1], xy[..., 0]) - az_c[:, None]
        rel = (rel + np.pi) % (2 * np.pi) - np.pi
        lo = np.floor((az_c + rel.min(1)) / step)
        hi = np.ceil((az_c + rel.max(1)) / step)
        inside = dist <= radius + 0.05
        all_rows = np.arange(len(self.elevations))[:, None] * num_az
        all_cols = np.arange(num_az)
        for p in np.flatnonzero(dist - radius < self.max_range):
            cols = all_cols if inside[p] else \
                np.arange(int(lo[p]), int(hi[p]) + 1) % num_az
            yield p, (all_rows + cols[None]).ravel()


def make_cameras(image_size: Tuple[int, int]) -> List[Camera]:
    """The six cameras with intrinsics scaled to ``(width, height)``."""
    width, height = image_size
    sx, sy = width / NUSC_IMAGE_SIZE[0], height / NUSC_IMAGE_SIZE[1]
    cams = []
    for name, trans, yaw, f, cx, cy in NUSC_CAMERAS:
        # camera axes: x right, y down, z forward (optical axis)
        fwd = rot_z(np.deg2rad(yaw))[:, 0]
        right = np.array([fwd[1], -fwd[0], 0.0])
        rot = np.stack([right, [0.0, 0.0, -1.0], fwd], 1)
        k = np.array([[f * sx, 0, cx * sx], [0, f * sy, cy * sy], [0, 0, 1]])
        cams.append(Camera(name, np.array(trans), rot, k, width, height))
    return cams


def make_lidar(beams: int, azimuths: int) -> Lidar:
    """LIDAR_TOP: x right, y forward (yaw -90 deg), ``beams`` rings."""
    el = np.deg2rad(np.linspace(*LIDAR_ELEVATION, beams))
    return Lidar('LIDAR_TOP', np.array(LIDAR_TRANSLATION),
                 rot_z(-np.pi / 2), el, azimuths)


def _cell_noise(x: np.ndarray, y: np.ndarray, cell: float,
                salt: int) -> np.ndarray:
    """Deterministic value in [0, 1) per ``cell``-sized ground square."""
    ix = np.floor(x / cell).astype(np.int64)
    iy = np.floor(y / cell).astype(np.int64)
    h = (ix * 73856093) ^ (iy * 19349663) ^ (salt * 83492791)
    h = (h ^ (h >> 13)) * 1274126177
    return ((h ^ (h >> 16)) & 0xFFFF) / 65536.0


@dataclass
class CameraView:
    """What one camera saw at one key frame."""
    image: np.ndarray  # (H, W, 3) uint8
    depth: np.ndarray  # (H, W) range along the pixel ray, inf for sky
    segments: np.ndarray  # (H, W) uint16, ids 1..M
    coverage: dict  # owner -> number of pixels through it, unoccluded
    visible: np.ndarray  # (num_things,) visible pixels per thing


def render_camera(cam: Camera, world: DrivingWorld, prims: Primitives,
                  corners: np.ndarray, ego_rot: np.ndarray,
                  ego_trans: np.ndarray, sun: np.ndarray,
                  rng: np.random.Generator) -> CameraView:
    """Ray-cast one camera image, its range map and its segment map."""
    rot, origin = cam.pose_in(ego_rot, ego_trans)
    dirs = cam.ray_dirs @ rot.T
    corners_cam = (corners - origin) @ rot
    hits = cast(origin, dirs, prims, cam.candidates(corners_cam),
                coverage=True)
    pts = origin + dirs * np.where(np.isfinite(hits.t), hits.t, 0)[:, None]
    normals = hit_normals(prims, hits)
    shade = 0.5 + 0.5 * np.clip(normals @ sun, 0, None)
    rgb = np.zeros((len(dirs), 3))
    on_box = hits.prim >= 0
    rgb[on_box] = prims.color[hits.prim[on_box]] * shade[on_box, None]

    ground = hits.prim == GROUND
    gx, gy = pts[ground, 0], pts[ground, 1]
    gcls = world.ground_class(gx, gy)
    lut = np.zeros((256, 3))
    lut[list(GROUND_COLORS)] = list(GROUND_COLORS.values())
    gcol = lut[gcls] * (0.92 + 0.16 * _cell_noise(gx, gy, 0.5, 1))[:, None]
    road = gcls == OCC['driveable_surface']
    marking = road & (((np.abs(gy) < 0.08) & (np.mod(gx, 6.0) < 3.0)) |
                      (np.abs(np.abs(gy) - 3.5) < 0.07))
    gcol[marking] = 215.0
    rgb[ground] = gcol * shade[ground, None]

    sky = hits.prim == MISS
    up = np.clip(dirs[sky, 2], 0, 1)[:, None]
    rgb[sky] = (1 - up) * np.array([205, 215, 230]) + up * np.array(
        [110, 150, 210])
    rgb += rng.normal(0, 2.0, rgb.shape)
    image = rgb.clip(0, 255).round().astype(np.uint8).reshape(
        cam.height, cam.width, 3)

    # segment keys: box faces, ground tiles per class and side, sky
    keys = np.zeros(len(dirs), np.int64)
    keys[on_box] = 1 + hits.prim[on_box] * 6 + hits.face[on_box]
    tile = np.floor((gx - world.x_min) / SEGMENT_TILE).astype(np.int64)
    keys[ground] = 1 + 6 * len(prims) + (
        gcls.astype(np.int64) * 2 + (gy > 0)) * 100000 + tile.clip(0, 99999)
    _, inverse = np.unique(keys, return_inverse=True)
    segments = (inverse.reshape(cam.height, cam.width) + 1).astype(np.uint16)

    owners = np.where(on_box, prims.owner[hits.prim.clip(0)], -1)
    visible = np.bincount(owners[owners >= 0], minlength=len(world.things))
    coverage = {o: len(idx) for o, idx in hits.coverage.items()}
    return CameraView(image, hits.t.reshape(cam.height, cam.width), segments,
                      coverage, visible)


@dataclass
class LidarSweep:
    """One LiDAR revolution at one instant."""
    points: np.ndarray  # (N, 5) float32 x, y, z, intensity, ring
    ranges: np.ndarray  # (R, A) range of each ray's point, inf for none
    points_road: np.ndarray  # (N, 3) the same points in the road frame


def scan_lidar(lidar: Lidar, world: DrivingWorld, prims: Primitives,
               corners: np.ndarray, ego_rot: np.ndarray,
               ego_trans: np.ndarray, rng: np.random.Generator
               ) -> LidarSweep:
    """Ray-cast one LiDAR sweep; points are in the LiDAR frame."""
    rot, origin = lidar.pose_in(ego_rot, ego_trans)
    dirs_sensor = lidar.ray_dirs
    dirs = dirs_sensor @ rot.T
    candidates = lidar.candidates((corners - origin) @ rot)
    hits = cast(origin, dirs, prims, candidates, max_range=lidar.max_range)
    valid = np.isfinite(hits.t)
    noise = np.clip(rng.normal(0, LIDAR_RANGE_NOISE, valid.sum()),
                    -2 * LIDAR_RANGE_NOISE, 2 * LIDAR_RANGE_NOISE)
    rng_t = hits.t[valid] + noise
    xyz = dirs_sensor[valid] * rng_t[:, None]

    prim = hits.prim[valid]
    on_box = prim >= 0
    refl = np.empty(len(prim))
    refl[on_box] = prims.reflectivity[prim[on_box]]
    surface = origin + dirs[valid] * hits.t[valid, None]
    gcls = world.ground_class(surface[~on_box, 0], surface[~on_box, 1])
    lut = np.zeros(256)
    lut[list(GROUND_REFLECTIVITY)] = list(GROUND_REFLECTIVITY.values())
    refl[~on_box] = lut[gcls]
    cos_inc = np.abs(np.sum(hit_normals(prims, hits)[valid] * dirs[valid], 1))
    intensity = refl * (0.4 + 0.6 * cos_inc) * rng.uniform(0.9, 1.1, len(prim))
    ring = np.repeat(np.arange(len(lidar.elevations)),
                     lidar.num_azimuths)[valid]
    points = np.concatenate([xyz, intensity.clip(0, 255)[:, None],
                             ring[:, None]], 1).astype(np.float32)
    ranges = np.full(len(dirs), np.inf)
    ranges[valid] = rng_t
    return LidarSweep(points, ranges.reshape(len(lidar.elevations), -1),
                      origin + xyz @ rot.T)
