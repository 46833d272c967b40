"""The synthetic driving set is real nuScenes + Occ3D and its sensors agree."""
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from crossdistill.synth.driving import generate_synth_nuscenes
from crossdistill.synth.driving.taxonomy import CATEGORY_TO_OCC, FREE

TINY = dict(num_scenes=2, samples_per_scene=3, image_size=(192, 108),
            sweeps=1, lidar_azimuths=768, seed=3)
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='session')
def synth_nusc_root(tmp_path_factory) -> str:
    root = str(tmp_path_factory.mktemp('synth-nuscenes') / 'data')
    generate_synth_nuscenes(root, progress=False, **TINY)
    return root


@pytest.fixture(scope='session')
def nusc(synth_nusc_root):
    from nuscenes import NuScenes
    return NuScenes('v1.0-mini', synth_nusc_root, verbose=False)


def _key_frames(nusc):
    for sample in nusc.sample:
        yield sample, nusc.get('scene', sample['scene_token'])


def _lidar_points(nusc, sample):
    from nuscenes.utils.data_classes import LidarPointCloud
    sd = nusc.get('sample_data', sample['data']['LIDAR_TOP'])
    pc = LidarPointCloud.from_file(osp.join(nusc.dataroot, sd['filename']))
    return sd, pc


def _box_labels(nusc, sd, points: np.ndarray):
    """Index of the annotated box holding each point (-1: none), boxes."""
    from nuscenes.utils.geometry_utils import points_in_box
    _, boxes, _ = nusc.get_sample_data(sd['token'])
    labels = np.full(points.shape[1], -1)
    for i, box in enumerate(boxes):
        labels[points_in_box(box, points[:3])] = i
    return labels, boxes


def _to_ego(nusc, sd, points: np.ndarray) -> np.ndarray:
    from pyquaternion import Quaternion
    cs = nusc.get('calibrated_sensor', sd['calibrated_sensor_token'])
    return Quaternion(cs['rotation']).rotation_matrix @ points[:3] + \
        np.asarray(cs['translation'])[:, None]


def test_devkit_loads_tables_and_splits(nusc):
    from nuscenes.utils.splits import create_splits_scenes
    splits = create_splits_scenes()
    names = {s['name'] for s in nusc.scene}
    assert names & set(splits['mini_train'])
    assert names & set(splits['mini_val'])
    assert names <= set(splits['mini_train']) | set(splits['mini_val'])
    assert len(nusc.sample) == TINY['num_scenes'] * TINY['samples_per_scene']
    for sample in nusc.sample:
        assert set(sample['data']) == {
            'LIDAR_TOP', 'CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT',
            'CAM_BACK', 'CAM_BACK_LEFT', 'CAM_BACK_RIGHT'}
        sd = nusc.get('sample_data', sample['data']['LIDAR_TOP'])
        # past sweeps are linked before every key frame
        prev = nusc.get('sample_data', sd['prev'])
        assert not prev['is_key_frame']
        assert prev['filename'].startswith('sweeps/LIDAR_TOP/')
        cam = nusc.get('sample_data', sample['data']['CAM_FRONT'])
        assert (cam['width'], cam['height']) == TINY['image_size']
        img = Image.open(osp.join(nusc.dataroot, cam['filename']))
        assert img.size == TINY['image_size']
    for log in nusc.log:
        assert osp.isfile(osp.join(nusc.dataroot,
                                   nusc.get('map', log['map_token'])[
                                       'filename']))
    categories = {nusc.get('category', nusc.get(
        'instance', a['instance_token'])['category_token'])['name']
        for a in nusc.sample_annotation}
    assert {'vehicle.car', 'vehicle.truck', 'vehicle.bus.rigid',
            'vehicle.trailer', 'vehicle.construction', 'vehicle.bicycle',
            'vehicle.motorcycle', 'human.pedestrian.adult',
            'movable_object.barrier', 'movable_object.trafficcone'
            } <= categories


def test_velocities_are_consistent(nusc):
    from pyquaternion import Quaternion
    moving = 0
    for ann in nusc.sample_annotation:
        if not ann['next']:
            continue
        nxt = nusc.get('sample_annotation', ann['next'])
        assert nxt['size'] == ann['size']
        vel = nusc.box_velocity(ann['token'])
        attrs = [nusc.get('attribute', t)['name']
                 for t in ann['attribute_tokens']]
        speed = np.linalg.norm(vel[:2])
        if 'vehicle.parked' in attrs or 'pedestrian.standing' in attrs:
            assert speed < 1e-3
        if 'vehicle.moving' in attrs or 'pedestrian.moving' in attrs:
            assert speed > 0.5
            heading = Quaternion(ann['rotation']).rotation_matrix[:2, 0]
            assert np.dot(heading, vel[:2]) / speed > 0.99
            moving += 1
    assert moving > 0


