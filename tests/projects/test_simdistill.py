"""SimDistill (projects/SimDistill): BEV shapes and grid alignment of the
teacher, the baseline and the simulated multi-modal student, the
object-aware mask on hand-placed boxes, the quality-aware prediction loss on
hand-computed values, the distiller (losses vanish for an identical teacher,
no gradient into the teacher, the student ignores the points) and a
train -> checkpoint -> extract -> tools/test.py round trip with nuScenes
mAP / NDS on a tiny synthetic set."""
import copy
import math
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmdet3d.structures import Det3DDataSample, LiDARInstance3DBoxes
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.structures import InstanceData

import projects.SimDistill.simdistill  # noqa: F401  (registers the modules)
from crossdistill.registry import DATASETS
from driving_helpers import (build, distill_extract_test, preprocess,
                             train_teacher)
from projects.SimDistill.simdistill import (BEVFusionDetector,
                                            CameraBEVDetector,
                                            GeometryCompensation,
                                            QualityAwarePredictionLoss,
                                            SimDistillDetector,
                                            SimDistillDistiller)
from projects.SimDistill.simdistill.losses import max_bev_iou
from tool_helpers import REPO, tiny_config

CONFIGS = osp.join(REPO, 'projects', 'SimDistill', 'configs')
SUFFIX = '_12e_synth-nus-det'
TEACHER = 'bevfusion_r18w16_6e_synth-nus-det'
LIDAR_TEACHER = 'bevfusion-l_pillar_6e_synth-nus-det'
BASELINE = 'bevfusion-c_r18w16' + SUFFIX
STUDENT = 'simdistill-gcm-nokd_r18w16' + SUFFIX
SIMDISTILL = 'simdistill_simdistill-gcm-r18w16_bevfusion-r18w16' + SUFFIX
DISTILL_LOSSES = ('distill.loss_imd', 'distill.loss_cmd',
                  'distill.loss_mmd_f', 'distill.loss_mmd_p')
BEV = (128, 128)  # 0.8 m cells over [-51.2, 51.2] m
CELL, ORIGIN = 0.8, -51.2


def cfg_path(name: str) -> str:
    return osp.join(CONFIGS, name + '.py')


def load_cfg(name: str) -> Config:
    cfg = Config.fromfile(cfg_path(name))
    if 'teacher_ckpt' in cfg.model:
        cfg.model.teacher_ckpt = None
    return cfg


def lidar_sample(boxes, labels) -> Det3DDataSample:
    """A data sample with hand-placed (N, 9) bottom-centre LiDAR boxes."""
    sample = Det3DDataSample()
    sample.gt_instances_3d = InstanceData(
        bboxes_3d=LiDARInstance3DBoxes(torch.tensor(boxes), box_dim=9),
        labels_3d=torch.tensor(labels))
    return sample


# ---------------------------------------------------------------- fixtures
# nusc_root (conftest.py): the tiny synthetic nuScenes + Occ3D set.
def dataset_sample(nusc_root: str, split: str) -> dict:
    cfg = Config.fromfile(cfg_path(TEACHER))
    loader = cfg[f'{split}_dataloader']
    loader.dataset.data_root = nusc_root + '/'
    np.random.seed(0)  # the image augmentation
    return DATASETS.build(loader.dataset)[0]


@pytest.fixture(scope='module')
def train_sample(nusc_root) -> dict:
    """The training sample through the train pipeline (with boxes)."""
    sample = dataset_sample(nusc_root, 'train')
    assert len(sample['data_samples'].gt_instances_3d) > 0
    return sample


@pytest.fixture(scope='module')
def test_sample(nusc_root) -> dict:
    """The validation sample through the test pipeline (no flip)."""
    return dataset_sample(nusc_root, 'val')


@pytest.fixture(scope='module')
def models() -> dict:
    return {
        name: build(load_cfg(cfg).model).eval()
        for name, cfg in (('teacher', TEACHER), ('baseline', BASELINE),
                          ('student', STUDENT), ('lidar', LIDAR_TEACHER))
    }


