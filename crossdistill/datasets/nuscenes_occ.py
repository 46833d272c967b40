"""nuScenes + Occ3D dataset: mmdet3d's ``NuScenesDataset`` plus the paths
and per-camera matrices that occupancy and cross-modal distillation need.

Reads the info files of ``tools/create_data.py nuscenes`` (the mmdet3d 1.x
format plus ``occ_path``, ``segment_paths``, ``scene_name``). On top of what
``NuScenesDataset`` puts into each data info (absolute ``lidar_path``,
``img_path`` per camera, sweeps, ``ann_info``/``eval_ann_info`` with the
boxes), :meth:`NuScenesOccDataset.parse_data_info` adds:

* ``occ_path`` (str | None): absolute path of the Occ3D ``labels.npz``;
* ``segment_paths`` (dict[str, str | None]): absolute segment map per camera
  (from ``segments_dir`` when it is set, see :class:`NuScenesOccDataset`);
* ``cam_names`` (list[str]): camera order of every per-camera array;
* ``cam2img`` / ``cam2ego`` / ``lidar2cam`` ((N, 4, 4) float32): original
  intrinsics (3x3 padded to 4x4) and extrinsics per camera, and each
  ``images[cam]['cam2img']`` padded the same way so that mmdet3d's
  ``LoadMultiViewImageFromFiles`` hands 4x4 intrinsics on;
* ``lidar2ego`` and ``ego2global`` ((4, 4) float32).

Choices: ``filter_empty_gt`` defaults to False (a frame without boxes still
has occupancy labels) and both modalities are on by default (the teacher
reads LiDAR, the student cameras; the pipeline decides what is loaded).
Paths in the info file are relative to ``data_root`` (the converter's
``--root``) and joined with it here.
"""
import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmdet3d.datasets import NuScenesDataset

from crossdistill.evaluation.occ3d_metric import OCC3D_CLASSES
from crossdistill.registry import DATASETS

CAMERA_TYPES = ('CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT', 'CAM_BACK',
                'CAM_BACK_LEFT', 'CAM_BACK_RIGHT')
NUSCENES_DATA_PREFIX = dict(pts='samples/LIDAR_TOP',
                            sweeps='sweeps/LIDAR_TOP',
                            **{cam: f'samples/{cam}'
                               for cam in CAMERA_TYPES})


def pad_intrinsics(cam2img) -> np.ndarray:
    """3x3 (or 3x4) intrinsics -> 4x4 float32 with an identity remainder."""
    cam2img = np.asarray(cam2img, dtype=np.float32)
    padded = np.eye(4, dtype=np.float32)
    padded[:cam2img.shape[0], :cam2img.shape[1]] = cam2img
    return padded


@DATASETS.register_module()
class NuScenesOccDataset(NuScenesDataset):
    """nuScenes detection + Occ3D occupancy (+ segment maps) dataset.

    Args:
        data_root (str): nuScenes root (the converter's ``--root``).
        ann_file (str): info file, e.g. ``nuscenes_infos_train.pkl``.
        data_prefix (dict): sensor folders, as in mmdet3d's nuScenes
            configs. Defaults to the standard nuScenes layout.
        modality (dict): defaults to cameras and LiDAR.
        filter_empty_gt (bool): drop frames without boxes. Defaults to False.
        segments_dir (str, optional): read the segment maps from
            ``<data_root>/<segments_dir>/<CAM>/<stem>.png`` instead of the
            info file's ``segment_paths``; ``<stem>`` is that of the info's
            segment file, or of the camera image where the info has None.
            One info file thus serves SAM (``segments``) and e.g. SLIC
            superpixel (``segments_slic``, written by
            ``tools/misc/generate_superpixel_segments.py``) runs. A map
            missing when the pipeline loads it raises a FileNotFoundError
            naming the file and that command. Defaults to None (the info
            file's paths).
        **kwargs: the rest of :class:`NuScenesDataset`'s arguments.
    """
    METAINFO = dict(NuScenesDataset.METAINFO, occ_classes=OCC3D_CLASSES)

    def __init__(self,
                 data_root: str,
                 ann_file: str,
                 data_prefix: Dict[str, str] = NUSCENES_DATA_PREFIX,
                 modality: dict = dict(use_camera=True, use_lidar=True),
                 filter_empty_gt: bool = False,
                 segments_dir: Optional[str] = None,
                 **kwargs) -> None:
        self.segments_dir = segments_dir  # parse_data_info reads it
        super().__init__(data_root=data_root,
                         ann_file=ann_file,
                         data_prefix=dict(data_prefix),
                         modality=dict(modality),
                         filter_empty_gt=filter_empty_gt,
                         **kwargs)

    def _abs(self, path: Optional[str]) -> Optional[str]:
        return None if path is None else osp.join(self.data_root, path)

    def _segments_dir_paths(self, info: dict) -> Dict[str, Optional[str]]:
        """Segment map per camera under ``segments_dir`` (absolute)."""
        root = osp.join(self.data_root, self.segments_dir)
        paths = {}
        for cam in dict.fromkeys([*info['segment_paths'], *info['images']]):
            source = (info['segment_paths'].get(cam)
                      or info['images'].get(cam, {}).get('img_path'))
            if source is None:  # neither a segment map nor an image
                paths[cam] = None
                continue
            stem = osp.splitext(osp.basename(source))[0]
            paths[cam] = osp.join(root, cam, stem + '.png')
        return paths

    def prepare_data(self, index: int) -> Optional[dict]:
        """The pipeline's output; a missing ``segments_dir`` map raises a
        FileNotFoundError that says how to write it."""
        try:
            return super().prepare_data(index)
        except FileNotFoundError as error:
            missing = str(getattr(error, 'filename', None) or '')
            if self.segments_dir is None or not missing.startswith(
                    osp.join(self.data_root, self.segments_dir, '')):
                raise
            raise FileNotFoundError(
                f'Segment map {missing} does not exist (segments_dir='
                f"'{self.segments_dir}'). Write superpixel maps with "
                '`python tools/misc/generate_superpixel_segments.py --root '
                f'{self.data_root} --out-dir {self.segments_dir}`, or set '
                'segments_dir to a folder that holds the maps of these '
                'images.') from error

    def parse_data_info(self, info: dict) -> dict:
        """Add occupancy/segment paths and stacked per-camera matrices."""
        for key in ('occ_path', 'segment_paths'):
            if key not in info:
                raise KeyError(
                    f"'{key}' is missing from a sample of {self.ann_file}; "
                    'this is a plain mmdet3d info file. Write the info files '
                    'with `python tools/create_data.py nuscenes --root '
                    f'{self.data_root} --version ...`.')
        info = super().parse_data_info(info)
        info['occ_path'] = self._abs(info['occ_path'])
        if self.segments_dir is None:
            info['segment_paths'] = {
                cam: self._abs(path)
                for cam, path in info['segment_paths'].items()
            }
        else:
            info['segment_paths'] = self._segments_dir_paths(info)
        cams = list(info['images'])
        for cam in cams:
            info['images'][cam]['cam2img'] = pad_intrinsics(
                info['images'][cam]['cam2img'])
        info['cam_names'] = cams
        for key in ('cam2img', 'cam2ego', 'lidar2cam'):
            info[key] = np.stack([
                np.asarray(info['images'][cam][key], dtype=np.float32)
                for cam in cams
            ])
        info['lidar2ego'] = np.asarray(info['lidar_points']['lidar2ego'],
                                       dtype=np.float32)
        info['ego2global'] = np.asarray(info['ego2global'], dtype=np.float32)
        return info
