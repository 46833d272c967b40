"""Generate a synthetic nuScenes v1.0 + Occ3D data set from the driving world.

Output layout under ``out_dir`` (the real nuScenes / Occ3D layout, plus the
segment maps):

- ``<version>/*.json``: the 13 nuScenes tables (see :mod:`.tables`);
- ``samples/CAM_*/<logfile>__<channel>__<us>.jpg``: six images per key frame;
- ``samples/LIDAR_TOP/...pcd.bin`` and ``sweeps/LIDAR_TOP/...pcd.bin``:
  float32 (x, y, z, intensity, ring) rows in the LiDAR frame; ``sweeps``
  past sweeps per key-frame interval (also before the first key frame);
- ``maps/<token>.png``: one semantic-prior mask per log;
- ``gts/<scene name>/<sample token>/labels.npz``: Occ3D ``semantics``,
  ``mask_lidar``, ``mask_camera`` (see :mod:`.occupancy`);
- ``segments/CAM_*/<image file stem>.png``: uint16 PNG, one segment id
  (1..M, 0 unused) per pixel, standing in for offline SAM masks. PNG because
  it is lossless, small, and read by ``mmcv.imread(..., 'unchanged')`` and
  PIL alike.

Scene names come from the devkit's split lists, interleaved so that any two
or more scenes cover both splits (every fifth scene, from the second, is a
validation scene). Scenes are independent given (seed, scene index), so the
output does not depend on the number of worker processes. The set is built
in ``<out_dir>.partial`` and moved into place when complete.
"""
import dataclasses
import datetime
import multiprocessing
import os
import os.path as osp
import shutil
import time
from queue import Empty
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from .occupancy import camera_mask, lidar_mask, semantics, voxel_centers
from .raycast import box_corners
from .sensors import (Camera, make_cameras, make_lidar, render_camera,
                      scan_lidar)
from .tables import (make_token, rotation_to_quaternion, static_tables,
                     write_npz, write_tables, yaw_quaternion)
from .taxonomy import OCC3D_CLASSES
from .world import ROAD_HALF_WIDTH, DrivingWorld, rot_z

KEY_FRAME_INTERVAL = 0.5  # s (2 Hz)
MAP_RESOLUTION = 0.1  # m per pixel, what the devkit's MapMask assumes
MAP_MARGIN = 50.0  # m around the scene in the map mask
LOCATIONS = ('boston-seaport', 'singapore-onenorth', 'singapore-queenstown',
             'singapore-hollandvillage')
VERSIONS = ('v1.0-mini', 'v1.0-trainval')


@dataclass
class SynthNuScenesConfig:
    """What to generate.

    Args:
        num_scenes: number of scenes (at most 10 for v1.0-mini).
        samples_per_scene: key frames per scene (2 Hz).
        image_size: camera image (width, height).
        seed: fixes everything (non-negative).
        sweeps: past LiDAR sweeps per key-frame interval.
        lidar_beams: LiDAR rings.
        lidar_azimuths: LiDAR rays per ring and revolution.
        version: nuScenes version folder, 'v1.0-mini' or 'v1.0-trainval'.
        jpeg_quality: JPEG quality of the camera images.
    """
    num_scenes: int = 10
    samples_per_scene: int = 10
    image_size: Tuple[int, int] = (352, 198)
    seed: int = 0
    sweeps: int = 2
    lidar_beams: int = 32
    lidar_azimuths: int = 1024
    version: str = 'v1.0-mini'
    jpeg_quality: int = 90


PRESETS: Dict[str, SynthNuScenesConfig] = {
    'demo': SynthNuScenesConfig(),
    'large': SynthNuScenesConfig(samples_per_scene=40, image_size=(704, 396),
                                 lidar_azimuths=1088),
    'tiny': SynthNuScenesConfig(num_scenes=2, samples_per_scene=3,
                                image_size=(160, 90), sweeps=1,
                                lidar_azimuths=512),
}