# -------------------------------------------------- shapes and alignment
def test_every_bev_feature_is_on_the_teachers_grid(models, train_sample):
    teacher, student = models['teacher'], models['student']
    baseline, lidar_only = models['baseline'], models['lidar']
    assert isinstance(teacher, BEVFusionDetector) and teacher.with_camera
    assert isinstance(lidar_only, BEVFusionDetector)
    assert not lidar_only.with_camera
    assert type(baseline) is CameraBEVDetector
    assert isinstance(student, SimDistillDetector)
    assert isinstance(student.uv_gcm, GeometryCompensation)
    assert isinstance(student.bev_gcm, GeometryCompensation)
    data = preprocess(teacher, [train_sample], training=False)
    inputs, samples = data['inputs'], data['data_samples']
    with torch.no_grad():
        img_feats = teacher.extract_img_feat(inputs)
        params = teacher.camera_params(samples, img_feats.device)
        feats = {
            'teacher camera': teacher.extract_camera_bev(img_feats, params),
            'teacher lidar': teacher.extract_lidar_bev(inputs['points']),
            'teacher fused': teacher.extract_bev(inputs, samples),
            'lidar-only': lidar_only.extract_bev(inputs, samples),
            'baseline camera': baseline.extract_bev(inputs, samples),
            'student fused': student.extract_bev(inputs, samples),
        }
        s_feats = student.extract_img_feat(inputs)
        feats['student camera'] = student.extract_camera_bev(
            s_feats, params)
        feats['student sim-lidar'] = student.extract_sim_lidar_bev(
            s_feats, params)
        heads = {name: model(inputs, samples, mode='tensor')
                 for name, model in models.items()}
        targets = teacher.bbox_head.get_targets(
            [s.gt_instances_3d for s in samples])[0]
    assert img_feats.shape == (1, 6, 32, 16, 44)  # stride 8 of 128 x 352
    channels = {
        'teacher camera': 32, 'teacher lidar': 64, 'teacher fused': 64,
        'lidar-only': 64, 'baseline camera': 32, 'student fused': 64,
        'student camera': 32, 'student sim-lidar': 64
    }
    for name, feat in feats.items():
        assert feat.shape == (1, channels[name], *BEV), name
    # The simulated LiDAR BEV has the real one's width (CMD needs no
    # connector) and the fused maps match (MMD-F).
    assert (feats['student sim-lidar'].shape ==
            feats['teacher lidar'].shape)
    for name, preds in heads.items():
        assert len(preds) == 1 and len(preds[0]) == 1, name
        assert preds[0][0]['heatmap'].shape == (1, 10, *BEV), name
        assert preds[0][0]['reg'].shape == (1, 2, *BEV), name
    assert targets[0].shape == (1, 10, *BEV)


def _cell_centroid(weights: torch.Tensor):
    """Metric (x, y) centroid of a (Y, X) map of non-negative weights."""
    rows, cols = torch.meshgrid(torch.arange(BEV[0]), torch.arange(BEV[1]),
                                indexing='ij')
    xs = ORIGIN + (cols + 0.5) * CELL
    ys = ORIGIN + (rows + 0.5) * CELL
    return ((weights * xs).sum() / weights.sum(),
            (weights * ys).sum() / weights.sum())


def test_lidar_bev_and_gt_heatmap_put_a_point_on_the_same_cell(models,
                                                               train_sample):
    """Points around LiDAR (20.2, -10.2) change the LiDAR BEV around
    column (20.2 + 51.2) / 0.8 and row (-10.2 + 51.2) / 0.8, where the
    head's target puts a box centred there: maps are (Y, X) in the LiDAR
    frame."""
    teacher = models['teacher']
    gen = torch.Generator().manual_seed(0)
    cluster = torch.rand(300, 5, generator=gen) * torch.tensor(
        [1., 1., 1., 0., 0.]) + torch.tensor([19.7, -10.7, -1., 0., 0.])
    anchor = torch.tensor([[-40., 40., 0., 0., 0.]])
    with torch.no_grad():
        without = teacher.extract_lidar_bev([anchor])
        with_cluster = teacher.extract_lidar_bev(
            [torch.cat([anchor, cluster])])
    diff = (with_cluster - without).abs().sum(dim=(0, 1))
    x, y = _cell_centroid(diff)
    assert abs(x - 20.2) < 2 and abs(y + 10.2) < 2
    assert diff[:, :80].sum() == 0 and diff[:40].sum() == 0

    box = [[20.2, -10.2, -1., 4., 2., 1.5, 0., 0., 0.]]
    heatmap = teacher.bbox_head.get_targets(
        [lidar_sample(box, [0]).gt_instances_3d])[0][0][0, 0]
    row, col = divmod(int(heatmap.argmax()), BEV[1])
    assert heatmap[row, col] == 1
    assert (row, col) == (51, 89)


