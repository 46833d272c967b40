import math

import numpy as np
import pytest
import torch

from crossdistill.evaluation.occ3d_metric import (OCC3D_CLASSES, Occ3DMetric,
                                                  format_iou_table)
from crossdistill.registry import METRICS

A, B, FREE = 0, 1, 2  # tiny label set: two semantic classes + free
TINY = ('a', 'b', 'free')


def _sample(pred, gt, mask_camera=None, mask_lidar=None, top_level=False):
    gt = np.asarray(gt).reshape(-1, 1, 1)
    ann = dict(
        voxel_semantics=gt,
        mask_camera=np.ones_like(gt, dtype=bool)
        if mask_camera is None else np.asarray(mask_camera).reshape(gt.shape),
        mask_lidar=np.ones_like(gt, dtype=bool)
        if mask_lidar is None else np.asarray(mask_lidar).reshape(gt.shape))
    pred = torch.as_tensor(pred).reshape(gt.shape)
    if top_level:
        return dict(pred_occ=pred, **ann)
    return dict(pred_occ=pred, eval_ann_info=ann)


def _evaluate(samples, **kwargs):
    metric = Occ3DMetric(class_names=kwargs.pop('class_names', TINY),
                         **kwargs)
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def test_perfect_prediction_is_100():
    gen = np.random.default_rng(0)
    gt = gen.integers(0, 18, size=(8, 8, 4))
    metric = METRICS.build(dict(type='Occ3DMetric'))
    metric.process({}, [dict(pred_occ=torch.from_numpy(gt),
                             eval_ann_info=dict(
                                 voxel_semantics=gt,
                                 mask_camera=np.ones(gt.shape, bool),
                                 mask_lidar=np.ones(gt.shape, bool)))])
    result = metric.evaluate(1)
    assert result['mIoU'] == pytest.approx(100.0)
    assert set(result) == {'mIoU'} | {f'IoU_{c}' for c in OCC3D_CLASSES[:-1]}


def test_one_class_half_right():
    # 'b': 2 TP, 2 FN (predicted free) -> 50; 'a' perfect -> 100.
    result = _evaluate(
        [_sample([A] * 4 + [B, B, FREE, FREE], [A] * 4 + [B] * 4)])
    assert result['IoU_a'] == pytest.approx(100.0)
    assert result['IoU_b'] == pytest.approx(50.0)
    assert result['mIoU'] == pytest.approx(75.0)
    # Same, but the two missed 'b' voxels are predicted 'a' (2 FP for 'a'):
    # IoU_a = 4 / 6, IoU_b = 2 / 4.
    result = _evaluate([_sample([A] * 4 + [B, B, A, A], [A] * 4 + [B] * 4)])
    assert result['IoU_a'] == pytest.approx(400 / 6)
    assert result['mIoU'] == pytest.approx((400 / 6 + 50) / 2)


def test_masked_voxels_are_ignored():
    pred = [A, A, B, B, B, A]
    gt = [A, A, B, B, A, B]  # the last two voxels are wrong
    camera = [1, 1, 1, 1, 0, 0]
    lidar = [1, 1, 1, 1, 1, 0]
    assert _evaluate([_sample(pred, gt, camera, lidar)])['mIoU'] == 100.0
    result = _evaluate([_sample(pred, gt, camera, lidar)],
                       use_camera_mask=False, use_lidar_mask=True)
    assert result['IoU_a'] == pytest.approx(200 / 3)  # 2 TP, 1 FN
    assert result['IoU_b'] == pytest.approx(200 / 3)  # 2 TP, 1 FP
    result = _evaluate([_sample(pred, gt, camera, lidar)],
                       use_camera_mask=False)
    assert result['mIoU'] == pytest.approx(50.0)  # 2 / 4 for both


def test_free_class_is_not_in_the_mean():
    # Free voxels all right, one 'a' voxel right, 'b' absent everywhere.
    result = _evaluate([_sample([FREE] * 5 + [A], [FREE] * 5 + [A])])
    assert result['mIoU'] == pytest.approx(100.0)
    assert math.isnan(result['IoU_b'])
    assert 'IoU_free' not in result
    # A free voxel predicted 'a' is a false positive of 'a': 1 / 2.
    result = _evaluate([_sample([FREE] * 4 + [A, A], [FREE] * 5 + [A])])
    assert result['mIoU'] == pytest.approx(50.0)


def test_predicted_but_absent_class_scores_zero():
    result = _evaluate([_sample([A, A, B], [A, A, A])])
    assert result['IoU_a'] == pytest.approx(200 / 3)
    assert result['IoU_b'] == 0.0
    assert result['mIoU'] == pytest.approx(100 / 3)


def test_accumulates_over_the_set_not_per_sample_mean():
    # Sample 1: IoU_a = 1/1; sample 2: IoU_a = 0/3. Mean of the per-sample
    # values would be 50; the set-level confusion matrix gives 1 / 4.
    samples = [_sample([A], [A]), _sample([FREE] * 3, [A] * 3)]
    result = _evaluate(samples)
    assert result['IoU_a'] == pytest.approx(25.0)
    assert result['mIoU'] == pytest.approx(25.0)


def test_gt_ignore_label_and_top_level_gt():
    sample = _sample([A, B, B], [A, B, 255], top_level=True)
    assert _evaluate([sample])['mIoU'] == pytest.approx(100.0)


def test_clear_errors():
    metric = Occ3DMetric(class_names=TINY)
    with pytest.raises(KeyError, match='pred_occ'):
        metric.process({}, [dict(eval_ann_info={})])
    with pytest.raises(KeyError, match='mask_camera'):
        metric.process({}, [dict(pred_occ=np.zeros((2, 1, 1), int),
                                 voxel_semantics=np.zeros((2, 1, 1), int))])
    with pytest.raises(ValueError, match='shape'):
        metric.process({}, [_sample([A], [A]) | dict(pred_occ=np.zeros(3))])
    with pytest.raises(ValueError, match=r'\[0, 3\)'):
        metric.process({}, [_sample([5], [A])])


def test_iou_table_lists_every_class():
    table = format_iou_table(['a', 'b'], np.array([50.0, np.nan]), 50.0)
    lines = table.splitlines()
    assert any('| a' in line and '50.00' in line for line in lines)
    assert any('| b' in line and 'nan' in line for line in lines)
    assert any('mIoU' in line for line in lines)
