"""RadOcc (projects/RadOcc): the occupancy decoder, the camera student, the
LiDAR + camera teacher, the rendering distiller and a train -> checkpoint ->
extract -> test round trip on a tiny synthetic nuScenes + Occ3D set."""
import copy
import os.path as osp
import re
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet3d.structures import Det3DDataSample
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.structures import BaseDataElement
from torch import nn

import projects.RadOcc.radocc  # noqa: F401  (registers the modules)
from crossdistill.registry import DATASETS, MODELS
from driving_helpers import (build, distill_extract_test, preprocess,
                             train_teacher)
from projects.RadOcc.radocc import (BEVDetOcc, BEVFusionOcc, OccupancyDecoder,
                                    RenderingDistiller)
from projects.RadOcc.radocc.bevdet_occ import stack_gt_occ
from tool_helpers import REPO, run_tool, tiny_config

CONFIGS = osp.join(REPO, 'projects', 'RadOcc', 'configs')
STUDENT = 'bevdet-occ_r18w16_6e_synth-nus-occ3d'
TEACHER = 'bevfusion-occ_r18w16_12e_synth-nus-occ3d'
RADOCC = ('radocc_bevdet-occ-r18w16_bevfusion-occ-r18w16_6e_'
          'synth-nus-occ3d')
RENDER_LOSSES = ('distill.loss_rdc', 'distill.loss_sad',
                 'distill.loss_rsc_kl')
FREE = 17


def cfg_path(name: str) -> str:
    return osp.join(CONFIGS, name + '.py')


# ---------------------------------------------------------------- fixtures
# nusc_root (conftest.py): the tiny synthetic nuScenes + Occ3D set.
@pytest.fixture(scope='module')
def train_sample(nusc_root) -> dict:
    """The training sample through the student config's train pipeline."""
    cfg = Config.fromfile(cfg_path(STUDENT))
    cfg.train_dataloader.dataset.data_root = nusc_root + '/'
    np.random.seed(0)  # the image augmentation
    return DATASETS.build(cfg.train_dataloader.dataset)[0]


@pytest.fixture(scope='module')
def student_cfg() -> Config:
    return Config.fromfile(cfg_path(STUDENT))


@pytest.fixture(scope='module')
def teacher_cfg() -> Config:
    return Config.fromfile(cfg_path(TEACHER))


@pytest.fixture(scope='module')
def radocc_cfg() -> Config:
    cfg = Config.fromfile(cfg_path(RADOCC))
    cfg.model.teacher_ckpt = None
    return cfg


# --------------------------------------------------------- the decoder
@pytest.mark.parametrize('upsample', [1, 2])
def test_occupancy_decoder_shape_and_gradients(upsample):
    torch.manual_seed(0)
    decoder = OccupancyDecoder(in_channels=4, channels=8, num_blocks=2,
                               num_classes=18, upsample=upsample)
    volume = torch.randn(2, 4, 6, 5, 3)
    logits = decoder(volume)
    assert logits.shape == (2, 18, 6 * upsample, 5 * upsample, 3 * upsample)
    (logits * torch.randn_like(logits)).sum().backward()
    for name, param in decoder.named_parameters():
        assert param.grad is not None, name
        assert param.grad.abs().sum() > 0, name


def test_occupancy_decoder_upsamples_its_logits_trilinearly():
    torch.manual_seed(0)
    coarse = OccupancyDecoder(4, channels=8, num_blocks=3).eval()
    fine = OccupancyDecoder(4, channels=8, num_blocks=3, upsample=2).eval()
    fine.load_state_dict(coarse.state_dict())
    volume = torch.randn(1, 4, 4, 4, 2)
    with torch.no_grad():
        expected = F.interpolate(coarse(volume), scale_factor=2,
                                 mode='trilinear', align_corners=False)
        assert torch.allclose(fine(volume), expected, atol=1e-6)
    # Every block feeds the classifier (JS3C-Net's concatenation).
    assert fine.classifier.in_channels == 8 * 3


