"""``PackOccInputs``: mmdet3d's ``Pack3DDetInputs`` plus occupancy, depth
and segment maps. This module docstring is the data INTERFACE CONTRACT of
the occupancy / BEV-detection pipelines (``configs/_base_/datasets/
nus-occ3d.py``): models built on it (RadOcc, SimDistill) may rely on every
line below.

After ``Det3DDataPreprocessor`` (``inputs`` and ``data_samples`` of
``model.forward``), for a batch of B samples and N = 6 cameras in the order
``metainfo['cam_names']`` (CAM_FRONT, CAM_FRONT_RIGHT, CAM_FRONT_LEFT,
CAM_BACK, CAM_BACK_LEFT, CAM_BACK_RIGHT):

``inputs['imgs']``
    (B, N, 3, H, W) float, normalised by the preprocessor (RGB when it has
    ``bgr_to_rgb=True``: files are read as BGR). (H, W) is
    ``MultiViewImageAug.final_size``; configs choose sizes divisible by 32 so
    that the preprocessor adds no padding.
``inputs['points']``
    list of B (P_i, 5) float tensors in the LiDAR frame: x, y, z, intensity,
    time lag to the key frame in seconds (0 for the key frame; mmdet3d's
    ``LoadPointsFromMultiSweeps``).
``data_sample.metainfo`` (numpy float32 arrays)
    ``cam2img`` (N, 4, 4): ORIGINAL-image intrinsics, 3x3 padded with an
    identity; ``cam2ego`` (N, 4, 4); ``lidar2cam`` (N, 4, 4) (camera pose at
    its own timestamp, as mmdet3d computes it); ``img_aug_matrix`` (N, 4, 4):
    original -> augmented pixel coordinates acting on (u, v, depth, 1),
    integer coordinates = pixel centres, so a LiDAR point x projects to
    ``img_aug_matrix @ cam2img @ lidar2cam @ [x, 1]`` (divide u, v by depth
    before applying ``img_aug_matrix``); ``lidar2ego`` (4, 4);
    ``ego2global`` (4, 4). Also ``cam_names``, ``token``, ``scene_name``,
    ``timestamp`` (s), ``img_shape`` (augmented), ``ori_shape``,
    ``img_path`` (list), ``lidar_path``, ``box_type_3d``.
``data_sample.gt_instances_3d``
    ``bboxes_3d`` (``LiDARInstance3DBoxes``, bottom centre, 9 dims with
    velocity vx, vy) and ``labels_3d`` (int64), as mmdet3d packs them.
``data_sample.gt_occ`` (a ``BaseDataElement``; training pipeline)
    ``voxel_semantics`` (200, 200, 16) uint8, Occ3D classes 0..16, 17 =
    free; ``mask_camera`` and ``mask_lidar`` (200, 200, 16) bool. The grid
    is in the EGO frame, range [-40, -40, -1, 40, 40, 5.4] m, 0.4 m voxels,
    indexed [x, y, z]; use ``lidar2ego`` to relate it to points.
``data_sample.gt_depth``
    (N, H, W) float32 camera-frame depth in metres at the augmented image
    resolution, 0 = no LiDAR return (``PointsToMultiViewDepth``).
``data_sample.gt_segments``
    (N, H, W) int64 segment ids at the augmented resolution, 0 = no segment
    (``LoadSegmentMaps``).
``data_sample.eval_ann_info`` (test pipeline)
    mmdet3d's test-time annotations plus ``voxel_semantics``,
    ``mask_camera``, ``mask_lidar`` as numpy arrays (``Occ3DMetric``).

The pipelines apply no 3D (BEV) augmentation, so points, boxes and the
occupancy grid keep their frames. Tensors move to the model's device with
the data sample (``BaseDataElement.to``).
"""
from typing import Sequence

import numpy as np
import torch
from mmdet3d.datasets.transforms import Pack3DDetInputs
from mmengine.structures import BaseDataElement

from crossdistill.registry import TRANSFORMS

OCC_KEYS = ('voxel_semantics', 'mask_camera', 'mask_lidar')
MAP_KEYS = ('gt_depth', 'gt_segments')
PRODUCERS = {
    'voxel_semantics': 'LoadOccupancyGT',
    'mask_camera': 'LoadOccupancyGT',
    'mask_lidar': 'LoadOccupancyGT',
    'gt_depth': 'PointsToMultiViewDepth',
    'gt_segments': 'LoadSegmentMaps',
}
META_KEYS = ('img_path', 'ori_shape', 'img_shape', 'pad_shape', 'box_mode_3d',
             'box_type_3d', 'sample_idx', 'lidar_path', 'num_pts_feats',
             'num_views', 'token', 'scene_name', 'timestamp', 'cam_names',
             'cam2img', 'cam2ego', 'lidar2cam', 'lidar2ego', 'ego2global',
             'img_aug_matrix', 'occ_path')


def _tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


@TRANSFORMS.register_module()
class PackOccInputs(Pack3DDetInputs):
    """Pack inputs and annotations, with ``gt_occ``, ``gt_depth`` and
    ``gt_segments`` on the data sample (see the module docstring).

    Args:
        keys: as in ``Pack3DDetInputs``, plus any of ``voxel_semantics``,
            ``mask_camera``, ``mask_lidar`` (into ``gt_occ``), ``gt_depth``
            and ``gt_segments``.
        meta_keys: metainfo keys; defaults to :data:`META_KEYS`.
    """

    def __init__(self,
                 keys: Sequence[str],
                 meta_keys: Sequence[str] = META_KEYS) -> None:
        own = OCC_KEYS + MAP_KEYS
        super().__init__(keys=tuple(k for k in keys if k not in own),
                         meta_keys=tuple(meta_keys))
        self.own_keys = tuple(k for k in keys if k in own)

    def pack_single_results(self, results: dict) -> dict:
        missing = [k for k in self.own_keys if k not in results]
        if missing:
            raise KeyError(
                f'PackOccInputs: {missing} not in the results; add '
                f'{sorted({PRODUCERS[k] for k in missing})} to the pipeline '
                'before packing or drop the keys.')
        packed = super().pack_single_results(results)
        data_sample = packed['data_samples']
        occ = {k: _tensor(results[k]) for k in self.own_keys if k in OCC_KEYS}
        if occ:
            data_sample.gt_occ = BaseDataElement(**occ)
        for key in self.own_keys:
            if key in MAP_KEYS:
                data_sample.set_field(_tensor(results[key]), key)
        return packed

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(keys='
                f'{self.keys + self.own_keys}, meta_keys={self.meta_keys})')
