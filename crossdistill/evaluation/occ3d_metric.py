"""Occ3D semantic-occupancy mIoU (the Occ3D-nuScenes benchmark protocol).

Written here because no OpenMMLab package ships it (mmdet3d 1.4 has no
occupancy metric). It follows the official Occ3D / CVPR 2023 occupancy
challenge evaluation (``Metric_mIoU`` in the challenge code):

* 18 labels: 0 others … 16 vegetation, 17 free; GT labels outside
  ``[0, 18)`` (e.g. 255) are ignored.
* Only voxels where ``mask_camera`` is set count (``use_camera_mask``);
  ``use_lidar_mask`` selects ``mask_lidar`` instead, both: their
  intersection, neither: every voxel.
* One 18 x 18 confusion matrix is accumulated over the whole set; IoU per
  class is ``TP / (TP + FP + FN)`` of that matrix (not a mean of per-sample
  IoUs). The free class takes part in the matrix (predicting free on a car
  voxel is a car false negative) but not in the mean.
* ``mIoU`` is the mean over classes 0-16, in percent. A class absent from
  both GT and predictions in the evaluated voxels has ``0 / 0`` IoU: like the
  official code (``np.nanmean``) it is NaN and left out of the mean. A class
  predicted but absent from GT has IoU 0 and counts.

The official script prints class names in a different order from its label
ids; the names here follow the Occ3D-nuScenes label ids (nuScenes-lidarseg
order).
"""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from crossdistill.registry import METRICS

OCC3D_CLASSES = ('others', 'barrier', 'bicycle', 'bus', 'car',
                 'construction_vehicle', 'motorcycle', 'pedestrian',
                 'traffic_cone', 'trailer', 'truck', 'driveable_surface',
                 'other_flat', 'sidewalk', 'terrain', 'manmade', 'vegetation',
                 'free')