def test_camera_bev_lies_along_each_cameras_optical_axis(models,
                                                         test_sample):
    """Image features of one camera only land in the BEV cells in front
    of that camera, in the LiDAR frame (lidar2ego applied, (Y, X)
    layout)."""
    student = models['student']
    data = preprocess(student, [test_sample], training=False)
    meta = data['data_samples'][0].metainfo
    params = student.camera_params(data['data_samples'], torch.device('cpu'))
    ego2lidar = np.linalg.inv(meta['lidar2ego'])
    blank = torch.zeros(1, 6, 32, 16, 44)
    for cam in range(6):
        feats = blank.clone()
        feats[0, cam] = 1.0
        for transform in (student.view_transform,
                          student.lidar_view_transform):
            with torch.no_grad():
                bev = (student.lift(transform, feats, params) -
                       student.lift(transform, blank, params))
            support = (bev.abs().sum(dim=(0, 1)) > 0).float()
            assert 0 < support.mean() < 0.5
            cam2lidar = ego2lidar @ meta['cam2ego'][cam]
            axis = cam2lidar[:2, 2] / np.linalg.norm(cam2lidar[:2, 2])
            x, y = _cell_centroid(support)
            offset = np.array([x - cam2lidar[0, 3], y - cam2lidar[1, 3]])
            assert offset @ axis / np.linalg.norm(offset) > 0.95, cam


# ------------------------------------------------------- object-aware mask
@pytest.fixture(scope='module')
def simdistill_cfg() -> Config:
    return load_cfg(SIMDISTILL)


@pytest.fixture(scope='module')
def distiller(simdistill_cfg) -> SimDistillDistiller:
    return build(simdistill_cfg.model)


def test_gt_heatmap_mask_on_hand_placed_boxes(distiller):
    # Sample 0: a car and a barrier on the same cell (64, 64), a box
    # outside the grid. Sample 1: a pedestrian at cell (row 101, col 38).
    car = [0.2, 0.2, -1., 4., 2., 1.5, 0., 0., 0.]
    barrier = [0.2, 0.2, -1., 0.5, 2.5, 1., 0., 0., 0.]
    outside = [60., 0., -1., 4., 2., 1.5, 0., 0., 0.]
    pedestrian = [-20.2, 30.2, -1., 0.8, 0.8, 1.8, 0., 0., 0.]
    samples = [lidar_sample([car, barrier, outside], [0, 5, 0]),
               lidar_sample([pedestrian], [8])]
    mask = distiller.gt_heatmap_mask(samples)
    assert mask.shape == (2, 1, *BEV) and mask.dtype == torch.float32
    assert 0 <= mask.min() and mask.max() == 1
    # Overlapping objects keep the peak at 1 (maximum, not sum).
    assert mask[0, 0, 64, 64] == 1
    assert mask[0, 0].flatten().argmax() == 64 * BEV[1] + 64
    assert torch.equal(mask[0, 0, 64, 60:69], mask[0, 0, 64, 60:69].flip(0))
    assert mask[0, 0, :, 100:].sum() == 0  # the outside box leaves none
    # The pedestrian: 1 x 1 cells, so the minimum radius 2, sigma 5 / 6.
    ped = mask[1, 0]
    assert ped[101, 38] == 1
    sigma = 5 / 6
    for row, col in ((100, 38), (102, 38), (101, 37), (101, 39)):
        assert ped[row, col].item() == pytest.approx(
            math.exp(-1 / (2 * sigma**2)), rel=1e-5)
    assert ped[101, 40].item() == pytest.approx(
        math.exp(-4 / (2 * sigma**2)), rel=1e-5)
    assert ped[101, 41] == 0 and ped[98, 38] == 0
    assert ped[99, 36].item() == pytest.approx(
        math.exp(-8 / (2 * sigma**2)), rel=1e-5)
    assert (ped > 0).sum() == 5 * 5  # the (2 radius + 1)^2 window
    assert mask[1, 0, 64, 64] == 0