def scene_names(num_scenes: int, version: str) -> List[str]:
    """Official scene names: train scenes with every fifth (from the second)
    a validation scene, so that two or more scenes cover both splits."""
    from nuscenes.utils import splits
    if version == 'v1.0-mini':
        train, val = splits.mini_train, splits.mini_val
    elif version == 'v1.0-trainval':
        train, val = splits.train, splits.val
    else:
        raise ValueError(f'version must be one of {VERSIONS}, got {version!r}')
    if num_scenes > len(train) + len(val):
        raise ValueError(
            f'{version} has {len(train) + len(val)} scenes, {num_scenes} '
            'were requested; use --version v1.0-trainval for more scenes')
    names, ti, vi = [], 0, 0
    for i in range(num_scenes):
        if (i % 5 == 1 and vi < len(val)) or ti == len(train):
            names.append(val[vi])
            vi += 1
        else:
            names.append(train[ti])
            ti += 1
    return names


def _check(cfg: SynthNuScenesConfig) -> None:
    if cfg.num_scenes < 1 or cfg.samples_per_scene < 1:
        raise ValueError('num_scenes and samples_per_scene must be >= 1')
    if cfg.seed < 0:
        raise ValueError(f'seed must be non-negative, got {cfg.seed}')
    if min(cfg.image_size) < 16:
        raise ValueError(f'image size {cfg.image_size} is too small (< 16)')
    if cfg.sweeps < 0 or cfg.lidar_beams < 2 or cfg.lidar_azimuths < 64:
        raise ValueError('need sweeps >= 0, lidar_beams >= 2 and '
                         'lidar_azimuths >= 64')