# --------------------------------------------------------- the student
def test_student_tensor_loss_predict(student_cfg, train_sample):
    model = build(student_cfg.model)
    assert isinstance(model, BEVDetOcc)
    data = preprocess(model, [train_sample])
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_occ', 'loss_depth'}
    for name, value in losses.items():
        assert value.ndim == 0 and torch.isfinite(value), name
        assert value > 0, name

    model.eval()
    data = preprocess(model, [train_sample], training=False)
    with torch.no_grad():
        logits = model(**data, mode='tensor')
        assert logits.shape == (1, 18, 200, 200, 16)
        samples = model(**data, mode='predict')
    pred = samples[0].pred_occ
    assert pred.dtype == torch.uint8 and pred.shape == (200, 200, 16)
    assert torch.equal(pred, logits[0].argmax(0).to(torch.uint8))


def test_student_loss_ignores_voxels_outside_the_camera_mask(
        student_cfg, train_sample):
    model = build(student_cfg.model).eval()  # deterministic forward
    data = preprocess(model, [train_sample])
    inputs, samples = data['inputs'], data['data_samples']
    mask = samples[0].gt_occ.mask_camera.bool()
    assert mask.any() and not mask.all()

    def loss_with(where):
        changed = copy.deepcopy(samples)
        labels = changed[0].gt_occ.voxel_semantics
        labels[where] = (labels[where] + 1) % 18
        with torch.no_grad():
            return model.loss(inputs, changed)['loss_occ']

    with torch.no_grad():
        base = model.loss(inputs, samples)['loss_occ']
    assert torch.equal(loss_with(~mask), base)
    assert not torch.allclose(loss_with(mask), base)
    # Without the camera mask the hidden voxels count.
    model.use_camera_mask = False
    with torch.no_grad():
        unmasked = model.loss(inputs, samples)['loss_occ']
    assert not torch.allclose(loss_with(~mask), unmasked)


def test_student_occupancy_loss_errors(student_cfg, train_sample):
    model = build(student_cfg.model)
    data = preprocess(model, [train_sample])
    samples = data['data_samples']
    coarse = torch.zeros(1, 18, 100, 100, 8)
    with pytest.raises(ValueError, match='upsample'):
        model.occupancy_loss(coarse, samples)
    del samples[0].gt_occ
    with pytest.raises(KeyError, match='LoadOccupancyGT'):
        stack_gt_occ(samples, 'mask_camera')


# --------------------------------------------------------- the teacher
def _shift(points, dx: float):
    return [p + p.new_tensor([dx, 0, 0, 0, 0]) for p in points]


def test_teacher_lidar_volume_matches_camera_volume(teacher_cfg,
                                                    train_sample):
    model = build(teacher_cfg.model).eval()
    assert isinstance(model, BEVFusionOcc)
    data = preprocess(model, [train_sample], training=False)
    inputs, samples = data['inputs'], data['data_samples']
    with torch.no_grad():
        camera, _ = model.extract_camera_volume(inputs, samples)
        lidar = model.extract_lidar_volume(inputs['points'], samples)
        fused, _ = model.extract_feat(inputs, samples)
    assert camera.shape == (1, 16, 100, 100, 8)
    assert lidar.shape == (1, 8, 100, 100, 8)
    assert fused.shape == camera.shape


def test_teacher_lidar_volume_is_in_the_ego_frame(teacher_cfg, train_sample):
    """Points placed around ego (20, -10) change the LiDAR volume around
    cell (75, 37.5) of the 0.8 m volume, and nowhere far from it: the points
    are moved to the ego frame (a 90 degree yaw here) and the volume is
    indexed [x, y]."""
    model = build(teacher_cfg.model).eval()
    data = preprocess(model, [train_sample], training=False)
    samples = data['data_samples']
    lidar2ego = torch.as_tensor(samples[0].metainfo['lidar2ego'],
                                dtype=torch.float32)
    assert not torch.allclose(lidar2ego[:3, :3], torch.eye(3))

    def lidar_points(ego_xyz):
        xyz = (ego_xyz - lidar2ego[:3, 3]) @ lidar2ego[:3, :3]
        return torch.cat([xyz, torch.zeros(len(xyz), 2)], dim=1)

    gen = torch.Generator().manual_seed(0)
    cluster = torch.rand(200, 3, generator=gen) * 2 + torch.tensor(
        [19., -11., 0.])
    anchor = torch.tensor([[-35., 35., 1.]])
    with torch.no_grad():
        without = model.extract_lidar_volume([lidar_points(anchor)], samples)
        with_cluster = model.extract_lidar_volume(
            [lidar_points(torch.cat([anchor, cluster]))], samples)
    diff = (with_cluster - without).abs().sum(dim=(0, 1, 4))  # (X, Y)
    assert diff.sum() > 0
    xs, ys = torch.meshgrid(torch.arange(100.), torch.arange(100.),
                            indexing='ij')
    centre_x = (diff * xs).sum() / diff.sum()
    centre_y = (diff * ys).sum() / diff.sum()
    # Cell centres: -40 + (i + 0.5) * 0.8, so x=20 -> 74.5, y=-10 -> 37.
    assert abs(centre_x - 74.5) < 3 and abs(centre_y - 37) < 3
    assert diff[:50].sum() == 0 and diff[:, 60:].sum() == 0


