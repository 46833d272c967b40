"""nuScenes (+ Occ3D, segment maps) -> mmdet3d info files (``nuscenes``).

    python tools/create_data.py nuscenes --root data/nuscenes \\
        --version v1.0-trainval
    python tools/create_data.py nuscenes --root data/synth-nuscenes \\
        --version v1.0-mini
    # -> ROOT/nuscenes_infos_{train,val}.pkl

Writes the mmdet3d 1.x info format, i.e. what mmdet3d's
``tools/dataset_converters/nuscenes_converter.py`` followed by
``update_infos_to_v2.py`` produce (``metainfo`` + ``data_list``; file names
for ``lidar_path``/``img_path`` resolved by the dataset's ``data_prefix``;
timestamps in seconds; matrices as 4x4 float32 lists, ``cam2img`` 3x3;
``bbox_3d`` = [x, y, z, l, w, h, yaw] in the LiDAR frame with the gravity
centre; velocities in the LiDAR frame; labels -1 for categories outside the
10 detection classes; empty ``lidar_sweeps`` omitted), written in one pass
instead of two. Official splits: ``train``/``val`` for v1.0-trainval,
``mini_train``/``mini_val`` for v1.0-mini (the files keep the names
``*_infos_train.pkl`` / ``*_infos_val.pkl``).

Added to every sample, always present whether the data are real or
synthetic:

* ``scene_name`` and ``scene_token``;
* ``occ_path``: ``<occ root>/<scene name>/<sample token>/labels.npz`` (the
  Occ3D-nuScenes ``gts`` layout), relative to ``--root``; ``None`` if absent;
* ``segment_paths``: ``{CAM_X: <segments root>/CAM_X/<image stem>.png}``
  relative to ``--root`` (the layout ``tools/misc/generate_sam_segments.py``
  and the synthetic generator write); ``None`` per missing file.

Missing optional parts (the whole gts or segments folder, single label or
segment files) are reported once each with a count and an example path.
Scenes whose key-frame LiDAR or camera files are missing (a partial
download) and scenes outside the official splits are skipped and reported
the same way. Both info files are written only after every sample has been
converted. Tables are read with the nuscenes-devkit. ``cam_instances``
(mmdet3d's ``get_nuscenes_2d_boxes``, for monocular 3D detectors) are
written only with ``--cam-instances``: they take ~90 % of the conversion
time and the BEV / occupancy models do not read them.
"""
import argparse
import os
import os.path as osp
import time
from collections import defaultdict
from typing import Dict, List, Optional

CAMERA_TYPES = ('CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT', 'CAM_BACK',
                'CAM_BACK_LEFT', 'CAM_BACK_RIGHT')
DETECTION_CLASSES = ('car', 'truck', 'trailer', 'bus', 'construction_vehicle',
                     'bicycle', 'motorcycle', 'pedestrian', 'traffic_cone',
                     'barrier')
SPLITS = {
    'v1.0-trainval': ('train', 'val'),
    'v1.0-mini': ('mini_train', 'mini_val'),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--root',
                        required=True,
                        help='nuScenes data root (holds samples/, sweeps/ '
                        'and the version folder)')
    parser.add_argument('--version',
                        choices=tuple(SPLITS),
                        default='v1.0-trainval',
                        help='nuScenes version')
    parser.add_argument('--occ-root',
                        help='Occ3D-nuScenes gts folder (default: ROOT/gts)')
    parser.add_argument('--segments-root',
                        help='segment maps folder (default: ROOT/segments)')
    parser.add_argument('--out-dir',
                        help='where the info files go (default: ROOT)')
    parser.add_argument('--info-prefix',
                        default='nuscenes',
                        help='info file names: PREFIX_infos_{train,val}.pkl')
    parser.add_argument('--max-sweeps',
                        type=int,
                        default=10,
                        help='past LiDAR sweeps listed per sample')
    parser.add_argument('--cam-instances',
                        action='store_true',
                        help='also write the per-camera 2D/mono-3D '
                        '`cam_instances` (mmdet3d\'s get_nuscenes_2d_boxes; '
                        'about 10x slower, not needed by BEV/occupancy '
                        'models)')