# --------------------------------------------------- prediction distillation
def _head_maps(height: int, width: int, value: float = 0.0) -> dict:
    shapes = dict(heatmap=1, reg=2, height=1, dim=3, rot=2, vel=2)
    return {k: torch.full((1, c, height, width), value)
            for k, c in shapes.items()}


def test_quality_score_is_the_bev_iou_with_the_ground_truth():
    # A 2 x 4 grid of 1 m cells over [0, 4] x [0, 2]; one 1 x 1 m GT box on
    # cell (row 0, col 1).
    loss = QualityAwarePredictionLoss(point_cloud_range=[0, 0, -5, 4, 2, 3],
                                      voxel_size=[1, 1],
                                      out_size_factor=1)
    teacher = _head_maps(2, 4)
    teacher['reg'].fill_(0.5)  # boxes centred on their cells
    teacher['rot'][:, 1] = 1.0  # yaw 0
    teacher['dim'][0, 1, 1, 1] = math.log(3)  # 1 x 3 m at (row 1, col 1)
    gt = lidar_sample([[1.5, 0.5, -0.5, 1., 1., 1., 0., 0., 0.]], [0])
    quality = loss.quality(teacher, [gt], range(0, 1))
    expected = torch.tensor([[0., 1., 0., 0.], [0., 1 / 3, 0., 0.]])
    assert torch.allclose(quality[0], expected, atol=1e-5)
    # The GT of another task does not count.
    assert loss.quality(teacher, [gt], range(1, 3)).sum() == 0
    # Yaw from (sin, cos): a 1 x 3 box turned by 90 degrees covers a
    # 3 x 1 box exactly.
    turned = torch.tensor([[1., 1., 0., 1., 3., 1., math.pi / 2]])
    wide = torch.tensor([[1., 1., 3., 1., 0.]])
    assert max_bev_iou(turned, wide).item() == pytest.approx(1, abs=1e-5)
    assert max_bev_iou(turned, wide[:0]).item() == 0


def test_quality_aware_prediction_loss_hand_computed():
    loss = QualityAwarePredictionLoss(
        point_cloud_range=[0, 0, -5, 4, 2, 3],
        voxel_size=[1, 1],
        out_size_factor=1,
        code_weights=[1.] * 8 + [0.2, 0.2])
    teacher = _head_maps(2, 4)
    teacher['reg'].fill_(0.5)
    teacher['rot'][:, 1] = 1.0
    teacher['dim'][0, 1, 1, 1] = math.log(3)
    teacher['heatmap'][0, 0, 0, 1] = 1.2
    teacher['heatmap'][0, 0, 1, 1] = 0.2
    student = copy.deepcopy(teacher)
    student['heatmap'][0, 0, 0, 1] = 0.3
    student['heatmap'][0, 0, 1, 1] = -0.5
    student['height'][0, 0, 0, 1] += 0.05  # |d| < beta = 1/9
    student['vel'][0, 0, 1, 1] += 1.0  # |d| >= beta, code weight 0.2
    # Cells of quality 0 do not count, whatever they predict.
    for maps in student.values():
        maps[..., 2:] += 5.0
        maps[..., 0] -= 5.0
    gt = lidar_sample([[1.5, 0.5, -0.5, 1., 1., 1., 0., 0., 0.]], [0])
    value = loss([[student]], [[teacher]], [gt])

    def qfl(student_logit, teacher_logit):
        s = torch.sigmoid(torch.tensor(student_logit)).item()
        t = torch.sigmoid(torch.tensor(teacher_logit)).item()
        return -abs(t - s)**2 * (t * math.log(s) + (1 - t) * math.log(1 - s))

    beta = 1 / 9
    quality = (1.0, 1 / 3)
    cls = quality[0] * qfl(0.3, 1.2) + quality[1] * qfl(-0.5, 0.2)
    box = quality[0] * 0.5 * 0.05**2 / beta + quality[1] * 0.2 * (1 - beta /
                                                                  2)
    expected = (cls + box) / sum(quality)
    assert value.item() == pytest.approx(expected, rel=1e-4)
    # Zero for an identical student; no ground truth: no quality, no loss.
    assert loss([[teacher]], [[teacher]], [gt]).item() == pytest.approx(
        0, abs=1e-7)
    empty = lidar_sample([], [])
    assert loss([[student]], [[teacher]], [empty]).item() == 0