def test_only_the_teacher_reads_the_points(student_cfg, teacher_cfg,
                                           train_sample):
    teacher = build(teacher_cfg.model).eval()
    student = build(student_cfg.model).eval()
    for model in (teacher, student):
        data = preprocess(model, [train_sample], training=False)
        inputs, samples = data['inputs'], data['data_samples']
        moved = dict(inputs, points=_shift(inputs['points'], 3.0))
        with torch.no_grad():
            logits = model(inputs, samples, mode='tensor')
            logits_moved = model(moved, samples, mode='tensor')
            pred = model(inputs, copy.deepcopy(samples),
                         mode='predict')[0].pred_occ
            pred_moved = model(moved, copy.deepcopy(samples),
                               mode='predict')[0].pred_occ
        if model is teacher:
            assert (logits - logits_moved).abs().max() > 1e-3
            assert not torch.equal(pred, pred_moved)
        else:
            assert torch.equal(logits, logits_moved)
            assert torch.equal(pred, pred_moved)
            no_points = {'imgs': inputs['imgs']}
            with torch.no_grad():
                assert torch.equal(
                    model(no_points, samples, mode='tensor'), logits)
    data = preprocess(teacher, [train_sample], training=False)
    with pytest.raises(KeyError, match='points'):
        teacher({'imgs': data['inputs']['imgs']}, data['data_samples'],
                mode='tensor')


