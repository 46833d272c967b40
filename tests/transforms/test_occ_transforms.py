"""Occupancy / segment / depth pipeline steps and the data contract."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from PIL import Image

from crossdistill.datasets.converters.nuscenes import CAMERA_TYPES
from crossdistill.datasets.nuscenes_occ import NuScenesOccDataset
from crossdistill.registry import DATASETS, MODELS, TRANSFORMS
from crossdistill.transforms import (LoadOccupancyGT, LoadSegmentMaps,
                                     MultiViewImageAug, PackOccInputs,
                                     PointsToMultiViewDepth)
from crossdistill.transforms.depth import project_to_image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# nusc_root (conftest.py): the tiny synthetic nuScenes + Occ3D set.
@pytest.fixture(scope='module')
def raw_info(nusc_root) -> dict:
    """Data info with the LiDAR points and the original images loaded."""
    dataset = NuScenesOccDataset(data_root=nusc_root,
                                 ann_file='nuscenes_infos_train.pkl')
    results = dataset.get_data_info(0)
    for step in (dict(type='LoadPointsFromFile',
                      coord_type='LIDAR',
                      load_dim=5,
                      use_dim=5),
                 dict(type='LoadMultiViewImageFromFiles', num_views=6)):
        results = TRANSFORMS.build(step)(results)
    return results


def _fresh(info: dict) -> dict:
    return copy.deepcopy(info)


def test_load_occupancy_gt(raw_info):
    results = LoadOccupancyGT()(_fresh(raw_info))
    assert results['voxel_semantics'].shape == (200, 200, 16)
    assert results['voxel_semantics'].dtype == np.uint8
    assert results['voxel_semantics'].max() <= 17
    for key in ('mask_lidar', 'mask_camera'):
        assert results[key].shape == (200, 200, 16)
        assert results[key].dtype == bool and results[key].any()
    # test mode: the metric reads the GT from eval_ann_info
    info = _fresh(raw_info)
    info['eval_ann_info'] = dict(gt_labels_3d=np.zeros(0))
    results = LoadOccupancyGT()(info)
    assert {'voxel_semantics', 'mask_camera', 'mask_lidar',
            'gt_labels_3d'} <= set(results['eval_ann_info'])
    info = _fresh(raw_info)
    info['occ_path'] = None
    with pytest.raises(FileNotFoundError, match='--occ-root'):
        LoadOccupancyGT()(info)


def test_image_aug_matrix_is_exact_for_flip_and_resize():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
    aug = MultiViewImageAug(final_size=(6, 8))
    out, matrix = aug.augment(img, 1.0, (0, 0), True, 0.0)
    np.testing.assert_array_equal(out, img[:, ::-1])
    np.testing.assert_allclose(matrix @ [2.0, 1.0, 5.0, 1.0], [5, 1, 5, 1])
    # 2x upsampling: pixel centres u -> 2u + 0.5, then a crop of (2, 1)
    aug = MultiViewImageAug(final_size=(8, 10))
    out, matrix = aug.augment(img, 2.0, (2, 1), False, 0.0)
    np.testing.assert_allclose(matrix[:2], [[2, 0, 0, -1.5], [0, 2, 0, -0.5]])
    assert out.shape == (8, 10, 3)
    # the pixels follow the matrix: a linear ramp, shrunk and enlarged
    ramp = np.tile(np.arange(16, dtype=np.float32) * 10, (8, 1))
    ramp = np.repeat(ramp[..., None], 3, axis=-1)
    for scale in (0.5, 2.0):
        aug = MultiViewImageAug(final_size=(int(8 * scale), int(16 * scale)))
        out, matrix = aug.augment(ramp, scale, (0, 0), False, 0.0)
        u_ori = (np.arange(out.shape[1]) - matrix[0, 3]) / matrix[0, 0]
        inner = (u_ori >= 0) & (u_ori <= 15)
        np.testing.assert_allclose(out[2, inner, 0],
                                   10 * u_ori[inner],
                                   atol=1e-3)
    # rotation keeps the image centre
    aug = MultiViewImageAug(final_size=(6, 8))
    _, matrix = aug.augment(img, 1.0, (0, 0), False, 5.0)
    np.testing.assert_allclose(matrix @ [3.5, 2.5, 1, 1], [3.5, 2.5, 1, 1])


def test_depth_maps_match_projection_through_img_aug_matrix(raw_info):
    np.random.seed(3)
    aug = MultiViewImageAug(final_size=(96, 192),
                            resize_range=(-0.1, 0.1),
                            rot_range=(-5.4, 5.4),
                            flip=True,
                            is_train=True)
    results = PointsToMultiViewDepth(depth_range=(0.1, 100.0))(aug(
        _fresh(raw_info)))
    depth = results['gt_depth']
    assert depth.shape == (6, 96, 192) and depth.dtype == np.float32
    assert depth.min() >= 0 and (depth > 0).sum() > 500
    points = results['points'].tensor[:, :3].numpy().astype(np.float64)
    for cam in range(6):
        lidar2img = results['cam2img'][cam] @ results['lidar2cam'][cam]
        uvd = project_to_image(points, lidar2img,
                               results['img_aug_matrix'][cam])
        u, v = np.round(uvd[:, 0]), np.round(uvd[:, 1])
        keep = (uvd[:, 2] > 0.1) & (u >= 0) & (u < 192) & (v >= 0) & (v < 96)
        nearest = np.full((96, 192), np.inf)
        np.minimum.at(nearest, (v[keep].astype(int), u[keep].astype(int)),
                      uvd[keep, 2])
        hit = np.isfinite(nearest)
        np.testing.assert_array_equal(depth[cam] > 0, hit)
        np.testing.assert_allclose(depth[cam][hit], nearest[hit], rtol=1e-6)


class _FlippedImageAug(MultiViewImageAug):
    """The deterministic test transform, always flipped."""

    def sample_params(self, height, width):
        scale, crop, _, rotate = super().sample_params(height, width)
        return scale, crop, True, rotate


def test_depth_and_segments_follow_flip_and_resize(raw_info):
    """2x resize (+ flip) of depth and segment maps."""
    h, w = raw_info['img'][0].shape[:2]
    plain = MultiViewImageAug(final_size=(2 * h, 2 * w))(_fresh(raw_info))
    flipped = _FlippedImageAug(final_size=(2 * h, 2 * w))(_fresh(raw_info))
    for results in (plain, flipped):
        PointsToMultiViewDepth()(results)
        LoadSegmentMaps()(results)
    np.testing.assert_array_equal(flipped['img'][0], plain['img'][0][:, ::-1])
    # the synthetic segment ids, nearest-upsampled 2x (and mirrored)
    ori = np.stack([
        np.asarray(Image.open(raw_info['segment_paths'][cam]))
        for cam in CAMERA_TYPES
    ]).astype(np.int64)
    up = ori.repeat(2, axis=1).repeat(2, axis=2)
    assert plain['gt_segments'].dtype == np.int64
    np.testing.assert_array_equal(plain['gt_segments'], up)
    np.testing.assert_array_equal(flipped['gt_segments'], up[:, :, ::-1])
    # the same returns land mirrored (no LiDAR point sits on a .5 tie)
    assert (plain['gt_depth'] > 0).sum() > 500
    np.testing.assert_allclose(flipped['gt_depth'],
                               plain['gt_depth'][:, :, ::-1],
                               rtol=1e-6)


def test_steps_need_the_image_augmentation_first(raw_info):
    with pytest.raises(KeyError, match='after MultiViewImageAug'):
        LoadSegmentMaps()(_fresh(raw_info))
    with pytest.raises(KeyError, match='after MultiViewImageAug'):
        PointsToMultiViewDepth()(_fresh(raw_info))
    results = MultiViewImageAug(final_size=(64, 128))(_fresh(raw_info))
    results['segment_paths']['CAM_BACK'] = None
    with pytest.raises(FileNotFoundError, match='generate_sam_segments'):
        LoadSegmentMaps()(results)
    with pytest.raises(KeyError, match='PointsToMultiViewDepth'):
        PackOccInputs(keys=['img', 'gt_depth'])(results)


@pytest.mark.parametrize('split', ['train', 'val'])
def test_config_pipeline_after_data_preprocessor(nusc_root, split):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/synth-nus-occ3d.py'))
    dataset_cfg = cfg[f'{split}_dataloader'].dataset
    dataset_cfg.data_root = nusc_root + '/'
    dataset = DATASETS.build(dataset_cfg)
    h, w = cfg.final_size
    preprocessor = MODELS.build(
        dict(type='Det3DDataPreprocessor',
             mean=[123.675, 116.28, 103.53],
             std=[58.395, 57.12, 57.375],
             bgr_to_rgb=True,
             pad_size_divisor=32))
    batch = preprocessor(pseudo_collate([dataset[0], dataset[0]]),
                         training=split == 'train')
    imgs = batch['inputs']['imgs']
    assert imgs.shape == (2, 6, 3, h, w) and imgs.dtype == torch.float32
    assert -3 < imgs.min() < 0 < imgs.max() < 3
    points = batch['inputs']['points']
    assert len(points) == 2 and points[0].shape[1] == 5
    sample = batch['data_samples'][0]
    meta = sample.metainfo
    for key in ('cam2img', 'cam2ego', 'lidar2cam', 'img_aug_matrix'):
        assert meta[key].shape == (6, 4, 4), key
        assert meta[key].dtype == np.float32
    assert meta['lidar2ego'].shape == meta['ego2global'].shape == (4, 4)
    assert meta['cam_names'] == list(CAMERA_TYPES)
    np.testing.assert_array_equal(meta['cam2img'][:, 3], [[0, 0, 0, 1]] * 6)
    assert tuple(meta['img_shape']) == (h, w)
    if split == 'val':
        ann = sample.eval_ann_info
        assert ann['voxel_semantics'].shape == (200, 200, 16)
        assert ann['mask_camera'].dtype == bool
        return
    occ = sample.gt_occ
    assert occ.voxel_semantics.shape == (200, 200, 16)
    assert occ.voxel_semantics.dtype == torch.uint8
    assert occ.voxel_semantics.max() <= 17
    assert occ.mask_camera.dtype == occ.mask_lidar.dtype == torch.bool
    assert sample.gt_depth.shape == (6, h, w)
    assert sample.gt_depth.dtype == torch.float32
    assert sample.gt_depth.min() >= 0 and (sample.gt_depth > 0).any()
    assert sample.gt_segments.shape == (6, h, w)
    assert sample.gt_segments.dtype == torch.int64
    assert sample.gt_segments.min() >= 0 and sample.gt_segments.max() > 1
    assert len(sample.gt_instances_3d.bboxes_3d) > 0
    assert sample.gt_instances_3d.labels_3d.max() < 10
