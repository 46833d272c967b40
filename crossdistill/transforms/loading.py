"""Loading steps mmdet3d lacks: Occ3D occupancy labels and segment maps.

* :class:`LoadOccupancyGT` reads an Occ3D-nuScenes ``labels.npz``
  (``semantics`` (200, 200, 16) uint8 in the 18 Occ3D classes, 17 = free,
  and the 0/1 ``mask_lidar``/``mask_camera``; grid in the ego frame, range
  [-40, -40, -1, 40, 40, 5.4] m, 0.4 m voxels, indexed [x, y, z]). The masks
  become bool. In test mode the three arrays are also put into
  ``eval_ann_info``, where ``Occ3DMetric`` reads them.
* :class:`LoadSegmentMaps` reads one segment-id map per camera (uint16 PNG,
  ids 1..M, 0 = no segment; the SAM masks RadOcc's rendered semantic
  consistency groups pixels by) and warps it with the camera's
  ``img_aug_matrix`` (nearest neighbour), so it must come after
  :class:`~crossdistill.transforms.image_aug.MultiViewImageAug`.

A sample whose file is missing (``None`` in the info file: the converter
reported it) is an error naming the sample and the fix, not a silent skip.
"""
import io

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.fileio import get

from crossdistill.registry import TRANSFORMS

from .image_aug import warp_to_augmented

OCC3D_KEYS = {
    'semantics': 'voxel_semantics',
    'mask_lidar': 'mask_lidar',
    'mask_camera': 'mask_camera',
}


@TRANSFORMS.register_module()
class LoadOccupancyGT(BaseTransform):
    """Load Occ3D occupancy labels.

    Required keys: ``occ_path``. Added keys: ``voxel_semantics`` (X, Y, Z)
    uint8, ``mask_lidar`` and ``mask_camera`` (X, Y, Z) bool; the same three
    in ``eval_ann_info`` when that key exists (test mode).

    Args:
        backend_args (dict, optional): file backend arguments.
    """

    def __init__(self, backend_args: dict = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        path = results.get('occ_path')
        if path is None:
            raise FileNotFoundError(
                f"Sample {results.get('token')} (scene "
                f"{results.get('scene_name')}) has no Occ3D labels (occ_path "
                'is None in the info file). Put the Occ3D-nuScenes gts folder '
                'in place and re-run `tools/create_data.py nuscenes` '
                '(--occ-root), or drop LoadOccupancyGT from the pipeline.')
        with np.load(io.BytesIO(get(path, self.backend_args))) as data:
            missing = set(OCC3D_KEYS) - set(data.files)
            if missing:
                raise KeyError(
                    f'{path} lacks {sorted(missing)} (has {data.files}); an '
                    'Occ3D labels.npz holds semantics, mask_lidar and '
                    'mask_camera.')
            arrays = {out: data[key] for key, out in OCC3D_KEYS.items()}
        shapes = {a.shape for a in arrays.values()}
        if len(shapes) != 1 or len(shapes.pop()) != 3:
            raise ValueError(
                f'{path}: semantics and masks must be 3D arrays of one shape, '
                f'got { {k: v.shape for k, v in arrays.items()} }.')
        arrays['voxel_semantics'] = arrays['voxel_semantics'].astype(np.uint8)
        for key in ('mask_lidar', 'mask_camera'):
            arrays[key] = arrays[key].astype(bool)
        results.update(arrays)
        if 'eval_ann_info' in results:
            eval_ann_info = results['eval_ann_info'] or {}
            eval_ann_info.update(arrays)
            results['eval_ann_info'] = eval_ann_info
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(backend_args={self.backend_args})'


@TRANSFORMS.register_module()
class LoadSegmentMaps(BaseTransform):
    """Load per-camera segment maps in the augmented image frame.

    Required keys: ``segment_paths`` (dict camera -> path),
    ``cam_names`` (camera order), ``img_aug_matrix`` (N, 4, 4),
    ``img_shape`` (augmented (H, W)), ``ori_shape`` (original (H, W)).
    Added keys: ``gt_segments`` (N, H, W) int64, 0 = no segment (also
    outside the original image).

    Args:
        backend_args (dict, optional): file backend arguments.
    """

    def __init__(self, backend_args: dict = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        if 'img_aug_matrix' not in results:
            raise KeyError('LoadSegmentMaps needs img_aug_matrix: place it '
                           'after MultiViewImageAug in the pipeline.')
        out_size = tuple(results['img_shape'][:2])
        maps = []
        for cam, matrix in zip(results['cam_names'],
                               results['img_aug_matrix']):
            path = results['segment_paths'].get(cam)
            if path is None:
                raise FileNotFoundError(
                    f"Sample {results.get('token')} has no segment map for "
                    f'{cam} (None in the info file). Write them with '
                    '`python tools/misc/generate_sam_segments.py --root '
                    'DATA_ROOT --checkpoint SAM.pth` and re-run '
                    '`tools/create_data.py nuscenes`, or drop LoadSegmentMaps '
                    'from the pipeline.')
            segments = mmcv.imfrombytes(get(path, self.backend_args),
                                        flag='unchanged')
            if segments is None or segments.ndim != 2:
                raise ValueError(f'{path} is not a single-channel segment-id '
                                 'image (uint16 PNG).')
            if segments.shape != tuple(results['ori_shape'][:2]):
                raise ValueError(
                    f'{path} has shape {segments.shape}, its image '
                    f"{tuple(results['ori_shape'][:2])}; regenerate the "
                    'segment maps for these images.')
            maps.append(
                warp_to_augmented(segments, matrix, out_size, nearest=True))
        results['gt_segments'] = np.stack(maps).astype(np.int64)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(backend_args={self.backend_args})'