# ------------------------------------------------------- the distiller
def test_distiller_loss_step_trains_the_student_only(radocc_cfg,
                                                     train_sample):
    model = build(radocc_cfg.model)
    assert isinstance(model, RenderingDistiller)
    model.train()
    assert not model.teacher.training
    data = model.data_preprocessor(
        pseudo_collate(copy.deepcopy([train_sample])), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_occ', 'loss_depth', *RENDER_LOSSES}
    for name in RENDER_LOSSES:
        assert torch.isfinite(losses[name]) and losses[name] > 0, name
    # The distillation losses alone reach the student's image backbone
    # (rendering -> decoder -> LSS -> images).
    sum(losses[name] for name in RENDER_LOSSES).backward(retain_graph=True)
    stem = model.student.img_backbone.conv1.weight
    assert stem.grad is not None and stem.grad.abs().sum() > 0
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert not any(p.requires_grad for p in model.teacher.parameters())
    classifier = model.student.occ_head.classifier.weight
    assert classifier.grad is not None and classifier.grad.abs().sum() > 0


def test_rendering_losses_vanish_for_an_identical_teacher(
        radocc_cfg, train_sample):
    cfg = copy.deepcopy(radocc_cfg.model)
    # The teacher is a copy of the student (teacher_mode='ema').
    cfg.teacher, cfg.teacher_mode, cfg.teacher_inputs = None, 'ema', ['img']
    cfg.teacher_recorders = dict(
        logits=dict(type='ModuleOutputs', source='occ_head'))
    model = build(cfg)
    model.eval()  # both use the BN running statistics
    data = model.data_preprocessor(
        pseudo_collate(copy.deepcopy([train_sample])), True)
    with torch.no_grad():
        same = model(**data, mode='loss')
        weight = model.teacher.occ_head.classifier.weight
        weight.add_(torch.randn_like(weight) * 0.5)
        other = model(**data, mode='loss')
    for name in RENDER_LOSSES:
        assert abs(same[name].item()) < 1e-5, name
        assert other[name].item() > 1e-4, name


def test_distiller_mapping_errors(radocc_cfg):
    cfg = copy.deepcopy(radocc_cfg.model)
    cfg.loss_forward_mappings.loss_rdc.preds_S.field = 'colour'
    with pytest.raises(KeyError, match='colour'):
        build(cfg)
    cfg = copy.deepcopy(radocc_cfg.model)
    cfg.loss_forward_mappings.loss_sad.segments.field = 'depth'
    with pytest.raises(KeyError, match='rays.*segments.*depth'):
        build(cfg)
    for who in ('student', 'teacher'):
        cfg = copy.deepcopy(radocc_cfg.model)
        cfg[f'{who}_recorders'].pop('logits')
        with pytest.raises(KeyError, match=f'{who} recorder named'):
            build(cfg)


@MODELS.register_module(name='RadOccTestMaskSpy', force=True)
class MaskSpy(nn.Module):
    """A 'loss' that keeps what the distiller passes it."""

    def forward(self, occupied, visible):
        self.seen = (occupied, visible)
        return occupied.sum() * 0


def _gt_samples(labels: torch.Tensor, mask: torch.Tensor):
    samples = []
    for label, visible in zip(labels, mask):
        sample = Det3DDataSample()
        sample.gt_occ = BaseDataElement(voxel_semantics=label,
                                        mask_camera=visible)
        samples.append(sample)
    return samples


def test_gt_source_pools_the_visible_occupied_voxels(radocc_cfg):
    cfg = copy.deepcopy(radocc_cfg.model)
    cfg.distill_losses = dict(loss_gt=dict(type='RadOccTestMaskSpy'))
    cfg.loss_forward_mappings = dict(loss_gt=dict(
        occupied=dict(source='gt', field='occupied', pool=2),
        visible=dict(source='gt', field='mask_camera')))
    model = build(cfg)
    gen = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 18, (2, 200, 200, 16), generator=gen)
    labels[torch.rand(labels.shape, generator=gen) < 0.9] = FREE
    labels = labels.to(torch.uint8)
    mask = torch.rand(labels.shape, generator=gen) < 0.3
    # Hand-placed: a 2x2x2 cell whose only occupied voxel is hidden, and
    # one whose only visible voxel is occupied.
    labels[0, :2, :2, :2] = FREE
    labels[0, 0, 0, 0] = 3
    mask[0, :2, :2, :2] = True
    mask[0, 0, 0, 0] = False
    labels[1, 2:4, :2, :2] = 5
    mask[1, 2:4, :2, :2] = False
    mask[1, 3, 1, 1] = True
    losses = model.compute_distill_losses(_gt_samples(labels, mask))
    assert losses['distill.loss_gt'].item() == 0
    occupied, visible = model.distill_losses['loss_gt'].seen

    # (B, X/k, Y/k, Z/k) float, the documented contract.
    assert occupied.shape == (2, 100, 100, 8)
    assert occupied.dtype == torch.float32
    fg = (mask & (labels != FREE)).float()
    expected = fg.view(2, 100, 2, 100, 2, 8, 2).amax(dim=(2, 4, 6))
    assert torch.equal(occupied, expected)
    assert occupied[0, 0, 0, 0] == 0 and occupied[1, 1, 0, 0] == 1
    assert 0 < occupied.mean() < 1
    assert torch.equal(visible, mask.float())


def test_gt_class_weight_is_the_visible_voxels_ce_weight(radocc_cfg):
    cfg = copy.deepcopy(radocc_cfg.model)
    cfg.class_weight = [float(c + 1) for c in range(18)]
    cfg.distill_losses = dict(loss_gt=dict(type='RadOccTestMaskSpy'))
    cfg.loss_forward_mappings = dict(loss_gt=dict(
        occupied=dict(source='gt', field='class_weight'),
        visible=dict(source='gt', field='mask_camera')))
    model = build(cfg)
    labels = torch.full((1, 200, 200, 16), FREE, dtype=torch.uint8)
    labels[0, 0, 0, :3] = torch.tensor([0, 4, 9])
    mask = torch.zeros(labels.shape, dtype=torch.bool)
    mask[0, 0, 0, :2] = True
    mask[0, 5, 5, 5] = True
    model.compute_distill_losses(_gt_samples(labels, mask))
    weight, _ = model.distill_losses['loss_gt'].seen
    # Class c weighs c + 1 where visible (free = 17 weighs 18), else 0.
    assert weight[0, 0, 0, 0] == 1 and weight[0, 0, 0, 1] == 5
    assert weight[0, 0, 0, 2] == 0 and weight[0, 5, 5, 5] == 18
    assert weight.sum() == 1 + 5 + 18

    cfg.class_weight = None
    with pytest.raises(KeyError, match='needs the distiller argument'):
        build(cfg)