# ----------------------------------------------------------- the distiller
def test_distiller_trains_the_student_only(distiller, train_sample):
    distiller.train()
    assert not distiller.teacher.training
    distiller.zero_grad()
    data = distiller.data_preprocessor(
        pseudo_collate(copy.deepcopy([train_sample])), True)
    losses = distiller(**data, mode='loss')
    assert set(losses) == {
        'task0.loss_heatmap', 'task0.loss_bbox', 'loss_depth_camera',
        'loss_depth_sim_lidar', *DISTILL_LOSSES
    }
    for name in DISTILL_LOSSES:
        assert torch.isfinite(losses[name]) and losses[name] > 0, name
    student = distiller.student
    # The head's loss (an in-place sigmoid) left the recorded logits alone.
    logits = distiller.student_recorders['preds'].get()[0][0]['heatmap']
    assert logits.min() < 0 and logits.max() > 1
    # CMD alone reaches both geometry compensation modules and the image
    # encoder through the simulated-LiDAR branch.
    losses['distill.loss_cmd'].backward(retain_graph=True)
    for module in (student.bev_gcm, student.uv_gcm, student.lidar_adapter,
                   student.lidar_view_transform, student.img_backbone):
        grads = [p.grad for p in module.parameters() if p.requires_grad]
        assert any(g is not None and g.abs().sum() > 0 for g in grads)
    assert student.view_transform.depth_net[0].weight.grad is None
    sum(losses.values()).backward()
    assert not any(p.requires_grad for p in distiller.teacher.parameters())
    assert all(p.grad is None for p in distiller.teacher.parameters())
    heatmap = student.bbox_head.task_heads[0].heatmap[-1].weight
    assert heatmap.grad is not None and heatmap.grad.abs().sum() > 0


def test_depth_loss_supervises_each_lss_of_a_camera_model(
        models, train_sample):
    """The synthetic camera models supervise every LSS depth net with the
    LiDAR depth maps, each loss reaching its own depth net only; the
    LiDAR-only teacher has no depth loss."""
    camera = {'camera': 'view_transform'}
    for name, branches in (('baseline', camera), ('teacher', camera),
                           ('student', {
                               'camera': 'view_transform',
                               'sim_lidar': 'lidar_view_transform'
                           }), ('lidar', {})):
        # A copy: training-mode BN would move the shared models' statistics.
        model = copy.deepcopy(models[name]).train()
        data = preprocess(model, [train_sample], training=True)
        losses = model.loss(**data)
        depth_losses = {k for k in losses if k.startswith('loss_depth')}
        assert depth_losses == {f'loss_depth_{b}' for b in branches}, name
        for branch, module in branches.items():
            model.zero_grad()
            loss = losses[f'loss_depth_{branch}']
            assert torch.isfinite(loss) and loss > 0
            loss.backward(retain_graph=True)
            for other, other_module in branches.items():
                grad = getattr(model, other_module).depth_net[0].weight.grad
                reached = grad is not None and grad.abs().sum() > 0
                assert reached == (other == branch), (name, branch, other)
            assert model.bbox_head.task_heads[0].heatmap[-1].weight.grad \
                is None
    data = preprocess(models['baseline'], [train_sample], training=True)
    del data['data_samples'][0].gt_depth
    with pytest.raises(KeyError, match='PointsToMultiViewDepth'):
        models['baseline'].loss(**data)
    lidar_cfg = load_cfg(LIDAR_TEACHER).model
    lidar_cfg.loss_depth = dict(type='LSSDepthLoss')
    with pytest.raises(ValueError, match='LiDAR-only'):
        build(lidar_cfg)