def test_detection_eval_on_ground_truth_gives_map_one(nusc, synth_nusc_root,
                                                      tmp_path):
    from nuscenes.eval.common.config import config_factory
    from nuscenes.eval.detection.evaluate import DetectionEval
    from nuscenes.eval.detection.utils import category_to_detection_name
    from nuscenes.utils.splits import create_splits_scenes
    val = set(create_splits_scenes()['mini_val'])
    results = {}
    for sample, scene in _key_frames(nusc):
        if scene['name'] not in val:
            continue
        boxes = []
        for tok in sample['anns']:
            ann = nusc.get('sample_annotation', tok)
            name = category_to_detection_name(ann['category_name'])
            if name is None or ann['num_lidar_pts'] + ann[
                    'num_radar_pts'] == 0:
                continue  # what the evaluation drops from the ground truth
            attrs = [nusc.get('attribute', t)['name']
                     for t in ann['attribute_tokens']]
            vel = np.nan_to_num(nusc.box_velocity(tok)[:2]).tolist()
            boxes.append(dict(sample_token=sample['token'],
                              translation=ann['translation'],
                              size=ann['size'], rotation=ann['rotation'],
                              velocity=vel, detection_name=name,
                              detection_score=1.0,
                              attribute_name=attrs[0] if attrs else ''))
        results[sample['token']] = boxes
    path = tmp_path / 'results.json'
    meta = dict(use_camera=True, use_lidar=True, use_radar=False,
                use_map=False, use_external=False)
    path.write_text(json.dumps(dict(meta=meta, results=results)))
    ev = DetectionEval(nusc, config_factory('detection_cvpr_2019'),
                       str(path), eval_set='mini_val',
                       output_dir=str(tmp_path), verbose=False)
    metrics, _ = ev.evaluate()
    assert metrics.mean_ap == pytest.approx(1.0)
    assert metrics.tp_errors['trans_err'] == pytest.approx(0.0, abs=1e-6)
    assert metrics.tp_errors['vel_err'] == pytest.approx(0.0, abs=1e-6)


def test_occ3d_labels_format(nusc, synth_nusc_root):
    for sample, scene in _key_frames(nusc):
        path = osp.join(synth_nusc_root, 'gts', scene['name'],
                        sample['token'], 'labels.npz')
        with np.load(path) as data:
            assert set(data.files) == {'semantics', 'mask_lidar',
                                       'mask_camera'}
            for key in data.files:
                assert data[key].dtype == np.uint8
                assert data[key].shape == (200, 200, 16)
            assert data['semantics'].max() <= 17
            for key in ('mask_lidar', 'mask_camera'):
                assert set(np.unique(data[key])) == {0, 1}
            sem = data['semantics']
            # the ground layer (z in [-0.2, 0.2)) holds the road under the ego
            assert sem[100, 100, 2] == 11 and sem[100, 100, 5] == FREE
            assert data['mask_camera'][120, 100, 3] == 1  # 8 m ahead
            assert data['mask_camera'][100, 100, 0] == 0  # underground


def test_lidar_points_agree_with_occupancy(nusc, synth_nusc_root):
    in_range = non_free = class_ok = in_box = seen = 0
    for sample, scene in _key_frames(nusc):
        sd, pc = _lidar_points(nusc, sample)
        labels, boxes = _box_labels(nusc, sd, pc.points)
        ego = _to_ego(nusc, sd, pc.points)
        idx = np.floor((ego - np.array([[-40], [-40], [-1]])) / 0.4).astype(
            int)
        ok = np.all((idx >= 0) & (idx < np.array([[200], [200], [16]])), 0)
        with np.load(osp.join(synth_nusc_root, 'gts', scene['name'],
                              sample['token'], 'labels.npz')) as data:
            sem = data['semantics'][tuple(idx[:, ok])]
            lidar_seen = data['mask_lidar'][tuple(idx[:, ok])]
        expected = np.array([CATEGORY_TO_OCC[boxes[i].name]
                             if i >= 0 else -1 for i in labels[ok]])
        in_range += ok.sum()
        non_free += (sem != FREE).sum()
        seen += lidar_seen.sum()
        boxed = expected >= 0
        in_box += boxed.sum()
        class_ok += (sem[boxed] == expected[boxed]).sum()
        # num_lidar_pts is the number of returns inside the box
        counts = np.bincount(labels[labels >= 0], minlength=len(boxes))
        anns = [nusc.get('sample_annotation', t) for t in sample['anns']]
        by_token = {b.token: c for b, c in zip(boxes, counts)}
        for ann in anns:
            assert abs(by_token[ann['token']] - ann['num_lidar_pts']) <= max(
                2, 0.02 * ann['num_lidar_pts'])
    assert in_range > 10000 and in_box > 500
    assert non_free / in_range >= 0.99
    assert seen / in_range >= 0.99
    assert class_ok / in_box >= 0.95