def test_rendering_is_free_outside_the_camera_mask(radocc_cfg):
    """visible_only: an occupied but invisible voxel renders nothing; the
    class-weight prior correction subtracts log w from the logits."""
    cfg = copy.deepcopy(radocc_cfg.model)
    model = build(cfg)
    renderer = model.renderer
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(1, 18, 200, 200, 16, generator=gen)
    visible = torch.rand(1, 200, 200, 16, generator=gen) < 0.5
    weights = torch.tensor(cfg.class_weight)
    torch.testing.assert_close(model.logit_offset, -weights.log())
    out = renderer.adjust_logits(logits, visible, model.logit_offset)
    inside = visible[:, None].expand_as(logits)
    adjusted = logits - weights.log().view(1, -1, 1, 1, 1)
    assert torch.allclose(out[inside], adjusted[inside])
    p_free = out.softmax(dim=1)[:, FREE]
    assert (p_free[~visible] > 1 - 1e-6).all()
    # A wall of occupied voxels the cameras cannot see stops no ray.
    fields = renderer.voxel_fields(out)
    assert fields[:, 0][~visible].abs().max() < 1e-9
    assert torch.equal(renderer.adjust_logits(logits), logits)
    # The distiller's nearest lookup gathers first: same fields.
    points = torch.rand(1, 64, 8, 3, generator=gen) * torch.tensor(
        [80.0, 80.0, 6.4]) - torch.tensor([40.0, 40.0, 1.0])
    whole = renderer.lookup(fields, points)
    gathered = renderer.nearest_lookup(logits, points, visible,
                                       model.logit_offset)
    for a, b in zip(whole, gathered):
        torch.testing.assert_close(a, b)


# -------------------------------------------------------------- the tools
def occ_config(tmp_path, name: str, data_root: str, *extra: str) -> str:
    """A project config trained 2 iterations (2 epochs of the 1 training
    sample) on ``data_root``, validated with its ``Occ3DMetric``."""
    return tiny_config(tmp_path, cfg_path(name), data_root, None, *extra,
                       batch_size=1, epochs=2)


def miou(log: str) -> str:
    found = re.findall(r'mIoU: (\S+)', log)
    assert found, log[-3000:]
    float(found[-1])
    return found[-1]


@pytest.fixture(scope='module')
def teacher_ckpt(nusc_root, tmp_path_factory) -> str:
    tmp_path = tmp_path_factory.mktemp('radocc-teacher')
    return train_teacher(tmp_path, occ_config(tmp_path, TEACHER, nusc_root),
                         miou)


def test_train_distill_extract_test_round_trip(nusc_root, teacher_ckpt,
                                               tmp_path):
    kd = occ_config(tmp_path, RADOCC, nusc_root)
    student = occ_config(tmp_path, STUDENT, nusc_root)
    student_miou = distill_extract_test(tmp_path, kd, student, teacher_ckpt,
                                        RENDER_LOSSES,
                                        'occ_head.classifier.weight', miou)
    assert np.isfinite(float(student_miou))


def test_check_rendering_tool(nusc_root, teacher_ckpt, tmp_path):
    """The ground-truth volume renders the LiDAR depth along the
    distiller's rays (ratio near 1); one teacher line per temperature."""
    kd = occ_config(tmp_path, RADOCC, nusc_root)
    log = run_tool(sys.executable, 'projects/RadOcc/tools/check_rendering.py',
                   kd, '--teacher-ckpt', teacher_ckpt, '--batches', '1',
                   '--num-samples', '96', '--temperatures', '1', '0.5')
    ratios = dict(re.findall(
        r'batch 0 +(ground truth|teacher T=[\d.]+): rendered / LiDAR depth '
        r'([\d.]+)', log))
    assert set(ratios) == {'ground truth', 'teacher T=1', 'teacher T=0.5'
                           }, log[-2000:]
    assert 0.9 < float(ratios['ground truth']) < 1.1
    assert float(ratios['teacher T=1']) > 0