class _SceneWriter:
    """Renders one scene into ``root`` and returns its table rows."""

    def __init__(self, cfg: SynthNuScenesConfig, index: int, name: str,
                 root: str):
        self.cfg, self.index, self.name, self.root = cfg, index, name, root
        self.rng = np.random.default_rng([cfg.seed, index])
        self.cams = make_cameras(tuple(cfg.image_size))
        self.lidar = make_lidar(cfg.lidar_beams, cfg.lidar_azimuths)
        self.rows: Dict[str, list] = {}
        self.stats = dict(annotations=[], annotations_with_points=[],
                          occupancy=np.zeros(len(OCC3D_CLASSES), np.int64),
                          occupancy_camera=np.zeros(len(OCC3D_CLASSES),
                                                    np.int64),
                          categories={}, lidar_points=[])

    def token(self, *parts) -> str:
        return make_token(self.cfg.seed, self.name, *parts)

    def add(self, table: str, **row) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    # ---- frames ---------------------------------------------------------
    def to_global(self, p: np.ndarray) -> List[float]:
        return [float(v) for v in self.g_rot @ p + self.g_trans]

    def timeline(self) -> List[Tuple[float, Optional[int]]]:
        """(time, key-frame index or None for a sweep), in time order."""
        steps = []
        for k in range(self.cfg.samples_per_scene):
            t = k * KEY_FRAME_INTERVAL
            for j in range(self.cfg.sweeps, 0, -1):
                steps.append((t - KEY_FRAME_INTERVAL * j /
                              (self.cfg.sweeps + 1), None))
            steps.append((t, k))
        return steps

    def run(self, on_key_frame: Callable[[], None]) -> Tuple[dict, dict]:
        cfg, rng = self.cfg, self.rng
        steps = self.timeline()
        world = self.world = DrivingWorld(rng, steps[0][0], steps[-1][0])
        self._place_globally(world)
        elev = rng.uniform(np.deg2rad(30), np.deg2rad(60))
        azim = rng.uniform(-np.pi, np.pi)
        self.sun = np.array([np.cos(elev) * np.cos(azim),
                             np.cos(elev) * np.sin(azim), np.sin(elev)])
        start = datetime.datetime(2018, 7, 1, 8, tzinfo=datetime.timezone.utc
                                  ) + datetime.timedelta(
            days=cfg.seed % 365, hours=self.index)
        self.t0_us = int(start.timestamp() * 1e6)
        local = start + datetime.timedelta(hours=8)
        self.logfile = f'n015-{local:%Y-%m-%d-%H-%M-%S}+0800'
        self._scene_records(local)
        self.centers = voxel_centers()
        self.prev_sd: Dict[str, Optional[dict]] = {}
        self.ann_chain: Dict[int, List[dict]] = {}
        for step, (t, key) in enumerate(steps):
            self._step(step, t, key)
            if key is not None:
                on_key_frame()
        self._instances()
        return self.rows, self.stats

    def _place_globally(self, world: DrivingWorld) -> None:
        """Road frame -> global: the world's yaw, all coordinates > 0."""
        self.g_rot = rot_z(world.global_yaw)
        ys = (-60.0, 60.0)
        corners = np.array([[x, y, 0] for x in (world.x_min, world.x_max)
                            for y in ys]) @ self.g_rot.T
        self.g_trans = MAP_MARGIN - corners.min(0)
        self.g_trans[2] = 0.0
        self.map_size = corners.max(0)[:2] - corners.min(0)[:2] + \
            2 * MAP_MARGIN

    def _scene_records(self, local: datetime.datetime) -> None:
        cfg, rng = self.cfg, self.rng
        log = self.add('log', token=self.token('log'), logfile=self.logfile,
                       vehicle='n015', date_captured=f'{local:%Y-%m-%d}',
                       location=LOCATIONS[rng.integers(len(LOCATIONS))])
        map_token = self.token('map')
        self.add('map', token=map_token, log_tokens=[log['token']],
                 category='semantic_prior', filename=f'maps/{map_token}.png')
        self._write_map(osp.join(self.root, 'maps', f'{map_token}.png'))
        n = cfg.samples_per_scene
        samples = [self.token('sample', k) for k in range(n)]
        self.add('scene', token=self.token('scene'), log_token=log['token'],
                 nbr_samples=n, first_sample_token=samples[0],
                 last_sample_token=samples[-1], name=self.name,
                 description=f'Synthetic street, ego at '
                 f'{self.world.ego_speed:.1f} m/s, seed {cfg.seed}')
        for k, tok in enumerate(samples):
            self.add('sample', token=tok, timestamp=self.ts(
                k * KEY_FRAME_INTERVAL), prev=samples[k - 1] if k else '',
                next=samples[k + 1] if k + 1 < n else '',
                scene_token=self.token('scene'))
        for sensor in self.cams + [self.lidar]:
            intrinsic = sensor.intrinsic.tolist() if isinstance(
                sensor, Camera) else []
            self.add('calibrated_sensor',
                     token=self.token('cs', sensor.channel),
                     sensor_token=make_token(cfg.seed, 'sensor',
                                             sensor.channel),
                     translation=[float(v) for v in sensor.translation],
                     rotation=rotation_to_quaternion(sensor.rotation),
                     camera_intrinsic=intrinsic)

    def ts(self, t: float) -> int:
        return self.t0_us + int(round(t * 1e6))

    def _write_map(self, path: str) -> None:
        """Driveable surface of the scene as a 0.1 m semantic-prior mask."""
        from PIL import Image
        w, h = np.ceil(self.map_size / MAP_RESOLUTION).astype(int)
        xs = (np.arange(w) + 0.5) * MAP_RESOLUTION - self.g_trans[0]
        ys = (h - np.arange(h) - 0.5) * MAP_RESOLUTION - self.g_trans[1]
        r = self.g_rot[:2, :2]
        # road-frame lateral coordinate and position along the road
        along = xs[None] * r[0, 0] + ys[:, None] * r[1, 0]
        lateral = xs[None] * r[0, 1] + ys[:, None] * r[1, 1]
        road = (np.abs(lateral) < ROAD_HALF_WIDTH) & \
            (along >= self.world.x_min) & (along <= self.world.x_max)
        os.makedirs(osp.dirname(path), exist_ok=True)
        Image.fromarray(road.astype(np.uint8) * 255).save(path)

    # ---- one sensor instant ---------------------------------------------
    def _sample_data(self, step: int, channel: str, t: float,
                     key: Optional[int], filename: str, fmt: str,
                     width: int = 0, height: int = 0) -> dict:
        world = self.world
        ego_rot, ego_trans = world.ego_pose(t)
        tok = self.token('sample_data', channel, step)
        self.add('ego_pose', token=tok, timestamp=self.ts(t),
                 rotation=rotation_to_quaternion(self.g_rot @ ego_rot),
                 translation=self.to_global(ego_trans))
        k_next = key if key is not None else int(
            np.ceil(t / KEY_FRAME_INTERVAL - 1e-9))
        row = self.add('sample_data', token=tok,
                       sample_token=self.token('sample', k_next),
                       ego_pose_token=tok,
                       calibrated_sensor_token=self.token('cs', channel),
                       timestamp=self.ts(t), fileformat=fmt,
                       is_key_frame=key is not None, height=height,
                       width=width, filename=filename, prev='', next='')
        prev = self.prev_sd.get(channel)
        if prev is not None:
            prev['next'], row['prev'] = tok, prev['token']
        self.prev_sd[channel] = row
        return row

    def _step(self, step: int, t: float, key: Optional[int]) -> None:
        from PIL import Image
        world, rng, cfg = self.world, self.rng, self.cfg
        prims = world.primitives(t)
        corners = box_corners(prims)
        ego_rot, ego_trans = world.ego_pose(t)
        sweep = scan_lidar(self.lidar, world, prims, corners, ego_rot,
                           ego_trans, rng)
        folder = 'samples' if key is not None else 'sweeps'
        stem = f'{self.logfile}__LIDAR_TOP__{self.ts(t)}'
        name = f'{folder}/LIDAR_TOP/{stem}.pcd.bin'
        self._save(name, lambda p: sweep.points.tofile(p))
        self._sample_data(step, 'LIDAR_TOP', t, key, name, 'pcd')
        if key is None:
            return
        self.stats['lidar_points'].append(len(sweep.points))

        views = []
        for cam in self.cams:
            view = render_camera(cam, world, prims, corners, ego_rot,
                                 ego_trans, self.sun, rng)
            views.append(view)
            stem = f'{self.logfile}__{cam.channel}__{self.ts(t)}'
            name = f'samples/{cam.channel}/{stem}.jpg'
            self._save(name, lambda p: Image.fromarray(view.image).save(
                p, quality=cfg.jpeg_quality))
            self._save(f'segments/{cam.channel}/{stem}.png',
                       lambda p: Image.fromarray(view.segments).save(p))
            self._sample_data(step, cam.channel, t, key, name, 'jpg',
                              cam.width, cam.height)

        sample = self.token('sample', key)
        sem = semantics(world, prims, ego_rot, ego_trans, self.centers)
        m_cam = camera_mask(self.cams, views, ego_rot, ego_trans,
                            self.centers)
        m_lidar = lidar_mask(self.lidar, sweep, ego_rot, ego_trans)
        self._save(f'gts/{self.name}/{sample}/labels.npz',
                   lambda p: write_npz(p, semantics=sem, mask_lidar=m_lidar,
                                       mask_camera=m_cam))
        n_cls = len(OCC3D_CLASSES)
        self.stats['occupancy'] += np.bincount(sem.ravel(), minlength=n_cls)
        self.stats['occupancy_camera'] += np.bincount(
            sem[m_cam.astype(bool)], minlength=n_cls)
        self._annotate(key, t, sample, sweep, views)

    def _save(self, rel: str, write: Callable[[str], None]) -> None:
        path = osp.join(self.root, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        write(path)

    # ---- annotations ----------------------------------------------------
    def _annotate(self, key: int, t: float, sample: str, sweep,
                  views) -> None:
        cfg = self.cfg
        visible = sum(v.visible for v in views)
        annotated = self.world.annotated(t)
        with_points = 0
        for i in annotated:
            thing = self.world.things[i]
            cover = sum(v.coverage.get(i, 0) for v in views)
            ratio = visible[i] / cover if cover else 0.0
            level = 1 + int(np.searchsorted([0.4, 0.6, 0.8], ratio,
                                            side='right'))
            l, w, h = thing.size
            attrs = [make_token(cfg.seed, 'attribute', thing.attribute)
                     ] if thing.attribute else []
            n_pts = _points_in_box(sweep.points_road, thing.center(t),
                                   thing.size, thing.yaw)
            with_points += n_pts > 0
            row = self.add(
                'sample_annotation', token=self.token('ann', i, key),
                sample_token=sample, instance_token=self.token('instance', i),
                visibility_token=str(level), attribute_tokens=attrs,
                translation=self.to_global(thing.center(t)),
                size=[float(w), float(l), float(h)],
                rotation=yaw_quaternion(thing.yaw + self.world.global_yaw),
                prev='', next='', num_lidar_pts=n_pts, num_radar_pts=0)
            chain = self.ann_chain.setdefault(i, [])
            if chain:
                chain[-1]['next'], row['prev'] = row['token'], chain[-1][
                    'token']
            chain.append(row)
            cats = self.stats['categories']
            cats[thing.category] = cats.get(thing.category, 0) + 1
        self.stats['annotations'].append(len(annotated))
        self.stats['annotations_with_points'].append(with_points)

    def _instances(self) -> None:
        for i, chain in sorted(self.ann_chain.items()):
            self.add('instance', token=self.token('instance', i),
                     category_token=make_token(self.cfg.seed, 'category',
                                               self.world.things[i].category),
                     nbr_annotations=len(chain),
                     first_annotation_token=chain[0]['token'],
                     last_annotation_token=chain[-1]['token'])


def _points_in_box(points: np.ndarray, center: np.ndarray,
                   size: np.ndarray, yaw: float) -> int:
    """Number of points inside a box, boundary included (``num_lidar_pts``
    as nuScenes defines it)."""
    rel = points - center
    near = np.abs(rel).max(1) <= np.linalg.norm(size) / 2
    rel = rel[near]
    c, s = np.cos(yaw), np.sin(yaw)
    along = rel[:, 0] * c + rel[:, 1] * s
    across = -rel[:, 0] * s + rel[:, 1] * c
    inside = ((np.abs(along) <= size[0] / 2) &
              (np.abs(across) <= size[1] / 2) &
              (np.abs(rel[:, 2]) <= size[2] / 2))
    return int(inside.sum())


def _render_scene(job: tuple) -> Tuple[dict, dict]:
    cfg, index, name, root, queue = job
    writer = _SceneWriter(cfg, index, name, root)
    return writer.run(lambda: queue.put(1) if queue is not None else None)


def _merge_stats(parts: List[dict], cfg: SynthNuScenesConfig) -> dict:
    occ = sum(p['occupancy'] for p in parts)
    occ_cam = sum(p['occupancy_camera'] for p in parts)
    cats: Dict[str, int] = {}
    for p in parts:
        for k, v in p['categories'].items():
            cats[k] = cats.get(k, 0) + v
    anns = [a for p in parts for a in p['annotations']]
    with_pts = [a for p in parts for a in p['annotations_with_points']]
    points = [a for p in parts for a in p['lidar_points']]
    occupied = occ[:-1].sum()
    return dict(
        scenes=cfg.num_scenes, samples=len(anns),
        annotations_per_sample=float(np.mean(anns)),
        annotations_with_lidar_points_per_sample=float(np.mean(with_pts)),
        lidar_points_per_sweep=float(np.mean(points)),
        annotations_per_category=dict(sorted(cats.items())),
        occupied_voxel_fraction=float(occupied / occ.sum()),
        occupancy_class_frequency={
            c: float(n / occupied) for c, n in zip(OCC3D_CLASSES[:-1],
                                                   occ[:-1])},
        camera_visible_voxel_fraction=float(occ_cam.sum() / occ.sum()),
        camera_visible_class_frequency={
            c: float(n / occ_cam[:-1].sum())
            for c, n in zip(OCC3D_CLASSES[:-1], occ_cam[:-1])})


def generate_synth_nuscenes(out_dir: str,
                            num_scenes: int = 10,
                            samples_per_scene: int = 10,
                            image_size: Tuple[int, int] = (352, 198),
                            seed: int = 0,
                            sweeps: int = 2,
                            lidar_beams: int = 32,
                            lidar_azimuths: int = 1024,
                            version: str = 'v1.0-mini',
                            jpeg_quality: int = 90,
                            workers: int = 1,
                            overwrite: bool = False,
                            progress: bool = True) -> dict:
    """Write a synthetic nuScenes + Occ3D set to ``out_dir``.

    See :class:`SynthNuScenesConfig` for the data arguments. ``workers``
    processes render scenes in parallel (same output for any number).
    Returns statistics of the generated set (also timing and size).

    Raises:
        FileExistsError: ``out_dir`` exists, is not empty and ``overwrite``
            is False.
    """
    cfg = SynthNuScenesConfig(num_scenes, samples_per_scene,
                              tuple(image_size), seed, sweeps, lidar_beams,
                              lidar_azimuths, version, jpeg_quality)
    _check(cfg)
    names = scene_names(num_scenes, version)
    out_dir = osp.abspath(out_dir)
    if osp.isdir(out_dir) and os.listdir(out_dir) and not overwrite:
        raise FileExistsError(
            f'{out_dir} exists and is not empty; choose another folder or '
            'pass --overwrite (overwrite=True) to replace it')
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise FileExistsError(f'{out_dir} exists and is not a folder')
    tmp = out_dir + '.partial'
    if osp.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    start = time.time()
    try:
        results = _run_scenes(cfg, names, tmp, workers, progress)
        tables = static_tables(seed, [(c.channel, 'camera') for c in
                                      make_cameras(cfg.image_size)] +
                               [('LIDAR_TOP', 'lidar')])
        for rows, _ in results:
            for name, table_rows in rows.items():
                tables.setdefault(name, []).extend(table_rows)
        write_tables(tmp, version, tables)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if osp.exists(out_dir):
        shutil.rmtree(out_dir)
    os.rename(tmp, out_dir)
    stats = _merge_stats([s for _, s in results], cfg)
    stats['seconds'] = time.time() - start
    stats['bytes'] = sum(
        osp.getsize(osp.join(d, f)) for d, _, fs in os.walk(out_dir)
        for f in fs)
    stats['config'] = dataclasses.asdict(cfg)
    return stats


def _run_scenes(cfg: SynthNuScenesConfig, names: List[str], root: str,
                workers: int, progress: bool) -> List[Tuple[dict, dict]]:
    from tqdm import tqdm
    total = cfg.num_scenes * cfg.samples_per_scene
    bar = tqdm(total=total, unit='frame', desc='synth-nuscenes',
               disable=not progress)
    if workers <= 1:
        results = [
            _SceneWriter(cfg, i, name, root).run(lambda: bar.update(1))
            for i, name in enumerate(names)
        ]
    else:
        manager = multiprocessing.Manager()
        queue = manager.Queue()
        jobs = [(cfg, i, name, root, queue) for i, name in enumerate(names)]
        with multiprocessing.Pool(min(workers, len(jobs))) as pool:
            pending = pool.map_async(_render_scene, jobs)
            done = 0
            while done < total:
                try:
                    queue.get(timeout=0.5)
                except Empty:
                    if pending.ready():
                        pending.get()  # re-raises a worker's error
                    continue
                bar.update(1)
                done += 1
            results = pending.get()
        manager.shutdown()
    bar.close()
    return results