def test_lidar_points_land_on_their_objects_segments(nusc, synth_nusc_root):
    from nuscenes.utils.geometry_utils import view_points
    from pyquaternion import Quaternion
    checked = consistent = 0
    for sample, _ in _key_frames(nusc):
        sd, pc = _lidar_points(nusc, sample)
        labels, _ = _box_labels(nusc, sd, pc.points)
        ego_l = nusc.get('ego_pose', sd['ego_pose_token'])
        world = Quaternion(ego_l['rotation']).rotation_matrix @ _to_ego(
            nusc, sd, pc.points) + np.asarray(ego_l['translation'])[:, None]
        for channel in ('CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT',
                        'CAM_BACK', 'CAM_BACK_LEFT', 'CAM_BACK_RIGHT'):
            cam = nusc.get('sample_data', sample['data'][channel])
            ego_c = nusc.get('ego_pose', cam['ego_pose_token'])
            cs = nusc.get('calibrated_sensor', cam['calibrated_sensor_token'])
            p = Quaternion(ego_c['rotation']).rotation_matrix.T @ (
                world - np.asarray(ego_c['translation'])[:, None])
            p = Quaternion(cs['rotation']).rotation_matrix.T @ (
                p - np.asarray(cs['translation'])[:, None])
            uv = np.round(view_points(p, np.array(cs['camera_intrinsic']),
                                      normalize=True)[:2]).astype(int)
            ok = (p[2] > 0.5) & (uv[0] >= 0) & (uv[0] < cam['width']) & (
                uv[1] >= 0) & (uv[1] < cam['height'])
            stem = osp.splitext(osp.basename(cam['filename']))[0]
            seg = np.array(Image.open(osp.join(
                synth_nusc_root, 'segments', channel, stem + '.png')))
            assert seg.dtype == np.uint16 and seg.shape == (cam['height'],
                                                            cam['width'])
            assert seg.min() >= 1
            ids, lab = seg[uv[1, ok], uv[0, ok]], labels[ok]
            # each segment belongs to the label most of its points carry
            pairs = np.unique(np.stack([ids, lab + 1]), axis=1,
                              return_counts=True)
            owner = {}
            for (sid, lb), n in zip(pairs[0].T, pairs[1]):
                if n > owner.get(sid, (0, -1))[0]:
                    owner[sid] = (n, lb)
            boxed = lab >= 0
            checked += boxed.sum()
            consistent += sum(owner[s][1] == lb + 1
                              for s, lb in zip(ids[boxed], lab[boxed]))
    assert checked > 300
    assert consistent / checked >= 0.93  # misses: occluded from a camera


def _digest(root: str) -> dict:
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = hashlib.md5(
                    f.read()).hexdigest()
    return out


def test_same_seed_same_files_other_seed_differs(tmp_path):
    small = dict(TINY, num_scenes=1, samples_per_scene=2,
                 image_size=(64, 36), lidar_azimuths=256)
    roots = [str(tmp_path / n) for n in ('a', 'b', 'c')]
    generate_synth_nuscenes(roots[0], progress=False, **small)
    generate_synth_nuscenes(roots[1], progress=False, workers=2,
                            **dict(small, num_scenes=1))
    generate_synth_nuscenes(roots[2], progress=False,
                            **dict(small, seed=small['seed'] + 1))
    a, b, c = (_digest(r) for r in roots)
    assert a == b
    # other seed: other tokens, times and content (only visibility.json,
    # which holds no token, may coincide)
    assert len(set(a.values()) & set(c.values())) <= 1
    assert not osp.exists(roots[0] + '.partial')


def test_cli_refuses_non_empty_output(tmp_path):
    (tmp_path / 'keep.txt').write_text('x')
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'create_data.py'),
         'synth-nuscenes', '--preset', 'tiny', '--out', str(tmp_path)],
        capture_output=True, text=True, cwd=REPO,
        env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode != 0
    assert '--overwrite' in proc.stderr
    assert (tmp_path / 'keep.txt').exists()