def test_distill_losses_vanish_for_an_identical_teacher(
        simdistill_cfg, train_sample):
    cfg = copy.deepcopy(simdistill_cfg.model)
    # The teacher is a copy of the student (teacher_mode='ema'), recorded
    # at the same places.
    cfg.teacher, cfg.teacher_mode, cfg.teacher_inputs = None, 'ema', ['img']
    cfg.teacher_recorders = copy.deepcopy(cfg.student_recorders)
    model = build(cfg)
    model.eval()  # both use the BN running statistics
    data = model.data_preprocessor(
        pseudo_collate(copy.deepcopy([train_sample])), True)
    with torch.no_grad():
        same = model(**data, mode='loss')
        for param in model.teacher.parameters():
            param.add_(torch.randn_like(param) * 0.1)
        other = model(**data, mode='loss')
    for name in DISTILL_LOSSES:
        assert abs(same[name].item()) < 1e-6, name
        assert other[name].item() > 1e-4, name


def test_the_student_ignores_the_points(models, test_sample):
    teacher = models['teacher']
    for name in ('student', 'baseline', 'teacher'):
        model = models[name]
        data = preprocess(model, [test_sample], training=False)
        inputs, samples = data['inputs'], data['data_samples']
        moved = dict(inputs,
                     points=[p + p.new_tensor([3., 0., 0., 0., 0.])
                             for p in inputs['points']])
        with torch.no_grad():
            pred = model(inputs, copy.deepcopy(samples), mode='predict')[0]
            pred_moved = model(moved, copy.deepcopy(samples),
                               mode='predict')[0]
        boxes = pred.pred_instances_3d.bboxes_3d.tensor
        boxes_moved = pred_moved.pred_instances_3d.bboxes_3d.tensor
        if model is teacher:
            assert not torch.equal(boxes, boxes_moved)
            with pytest.raises(KeyError, match='points'):
                model({'imgs': inputs['imgs']}, samples, mode='predict')
            continue
        assert torch.equal(boxes, boxes_moved), name
        assert torch.equal(pred.pred_instances_3d.scores_3d,
                           pred_moved.pred_instances_3d.scores_3d), name
        with torch.no_grad():
            no_points = model({'imgs': inputs['imgs']},
                              copy.deepcopy(samples), mode='predict')[0]
        assert torch.equal(no_points.pred_instances_3d.bboxes_3d.tensor,
                           boxes), name
        # What NuScenesMetric reads.
        assert isinstance(pred.pred_instances_3d.bboxes_3d,
                          LiDARInstance3DBoxes)
        assert pred.pred_instances_3d.bboxes_3d.tensor.shape[1] == 9
        assert 'pred_instances' in pred


def test_gt_heatmap_source_needs_a_center_head(distiller):
    student = distiller.student
    head = student.bbox_head
    del student.bbox_head
    try:
        with pytest.raises(KeyError, match='CenterHead'):
            distiller._check_spec('here', dict(source='gt_heatmap'))
    finally:
        student.bbox_head = head


# -------------------------------------------------------------- the tools
def det_config(tmp_path, name: str, data_root: str, *extra: str) -> str:
    """A project config trained 2 iterations (2 epochs of the 1 training
    sample) on ``data_root``, validated with nuScenes mAP / NDS there."""
    return tiny_config(tmp_path, cfg_path(name), data_root,
                       'nuscenes_infos_val.pkl', *extra, batch_size=1,
                       epochs=2, evaluator_data_root=True)


def nuscenes_scores(log: str):
    """(mAP, NDS) printed by the nuScenes devkit."""
    found = [re.findall(rf'^{key}: (\S+)$', log, re.M)
             for key in ('mAP', 'NDS')]
    assert all(found), log[-3000:]
    return tuple(values[-1] for values in found)


@pytest.fixture(scope='module')
def teacher_ckpt(nusc_root, tmp_path_factory) -> str:
    tmp_path = tmp_path_factory.mktemp('simdistill-teacher')
    return train_teacher(tmp_path, det_config(tmp_path, TEACHER, nusc_root),
                         nuscenes_scores)


def test_train_distill_extract_test_round_trip(nusc_root, teacher_ckpt,
                                               tmp_path):
    kd = det_config(tmp_path, SIMDISTILL, nusc_root)
    student = det_config(tmp_path, STUDENT, nusc_root)
    scores = distill_extract_test(
        tmp_path, kd, student, teacher_ckpt, DISTILL_LOSSES,
        'bev_gcm.layers.0.sampling_offsets.weight', nuscenes_scores)
    assert all(np.isfinite(float(v)) for v in scores)