def _to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def confusion_matrix(pred: np.ndarray, gt: np.ndarray,
                     num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) counts, rows = GT, columns = prediction.

    GT labels outside ``[0, num_classes)`` are ignored.
    """
    if pred.size and (pred.min() < 0 or pred.max() >= num_classes):
        raise ValueError(f'Predicted labels must lie in [0, {num_classes}), '
                         f'got [{pred.min()}, {pred.max()}].')
    keep = (gt >= 0) & (gt < num_classes)
    index = num_classes * gt[keep].astype(np.int64) + pred[keep].astype(
        np.int64)
    return np.bincount(
        index, minlength=num_classes**2).reshape(num_classes, num_classes)


def per_class_iou(hist: np.ndarray) -> np.ndarray:
    """``TP / (TP + FP + FN)`` per class; NaN where the class never occurs."""
    tp = np.diag(hist).astype(np.float64)
    union = hist.sum(0) + hist.sum(1) - tp
    with np.errstate(divide='ignore', invalid='ignore'):
        return tp / union


def format_iou_table(class_names: Sequence[str], ious: np.ndarray,
                     miou: float) -> str:
    """Two-column text table of per-class IoU (%) ending with the mIoU."""
    rows = [(name, 'nan' if np.isnan(iou) else f'{iou:.2f}')
            for name, iou in zip(class_names, ious)]
    rows.append(('mIoU', f'{miou:.2f}'))
    width = max(len(name) for name, _ in rows + [('class', '')])
    rule = f'+-{"-" * width}-+--------+'
    lines = [rule, f'| {"class":<{width}} | {"IoU":>6} |', rule]
    lines += [f'| {name:<{width}} | {value:>6} |' for name, value in rows[:-1]]
    lines += [rule, f'| {rows[-1][0]:<{width}} | {rows[-1][1]:>6} |', rule]
    return '\n'.join(lines)


@METRICS.register_module()
class Occ3DMetric(BaseMetric):
    """Occ3D mIoU over the semantic classes on camera-visible voxels.

    Input contract of :meth:`process`, per data sample (a dict, i.e. a
    ``Det3DDataSample`` after ``to_dict()``):

    * ``pred_occ``: (X, Y, Z) integer class indices (tensor or ndarray), the
      model's prediction, set as ``data_sample.pred_occ`` by the model.
    * ``voxel_semantics`` (X, Y, Z) int, ``mask_camera`` and ``mask_lidar``
      (X, Y, Z) bool/0-1: the GT, read from ``data_sample['eval_ann_info']``
      (where mmdet3d's ``Pack3DDetInputs`` puts test-time annotations) or,
      failing that, from the top level of the data sample. Only the masks in
      use are required.

    Args:
        class_names (Sequence[str]): label names by id; the last one is the
            free class, excluded from the mean. Defaults to Occ3D-nuScenes.
        use_camera_mask (bool): evaluate only where ``mask_camera`` is set.
        use_lidar_mask (bool): evaluate only where ``mask_lidar`` is set.
        collect_device (str): ``'cpu'`` or ``'gpu'`` for result collection.
        prefix (str, optional): prefix of the metric names.

    Returns (from ``evaluate``): ``mIoU`` and ``IoU_<class>`` for each
    semantic class, in percent; NaN for a class absent from GT and
    predictions.
    """
    pred_key = 'pred_occ'

    def __init__(self,
                 class_names: Sequence[str] = OCC3D_CLASSES,
                 use_camera_mask: bool = True,
                 use_lidar_mask: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.class_names = tuple(class_names)
        self.use_camera_mask = use_camera_mask
        self.use_lidar_mask = use_lidar_mask

    @staticmethod
    def _gt_field(data_sample: dict, key: str) -> np.ndarray:
        ann = data_sample.get('eval_ann_info') or {}
        if key in ann:
            return _to_numpy(ann[key])
        if key in data_sample:
            return _to_numpy(data_sample[key])
        raise KeyError(
            f"Occ3DMetric needs '{key}' in data_sample['eval_ann_info'] or in "
            'the data sample itself; load it in the test pipeline (keys: '
            'voxel_semantics, mask_camera, mask_lidar).')

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Accumulate one confusion matrix per sample into ``self.results``."""
        num_classes = len(self.class_names)
        for data_sample in data_samples:
            if self.pred_key not in data_sample:
                raise KeyError(
                    f"Occ3DMetric needs the prediction '{self.pred_key}' "
                    '((X, Y, Z) class indices) in each data sample; set '
                    f'data_sample.{self.pred_key} in the model predict().')
            pred = _to_numpy(data_sample[self.pred_key])
            gt = self._gt_field(data_sample, 'voxel_semantics')
            if pred.shape != gt.shape:
                raise ValueError(
                    f'{self.pred_key} has shape {pred.shape} but '
                    f'voxel_semantics has {gt.shape}; predict class indices '
                    'on the GT grid.')
            keep = np.ones(gt.shape, dtype=bool)
            if self.use_camera_mask:
                keep &= self._gt_field(data_sample, 'mask_camera').astype(bool)
            if self.use_lidar_mask:
                keep &= self._gt_field(data_sample, 'mask_lidar').astype(bool)
            self.results.append(
                confusion_matrix(pred[keep], gt[keep], num_classes))

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        """Sum the confusion matrices, log the IoU table, return mIoU."""
        hist = np.sum(results, axis=0)
        semantic_names = self.class_names[:-1]
        ious = per_class_iou(hist)[:len(semantic_names)] * 100
        present = ~np.isnan(ious)
        miou = float(ious[present].mean()) if present.any() else float('nan')
        logger = MMLogger.get_current_instance()
        if not present.any():
            logger.warning('Occ3DMetric: no semantic class occurs in GT or '
                           'predictions of the evaluated voxels; mIoU is NaN.')
        logger.info(f'Occ3D per-class IoU over {len(results)} samples:\n' +
                    format_iou_table(semantic_names, ious, miou))
        metrics = {'mIoU': miou}
        metrics.update({
            f'IoU_{name}': float(iou)
            for name, iou in zip(semantic_names, ious)
        })
        return metrics