class MissingReport:
    """Collects missing parts per kind; reports each kind once."""

    def __init__(self) -> None:
        self.items: Dict[str, List[str]] = defaultdict(list)
        self.hints: Dict[str, str] = {}

    def add(self, kind: str, path: str, hint: str) -> None:
        self.items[kind].append(path)
        self.hints[kind] = hint

    def lines(self) -> List[str]:
        return [
            f'WARNING: {kind}: {len(paths)} missing, e.g. {paths[0]}. '
            f'{self.hints[kind]}' for kind, paths in self.items.items()
        ]

    def counts(self) -> Dict[str, int]:
        return {kind: len(paths) for kind, paths in self.items.items()}


def _matrix(rotation, translation):
    """4x4 float64 transform from a (w, x, y, z) quaternion + translation."""
    import numpy as np
    from pyquaternion import Quaternion
    mat = np.eye(4)
    mat[:3, :3] = Quaternion(rotation).rotation_matrix
    mat[:3, 3] = translation
    return mat


def _as_list(mat) -> list:
    import numpy as np
    return np.asarray(mat, dtype=np.float32).tolist()


def _rel(path: str, root: str) -> str:
    return osp.relpath(path, root)


class NuScenesOccConverter:
    """Builds the info dicts of one nuScenes version.

    Args:
        root: nuScenes data root.
        version: 'v1.0-trainval' or 'v1.0-mini'.
        occ_root: Occ3D ``gts`` folder.
        segments_root: segment maps folder.
        max_sweeps: past LiDAR sweeps per sample.
        with_cam_instances: add mmdet3d's per-camera ``cam_instances``.
    """

    def __init__(self,
                 root: str,
                 version: str,
                 occ_root: str,
                 segments_root: str,
                 max_sweeps: int = 10,
                 with_cam_instances: bool = False) -> None:
        from nuscenes.nuscenes import NuScenes
        self.root, self.version = root, version
        self.occ_root, self.segments_root = occ_root, segments_root
        self.max_sweeps = max_sweeps
        self.with_cam_instances = with_cam_instances
        self.report = MissingReport()
        self.nusc = NuScenes(version=version, dataroot=root, verbose=False)
        self.ignored_names = set()

    # ---- scenes ---------------------------------------------------------
    def split_scenes(self) -> Dict[str, set]:
        """Tokens of the complete scenes per split ('train', 'val')."""
        from nuscenes.utils.splits import create_splits_scenes
        official = create_splits_scenes()
        train_name, val_name = SPLITS[self.version]
        split_of = {name: 'train' for name in official[train_name]}
        split_of.update({name: 'val' for name in official[val_name]})
        scenes = {'train': set(), 'val': set()}
        for scene in self.nusc.scene:
            if scene['name'] not in split_of:
                self.report.add(
                    f'scenes outside the {train_name}/{val_name} splits',
                    scene['name'], 'They are skipped; check --version.')
                continue
            missing = self._missing_sensor_file(scene)
            if missing is not None:
                self.report.add(
                    'scenes with missing sensor files (skipped)', missing,
                    'Download the missing blobs into --root to include '
                    'them.')
                continue
            scenes[split_of[scene['name']]].add(scene['token'])
        return scenes

    def _missing_sensor_file(self, scene: dict) -> Optional[str]:
        token = scene['first_sample_token']
        while token:
            sample = self.nusc.get('sample', token)
            for channel in ('LIDAR_TOP', ) + CAMERA_TYPES:
                sd = self.nusc.get('sample_data', sample['data'][channel])
                path = osp.join(self.root, sd['filename'])
                if not osp.isfile(path):
                    return path
            token = sample['next']
        return None

    # ---- one sample -----------------------------------------------------
    def sample_info(self, sample: dict) -> dict:
        import numpy as np
        nusc = self.nusc
        scene = nusc.get('scene', sample['scene_token'])
        lidar_sd = nusc.get('sample_data', sample['data']['LIDAR_TOP'])
        lidar_cs = nusc.get('calibrated_sensor',
                            lidar_sd['calibrated_sensor_token'])
        pose = nusc.get('ego_pose', lidar_sd['ego_pose_token'])
        lidar2ego = _matrix(lidar_cs['rotation'], lidar_cs['translation'])
        ego2global = _matrix(pose['rotation'], pose['translation'])
        lidar2global = ego2global @ lidar2ego
        info = dict(
            token=sample['token'],
            timestamp=sample['timestamp'] / 1e6,
            ego2global=_as_list(ego2global),
            lidar_points=dict(num_pts_feats=5,
                              lidar_path=osp.basename(lidar_sd['filename']),
                              lidar2ego=_as_list(lidar2ego)),
            images={},
            scene_name=scene['name'],
            scene_token=scene['token'],
        )
        sweeps = self._sweeps(lidar_sd, lidar2global)
        if sweeps:
            info['lidar_sweeps'] = sweeps
        segment_paths = {}
        for cam in CAMERA_TYPES:
            sd = nusc.get('sample_data', sample['data'][cam])
            cs = nusc.get('calibrated_sensor', sd['calibrated_sensor_token'])
            cam2ego = _matrix(cs['rotation'], cs['translation'])
            cam_pose = nusc.get('ego_pose', sd['ego_pose_token'])
            cam2global = _matrix(cam_pose['rotation'],
                                 cam_pose['translation']) @ cam2ego
            lidar2cam = np.linalg.inv(cam2global) @ lidar2global
            info['images'][cam] = dict(img_path=osp.basename(sd['filename']),
                                       cam2img=np.asarray(
                                           cs['camera_intrinsic']).tolist(),
                                       cam2ego=_as_list(cam2ego),
                                       lidar2cam=_as_list(lidar2cam),
                                       sample_data_token=sd['token'],
                                       timestamp=sd['timestamp'] / 1e6)
            segment_paths[cam] = self._segment_path(cam, sd['filename'])
        info['instances'] = self._instances(sample, lidar_sd, lidar2global)
        if self.with_cam_instances:
            info['cam_instances'] = self._cam_instances(info)
        info['occ_path'] = self._occ_path(scene['name'], sample['token'])
        info['segment_paths'] = segment_paths
        return info

    def _sweeps(self, lidar_sd: dict, lidar2global) -> List[dict]:
        import numpy as np
        sweeps, sd = [], lidar_sd
        while len(sweeps) < self.max_sweeps and sd['prev']:
            sd = self.nusc.get('sample_data', sd['prev'])
            cs = self.nusc.get('calibrated_sensor',
                               sd['calibrated_sensor_token'])
            pose = self.nusc.get('ego_pose', sd['ego_pose_token'])
            sweep2ego = _matrix(cs['rotation'], cs['translation'])
            ego2global = _matrix(pose['rotation'], pose['translation'])
            lidar2sweep = np.linalg.inv(ego2global @ sweep2ego) @ lidar2global
            sweeps.append(
                dict(timestamp=sd['timestamp'] / 1e6,
                     ego2global=_as_list(ego2global),
                     sample_data_token=sd['token'],
                     lidar_points=dict(lidar_path=sd['filename'],
                                       lidar2ego=_as_list(sweep2ego),
                                       lidar2sensor=_as_list(lidar2sweep))))
        return sweeps

    def _instances(self, sample: dict, lidar_sd: dict,
                   lidar2global) -> List[dict]:
        import numpy as np
        from mmdet3d.datasets.convert_utils import NuScenesNameMapping
        nusc = self.nusc
        _, boxes, _ = nusc.get_sample_data(lidar_sd['token'])
        global2lidar_rot = np.linalg.inv(lidar2global[:3, :3])
        instances = []
        for box, ann_token in zip(boxes, sample['anns']):
            ann = nusc.get('sample_annotation', ann_token)
            assert box.token == ann_token
            name = NuScenesNameMapping.get(box.name, box.name)
            if name in DETECTION_CLASSES:
                label = DETECTION_CLASSES.index(name)
            else:
                label = -1
                self.ignored_names.add(name)
            velocity = global2lidar_rot @ np.array(
                [*nusc.box_velocity(ann_token)[:2], 0.0])
            w, l, h = box.wlh
            instances.append(
                dict(bbox_3d=[
                    *box.center.tolist(), l, w, h,
                    box.orientation.yaw_pitch_roll[0]
                ],
                     bbox_label=label,
                     bbox_label_3d=label,
                     bbox_3d_isvalid=bool(ann['num_lidar_pts'] +
                                          ann['num_radar_pts'] > 0),
                     velocity=velocity[:2].tolist(),
                     num_lidar_pts=ann['num_lidar_pts'],
                     num_radar_pts=ann['num_radar_pts']))
        return instances

    def _cam_instances(self, info: dict) -> Dict[str, List[dict]]:
        from mmdet3d.datasets.convert_utils import get_nuscenes_2d_boxes
        return {
            cam:
            get_nuscenes_2d_boxes(self.nusc,
                                  info['images'][cam]['sample_data_token'],
                                  visibilities=['', '1', '2', '3', '4'])
            for cam in CAMERA_TYPES
        }

    def _occ_path(self, scene_name: str, token: str) -> Optional[str]:
        path = osp.join(self.occ_root, scene_name, token, 'labels.npz')
        if not osp.isdir(self.occ_root):
            self.report.add(
                f'occupancy folder {self.occ_root}', path,
                'occ_path is None for these samples; download the '
                'Occ3D-nuScenes gts and pass --occ-root.')
            return None
        if not osp.isfile(path):
            self.report.add(
                'occupancy labels', path,
                'occ_path is None for these samples; complete the Occ3D '
                'gts folder (--occ-root).')
            return None
        return _rel(path, self.root)

    def _segment_path(self, cam: str, image_file: str) -> Optional[str]:
        stem = osp.splitext(osp.basename(image_file))[0]
        path = osp.join(self.segments_root, cam, stem + '.png')
        if not osp.isdir(self.segments_root):
            self.report.add(
                f'segments folder {self.segments_root}', path,
                'segment_paths are None for these images; write them with '
                'tools/misc/generate_sam_segments.py or pass '
                '--segments-root.')
            return None
        if not osp.isfile(path):
            self.report.add(
                'segment maps', path,
                'segment_paths are None for these images; re-run '
                'tools/misc/generate_sam_segments.py.')
            return None
        return _rel(path, self.root)

    # ---- all samples ----------------------------------------------------
    def convert(self) -> Dict[str, dict]:
        """Info file contents per split: {'train': {...}, 'val': {...}}."""
        scenes = self.split_scenes()
        data_lists = {'train': [], 'val': []}
        for sample in self.nusc.sample:
            for split, tokens in scenes.items():
                if sample['scene_token'] in tokens:
                    data_list = data_lists[split]
                    info = dict(sample_idx=len(data_list))
                    info.update(self.sample_info(sample))
                    data_list.append(info)
        categories = {name: i for i, name in enumerate(DETECTION_CLASSES)}
        categories.update({name: -1 for name in sorted(self.ignored_names)})
        metainfo = dict(categories=categories,
                        dataset='nuscenes',
                        version=self.version,
                        info_version='1.1')
        return {
            split: dict(metainfo=metainfo, data_list=data_list)
            for split, data_list in data_lists.items()
        }


