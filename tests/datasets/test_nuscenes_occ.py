"""nuScenes (+ Occ3D, segments) converter, NuScenesOccDataset and tools."""
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import sys

import mmengine
import numpy as np
import pytest

from crossdistill.datasets.converters.nuscenes import (
    CAMERA_TYPES, create_nuscenes_occ_infos)
from crossdistill.datasets.nuscenes_occ import (NUSCENES_DATA_PREFIX,
                                                NuScenesOccDataset)
from driving_helpers import TINY as SHARED_TINY
from driving_helpers import tiny_nuscenes

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# This module's own set: 2 samples a scene (the shared one has 1), 128x72.
TINY = dict(SHARED_TINY, samples_per_scene=2, image_size=(128, 72), seed=5)


@pytest.fixture(scope='module')
def nusc_root(tmp_path_factory) -> str:
    """A tiny synthetic set (one mini_train, one mini_val scene) + infos."""
    return tiny_nuscenes(tmp_path_factory, **TINY)


@pytest.fixture(scope='module')
def nusc(nusc_root):
    from nuscenes import NuScenes
    return NuScenes('v1.0-mini', nusc_root, verbose=False)


def _infos(root: str, split: str) -> dict:
    return mmengine.load(osp.join(root, f'nuscenes_infos_{split}.pkl'))


def _mat(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def test_info_files_follow_the_mmdet3d_format(nusc_root):
    from nuscenes.utils.splits import create_splits_scenes
    splits = create_splits_scenes()
    for split, official in (('train', 'mini_train'), ('val', 'mini_val')):
        infos = _infos(nusc_root, split)
        assert infos['metainfo']['version'] == 'v1.0-mini'
        assert infos['metainfo']['categories']['car'] == 0
        assert len(infos['data_list']) == TINY['samples_per_scene']
        for i, info in enumerate(infos['data_list']):
            assert info['sample_idx'] == i
            assert info['scene_name'] in splits[official]
            assert np.asarray(info['ego2global']).shape == (4, 4)
            lidar = info['lidar_points']
            assert lidar['num_pts_feats'] == 5
            assert osp.isfile(
                osp.join(nusc_root, 'samples/LIDAR_TOP', lidar['lidar_path']))
            assert np.asarray(lidar['lidar2ego']).shape == (4, 4)
            assert info['lidar_sweeps'][0]['lidar_points'][
                'lidar_path'].startswith('sweeps/LIDAR_TOP/')
            assert list(info['images']) == list(CAMERA_TYPES)
            for cam, img in info['images'].items():
                assert osp.isfile(
                    osp.join(nusc_root, 'samples', cam, img['img_path']))
                assert np.asarray(img['cam2img']).shape == (3, 3)
                assert np.asarray(img['cam2ego']).shape == (4, 4)
                assert np.asarray(img['lidar2cam']).shape == (4, 4)
                assert img['sample_data_token'] and img['timestamp'] > 0
                assert osp.isfile(
                    osp.join(nusc_root, info['segment_paths'][cam]))
            assert info['occ_path'] == (f"gts/{info['scene_name']}/"
                                        f"{info['token']}/labels.npz")
            assert osp.isfile(osp.join(nusc_root, info['occ_path']))
            assert info['instances']
            for inst in info['instances']:
                assert len(inst['bbox_3d']) == 7 and len(inst['velocity']) == 2
                assert -1 <= inst['bbox_label_3d'] < 10
                assert {'bbox_3d_isvalid', 'num_lidar_pts'} <= set(inst)
            assert 'cam_instances' not in info


def test_lidar_boxes_back_in_global_match_devkit(nusc_root, nusc):
    from pyquaternion import Quaternion
    for split in ('train', 'val'):
        for info in _infos(nusc_root, split)['data_list']:
            lidar2global = _mat(info['ego2global']) @ _mat(
                info['lidar_points']['lidar2ego'])
            yaw0 = np.arctan2(lidar2global[1, 0], lidar2global[0, 0])
            sample = nusc.get('sample', info['token'])
            assert len(info['instances']) == len(sample['anns'])
            for inst, token in zip(info['instances'], sample['anns']):
                ann = nusc.get('sample_annotation', token)
                x, y, z, l, w, h, yaw = inst['bbox_3d']
                centre = lidar2global @ np.array([x, y, z, 1.0])
                np.testing.assert_allclose(centre[:3],
                                           ann['translation'],
                                           atol=2e-3)
                np.testing.assert_allclose([w, l, h], ann['size'], atol=1e-6)
                ann_yaw = Quaternion(ann['rotation']).yaw_pitch_roll[0]
                diff = yaw + yaw0 - ann_yaw
                assert abs(np.arctan2(np.sin(diff), np.cos(diff))) < 1e-4
                velocity = lidar2global[:2, :2] @ np.array(inst['velocity'])
                expected = nusc.box_velocity(token)[:2]
                if np.isfinite(expected).all():
                    np.testing.assert_allclose(velocity, expected, atol=1e-3)
                assert inst['num_lidar_pts'] == ann['num_lidar_pts']


def test_infos_load_through_mmdet3d_nuscenes_dataset(nusc_root):
    from mmdet3d.datasets import NuScenesDataset
    dataset = NuScenesDataset(data_root=nusc_root,
                              ann_file='nuscenes_infos_train.pkl',
                              data_prefix=NUSCENES_DATA_PREFIX,
                              modality=dict(use_lidar=True, use_camera=True),
                              filter_empty_gt=False)
    assert len(dataset) == TINY['samples_per_scene']
    info = dataset.get_data_info(0)
    assert osp.isfile(info['lidar_path'])
    assert all(
        osp.isfile(s['lidar_points']['lidar_path'])
        for s in info['lidar_sweeps'])
    assert all(osp.isfile(img['img_path']) for img in info['images'].values())
    boxes = info['ann_info']['gt_bboxes_3d']
    assert boxes.tensor.shape[1] == 9 and len(boxes) > 0


def test_occ_dataset_fields(nusc_root):
    dataset = NuScenesOccDataset(data_root=nusc_root,
                                 ann_file='nuscenes_infos_val.pkl',
                                 test_mode=True)
    info = dataset.get_data_info(0)
    assert osp.isfile(info['occ_path'])
    assert set(info['segment_paths']) == set(CAMERA_TYPES)
    assert all(osp.isfile(p) for p in info['segment_paths'].values())
    assert info['cam_names'] == list(CAMERA_TYPES)
    for key in ('cam2img', 'cam2ego', 'lidar2cam'):
        assert info[key].shape == (6, 4, 4) and info[key].dtype == np.float32
    assert info['lidar2ego'].shape == info['ego2global'].shape == (4, 4)
    assert np.asarray(info['images']['CAM_BACK']['cam2img']).shape == (4, 4)
    # the synthetic sensors share one timestamp, so LiDAR -> camera is
    # LiDAR -> ego -> camera
    expected = np.linalg.inv(info['cam2ego']) @ info['lidar2ego']
    np.testing.assert_allclose(info['lidar2cam'], expected, atol=1e-5)
    assert 'gt_bboxes_3d' in info['eval_ann_info']
    assert dataset.metainfo['occ_classes'][-1] == 'free'


def test_plain_mmdet3d_infos_are_refused(nusc_root, tmp_path):
    infos = _infos(nusc_root, 'val')
    for info in infos['data_list']:
        del info['occ_path']
    mmengine.dump(infos, str(tmp_path / 'plain.pkl'))
    with pytest.raises(KeyError, match='tools/create_data.py nuscenes'):
        NuScenesOccDataset(data_root=nusc_root,
                           ann_file=str(tmp_path / 'plain.pkl'))


def _partial_copy(root: str, dest: str, skip: tuple) -> str:
    """Symlink the parts of ``root`` except ``skip``."""
    os.makedirs(dest)
    for name in os.listdir(root):
        if name not in skip and not name.endswith('.pkl'):
            os.symlink(osp.join(root, name), osp.join(dest, name))
    return dest


def test_missing_optional_parts_are_reported_once(nusc_root, tmp_path, capsys):
    root = _partial_copy(nusc_root, str(tmp_path / 'bare'),
                         ('gts', 'segments'))
    summary = create_nuscenes_occ_infos(root, 'v1.0-mini')
    out = capsys.readouterr().out
    num = TINY['num_scenes'] * TINY['samples_per_scene']
    assert summary['missing'] == {
        f'occupancy folder {root}/gts': num,
        f'segments folder {root}/segments': 6 * num,
    }
    lines = sorted(line for line in out.splitlines() if 'WARNING' in line)
    assert len(lines) == 2
    assert f'{num} missing, e.g. {root}/gts/scene-' in lines[0]
    assert '--occ-root' in lines[0]
    assert f'{6 * num} missing, e.g. {root}/segments/CAM_' in lines[1]
    assert 'generate_sam_segments.py' in lines[1]
    infos = _infos(root, 'train')['data_list']
    assert len(infos) == TINY['samples_per_scene']  # nothing dropped
    assert all(i['occ_path'] is None for i in infos)
    assert all(p is None for i in infos for p in i['segment_paths'].values())


def test_single_missing_label_file_is_reported(nusc_root, tmp_path, capsys):
    root = _partial_copy(nusc_root, str(tmp_path / 'partial'), ('gts', ))
    shutil.copytree(osp.join(nusc_root, 'gts'), osp.join(root, 'gts'))
    info = _infos(nusc_root, 'val')['data_list'][1]
    os.remove(osp.join(root, info['occ_path']))
    summary = create_nuscenes_occ_infos(root, 'v1.0-mini')
    assert summary['missing'] == {'occupancy labels': 1}
    out = capsys.readouterr().out
    assert f"1 missing, e.g. {osp.join(root, info['occ_path'])}" in out
    val = _infos(root, 'val')['data_list']
    assert val[1]['occ_path'] is None and val[0]['occ_path'] is not None


def test_create_data_cli_and_errors(nusc_root, tmp_path):
    spec = importlib.util.spec_from_file_location(
        'create_data', osp.join(REPO, 'tools', 'create_data.py'))
    create_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(create_data)
    create_data.main([
        'nuscenes', '--root', nusc_root, '--version', 'v1.0-mini', '--out-dir',
        str(tmp_path), '--cam-instances', '--max-sweeps', '1'
    ])
    info = _infos(str(tmp_path), 'val')['data_list'][0]
    assert set(info['cam_instances']) == set(CAMERA_TYPES)
    assert len(info['lidar_sweeps']) == 1
    with pytest.raises(FileNotFoundError, match='v1.0-trainval'):
        create_nuscenes_occ_infos(nusc_root, 'v1.0-trainval')


def test_browse_dataset_writes_one_png_per_sample(nusc_root, tmp_path):
    spec = importlib.util.spec_from_file_location(
        'browse_dataset', osp.join(REPO, 'tools', 'misc', 'browse_dataset.py'))
    browse = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(browse)
    out = tmp_path / 'browse'
    browse.main([
        osp.join(REPO,
                 'configs/_base_/datasets/synth-nus-occ3d.py'), '--output-dir',
        str(out), '--num', '1', '--cfg-options',
        f'train_dataloader.dataset.data_root={nusc_root}/'
    ])
    pngs = list(out.glob('*.png'))
    assert len(pngs) == 1
    from PIL import Image
    assert Image.open(pngs[0]).size[0] > 1000


def test_sam_tool_without_package_or_checkpoint(tmp_path):
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'misc', 'generate_sam_segments.py'), '--root',
        str(tmp_path), '--checkpoint',
        str(tmp_path / 'sam_vit_b.pth'), '--model-type', 'vit_b'
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert 'sam_vit_b.pth does not exist' in proc.stderr
    assert 'sam_vit_b_01ec64.pth' in proc.stderr
    if importlib.util.find_spec('segment_anything') is None:
        assert 'pip install' in proc.stderr


def test_sam_label_map_paints_small_masks_on_top():
    spec = importlib.util.spec_from_file_location(
        'generate_sam_segments',
        osp.join(REPO, 'tools', 'misc', 'generate_sam_segments.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    big = np.zeros((4, 6), bool)
    big[:, :4] = True
    small = np.zeros((4, 6), bool)
    small[1:3, 1:3] = True
    hidden = small.copy()  # fully covered by the smaller mask
    ids = tool.label_map([
        dict(segmentation=small, area=4),
        dict(segmentation=big, area=16),
        dict(segmentation=hidden, area=5)
    ], (4, 6))
    assert ids.dtype == np.uint16
    assert set(np.unique(ids)) == {0, 1, 2}
    assert (ids[small] == 2).all() and (ids[big & ~small] == 1).all()
    assert (ids[:, 4:] == 0).all()