def create_nuscenes_occ_infos(root: str,
                              version: str = 'v1.0-trainval',
                              occ_root: Optional[str] = None,
                              segments_root: Optional[str] = None,
                              out_dir: Optional[str] = None,
                              info_prefix: str = 'nuscenes',
                              max_sweeps: int = 10,
                              with_cam_instances: bool = False) -> dict:
    """Write ``{info_prefix}_infos_{train,val}.pkl``; returns a summary.

    The summary holds the written ``paths``, the sample count per split
    (``num_samples``) and the ``missing`` counts per kind.
    """
    import mmengine
    if not osp.isdir(osp.join(root, version)):
        raise FileNotFoundError(
            f'{osp.join(root, version)} does not exist: --root must hold the '
            f'nuScenes {version} tables (or pass the right --version).')
    converter = NuScenesOccConverter(
        root, version, occ_root or osp.join(root, 'gts'), segments_root
        or osp.join(root, 'segments'), max_sweeps, with_cam_instances)
    contents = converter.convert()
    for line in converter.report.lines():
        print(line)
    out_dir = out_dir or root
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for split, content in contents.items():
        paths[split] = osp.join(out_dir, f'{info_prefix}_infos_{split}.pkl')
        mmengine.dump(content, paths[split] + '.partial', file_format='pkl')
    for path in paths.values():
        os.replace(path + '.partial', path)
    return dict(paths=paths,
                num_samples={
                    s: len(c['data_list'])
                    for s, c in contents.items()
                },
                missing=converter.report.counts())


def main(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    summary = create_nuscenes_occ_infos(args.root, args.version, args.occ_root,
                                        args.segments_root, args.out_dir,
                                        args.info_prefix, args.max_sweeps,
                                        args.cam_instances)
    for split, path in summary['paths'].items():
        print(f'{split}: {summary["num_samples"][split]} samples -> {path}')
    print(f'done in {time.perf_counter() - start:.1f} s')
