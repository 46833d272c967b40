"""ZoomInNet (projects/ZoomInNet): alignment, AKDP, position-aware L2 loss,
the 2x teacher view, and a train -> checkpoint -> test round trip."""
import copy
import os.path as osp
import re
import sys

import mmcv
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

import projects.ZoomInNet.zoominnet  # noqa: F401  (registers the modules)
from crossdistill.registry import MODELS, TRANSFORMS
from projects.ZoomInNet.zoominnet import (PositionAwareL2Loss,
                                          akdp_anchor_mask, akdp_masks)
from tool_helpers import REPO, run_tool
from tool_helpers import tiny_config as shared_tiny_config

CONFIGS = osp.join(REPO, 'projects', 'ZoomInNet', 'configs')
SYNTH = '48e_synth-visdrone'
PAPER = '20e_visdrone2019'
VARIANTS = ('la', 'fa', 'fa-thinhead')


def cfg_path(name: str) -> str:
    return osp.join(CONFIGS, name + '.py')


def build(model_cfg) -> torch.nn.Module:
    with DefaultScope.overwrite_default_scope('crossdistill'):
        return MODELS.build(model_cfg)


# ------------------------------------------------------------- alignment
@pytest.mark.parametrize('arch,schedule,levels', [('r18w16', SYNTH, 3),
                                                  ('r50', PAPER, 5)])
def test_feature_alignment_shapes(arch, schedule, levels):
    """FA: student P2.. on the 1x image == teacher P3.. on the 2x image;
    LA: the LA head predicts on the teacher's grid, its upsampled FPN maps
    match the teacher's (on an input that divides by the top stride; else
    odd levels differ by one, see PositionAwareL2Loss)."""
    teacher = build(Config.fromfile(
        cfg_path(f'retinanet_{arch}_fpn_{schedule}-2x')).model).eval()
    fa = build(Config.fromfile(
        cfg_path(f'retinanet_{arch}_fpn-fa_{schedule}')).model).eval()
    la = build(Config.fromfile(
        cfg_path(f'retinanet_{arch}_fpn-la_{schedule}')).model).eval()
    x1, x2 = torch.rand(1, 3, 128, 128), torch.rand(1, 3, 256, 256)
    with torch.no_grad():
        t_fpn = teacher.extract_feat(x2)
        fa_fpn = fa.extract_feat(x1)
        la_fpn = la.extract_feat(x1)
        t_cls, _ = teacher.bbox_head(t_fpn)
        la_cls, _ = la.bbox_head(la_fpn)
    assert len(t_fpn) == len(fa_fpn) == levels
    for lvl, (s, t) in enumerate(zip(fa_fpn, t_fpn)):
        # student P(lvl+2), teacher P(lvl+3): strides 2**(lvl+2) on 1x,
        # 2**(lvl+3) on 2x.
        assert s.shape == t.shape, lvl
        assert s.shape[-2:] == (128 // 2**(lvl + 2), ) * 2
    for s, t, sc, tc in zip(la_fpn, t_fpn, la_cls, t_cls):
        assert (2 * s.shape[-2], 2 * s.shape[-1]) == t.shape[-2:]
        assert sc.shape == tc.shape


def test_distiller_students_match_plain_variants():
    """The distiller configs restate the LA/FA students; they must equal the
    plain variant configs (same student trained alone and distilled)."""
    for variant in VARIANTS:
        for arch, teacher, schedule in (
                ('r18w16', 'r18w16', SYNTH), ('r50', 'r50', PAPER)):
            kd = Config.fromfile(cfg_path(
                f'cskd-{variant}_retinanet-{arch}_retinanet-{teacher}-2x_'
                f'{schedule}'))
            plain = Config.fromfile(
                cfg_path(f'retinanet_{arch}_fpn-{variant}_{schedule}'))
            assert kd.model.student.to_dict() == plain.model.to_dict()
            ag = plain.model.bbox_head.anchor_generator.to_dict()
            assert kd.model.distill_losses.loss_pa_l2.prior_generator == ag


# ------------------------------------------------------------------- AKDP
def test_akdp_anchor_mask_hand_placed():
    gt = torch.tensor([[0., 0., 10., 10.]])
    anchors = torch.tensor([[0., 0., 10., 10.],  # IoU 1
                            [0., 0., 10., 5.],  # IoU 0.5
                            [0., 0., 5., 5.]]  # IoU 0.25
                           + [[100. * i, 100., 100. * i + 10., 110.]
                              for i in range(9)])  # IoU 0
    # 12 IoUs {1, .5, .25, 0 x9}: mean .145833, population std .296830,
    # lambda = .442663, threshold = lambda * max_IoU = .442663.
    assert akdp_anchor_mask(anchors, gt).tolist() == [True, True] + [False
                                                                     ] * 10
    # With 5 zero anchors, lambda = .21875 + .340898 = .559648 > .5.
    assert akdp_anchor_mask(anchors[:8], gt).tolist() == [True] + [False] * 7
    # Thresholds are per GT: a second GT equal to anchor 3 (its column:
    # lambda = .125 + .330719) adds anchor 3 alone.
    two = torch.cat([gt, anchors[3:4]])
    mask = akdp_anchor_mask(anchors[:8], two)
    assert mask.tolist() == [True, False, False, True] + [False] * 4
    assert not akdp_anchor_mask(anchors, gt[:0]).any()


def test_akdp_masks_split_per_level():
    # Two levels, K = 2 anchors per position, ordered (H, W, K).
    big = [100., 100., 101., 101.]  # overlaps no GT
    lvl0 = torch.tensor([big] * 8)  # 2 x 2 positions
    lvl0[5] = torch.tensor([0., 0., 8., 8.])  # (h, w, k) = (1, 0, 1)
    lvl1 = torch.tensor([big] * 2)  # 1 x 1 position
    lvl1[0] = torch.tensor([0., 0., 8., 4.])
    gt = HorizontalBoxes(torch.tensor([[0., 0., 8., 8.]]))
    masks = akdp_masks([lvl0, lvl1], [(2, 2), (1, 1)], 2, gt)
    # IoUs {1, .5, 0 x8} over both levels: lambda = .15 + .320156 =
    # .470156, both non-zero anchors are above it.
    assert masks[0].tolist() == [[0., 0.], [1., 0.]]
    assert masks[1].tolist() == [[1.]]


# ----------------------------------------------------------- PA-L2 loss
def _samples(boxes_per_image):
    samples = []
    for boxes in boxes_per_image:
        sample = DetDataSample()
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32).view(-1, 4),
            labels=torch.zeros(len(boxes), dtype=torch.long))
        samples.append(sample)
    return samples


def _unit_anchor_loss(loss_weight=0.01):
    # One level, one 4x4 anchor per position centred at (4 j, 4 i).
    return PositionAwareL2Loss(
        prior_generator=dict(
            type='AnchorGenerator', strides=[4], ratios=[1.0], scales=[1]),
        loss_weight=loss_weight)


def test_position_aware_l2_hand_computed():
    loss = _unit_anchor_loss()
    # Image 0: GT == the anchor at (i, j) = (1, 1), the only overlap;
    # image 1: GT == the anchors at (0, 2) and (2, 3).
    samples = _samples([[[2, 2, 6, 6]], [[6, -2, 10, 2], [10, 6, 14, 10]]])
    s = torch.zeros(2, 2, 4, 4, requires_grad=True)
    t = torch.full((2, 2, 4, 4), 100.)  # unmasked: ignored
    t[0, :, 1, 1] = torch.tensor([1., 2.])
    t[1, :, 0, 2] = torch.tensor([3., 0.])
    t[1, :, 2, 3] = torch.tensor([0., 1.])
    value = loss([s], [t], samples)
    # channels summed: (1 + 4) + 9 + 1 = 15 over 3 key positions, x 0.01.
    assert value.item() == pytest.approx(0.01 * 15 / 3)
    value.backward()
    grad_positions = s.grad.abs().sum(1).nonzero().tolist()
    assert grad_positions == [[0, 1, 1], [1, 0, 2], [1, 2, 3]]
    masks = loss.key_positions([(4, 4)], samples, torch.device('cpu'))
    assert masks[0].sum().item() == 3


def test_position_aware_l2_zero_and_crop():
    loss = _unit_anchor_loss(loss_weight=1.0)
    samples = _samples([[[2, 2, 6, 6]]])
    feat = torch.rand(1, 8, 4, 4)
    assert loss([feat], [feat.clone()], samples).item() == 0
    # No GT: no key positions, a zero loss that still backpropagates.
    s = torch.rand(1, 8, 4, 4, requires_grad=True)
    empty = loss([s], [torch.rand(1, 8, 4, 4)], _samples([[]]))
    empty.backward()
    assert empty.item() == 0 and s.grad is not None
    # Odd-sized levels are compared on the common top-left 4x4 extent.
    t = torch.zeros(1, 8, 5, 4)
    t[0, 0, 1, 1] = 2.
    assert loss([torch.zeros(1, 8, 4, 4)], [t],
                samples).item() == pytest.approx(4.)
    with pytest.raises(ValueError, match='levels'):
        loss([feat, feat], [feat], samples)


# ------------------------------------------------------- the 2x view
def _raw_sample(h=40, w=60, seed=0):
    rng = np.random.default_rng(seed)
    return dict(
        img=rng.integers(0, 255, (h, w, 3), dtype=np.uint8),
        img_shape=(h, w),
        ori_shape=(h, w),
        img_id=seed,
        img_path=f'{seed}.jpg',
        gt_bboxes=HorizontalBoxes(
            torch.tensor([[4., 6., 20., 16.], [30., 10., 50., 30.]])),
        gt_bboxes_labels=np.array([0, 3]),
        gt_ignore_flags=np.array([False, True]))


def _pipeline(scale=(60, 40)):
    """The 2x view, the student's ``scale`` view, packed."""
    zoom_scale = (2 * scale[0], 2 * scale[1])
    return [
        TRANSFORMS.build(cfg) for cfg in (
            dict(type='ZoomInView', scale=zoom_scale, keep_ratio=False),
            dict(type='mmdet.Resize', scale=scale, keep_ratio=False),
            dict(type='PackZoomInInputs'))
    ]


def _batch(samples, pipeline):
    packed = []
    for sample in samples:
        for transform in pipeline:
            sample = transform(sample)
        packed.append(sample)
    return pseudo_collate(packed)


PREPROC = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=32)


def test_teacher_preprocessor_rescales_to_the_2x_view():
    raw = _raw_sample()
    batch = _batch([copy.deepcopy(raw)], _pipeline())
    assert tuple(batch['inputs'][0].shape) == (3, 40, 60)
    assert tuple(batch['zoom_inputs'][0].shape) == (3, 80, 120)
    teacher_pp = build(dict(type='ZoomInDataPreprocessor', **PREPROC))
    student_pp = build(dict(type='mmdet.DetDataPreprocessor', **PREPROC))
    student = student_pp(copy.deepcopy(batch))
    teacher = teacher_pp(copy.deepcopy(batch))

    zoom = mmcv.imresize(raw['img'], (120, 80))[..., ::-1]
    mean, std = torch.tensor(PREPROC['mean']), torch.tensor(PREPROC['std'])
    expected = (torch.from_numpy(zoom.copy()).float() - mean) / std
    assert teacher['inputs'].shape == (1, 3, 96, 128)
    assert torch.allclose(teacher['inputs'][0, :, :80, :120],
                          expected.permute(2, 0, 1), atol=1e-5)
    assert (teacher['inputs'][0, :, 80:] == 0).all()

    s, t = student['data_samples'][0], teacher['data_samples'][0]
    assert torch.allclose(t.gt_instances.bboxes, 2 * s.gt_instances.bboxes)
    assert torch.allclose(t.ignored_instances.bboxes,
                          2 * s.ignored_instances.bboxes)
    assert s.gt_instances.bboxes.tolist() == [[4., 6., 20., 16.]]
    assert t.img_shape == (80, 120) and s.img_shape == (40, 60)
    assert t.scale_factor == (2.0, 2.0) and s.scale_factor == (1.0, 1.0)
    assert t.pad_shape == (96, 128) and t.batch_input_shape == (96, 128)
    assert t.ori_shape == s.ori_shape == (40, 60)
    with pytest.raises(KeyError, match='PackZoomInInputs'):
        teacher_pp(dict(inputs=batch['inputs'],
                        data_samples=batch['data_samples']))


def test_student_unchanged_when_only_the_teacher_view_changes():
    cfg = Config.fromfile(
        cfg_path('cskd-la_retinanet-r18w16_retinanet-r18w16-2x_' + SYNTH))
    cfg.model.teacher_ckpt = None
    cfg.model.student.test_cfg.score_thr = 0
    torch.manual_seed(0)
    model = build(cfg.model)
    model.init_weights()
    raws = [_raw_sample(64, 96, seed) for seed in (0, 1)]
    # Same student view, a different 2x view (another zoom of other pixels).
    batch_a = _batch(copy.deepcopy(raws), _pipeline((96, 64)))
    batch_b = copy.deepcopy(batch_a)
    batch_b['zoom_inputs'] = [torch.flip(z, [-1]) for z in
                              batch_b['zoom_inputs']]

    def forward(batch, mode):
        data = model.data_preprocessor(copy.deepcopy(batch), mode == 'loss')
        with torch.no_grad():
            return model(**data, mode=mode)

    loss_a, loss_b = forward(batch_a, 'loss'), forward(batch_b, 'loss')
    for key in ('loss_cls', 'loss_bbox'):
        assert torch.equal(sum(loss_a[key]), sum(loss_b[key]))
    assert not torch.equal(loss_a['distill.loss_pa_l2'],
                           loss_b['distill.loss_pa_l2'])
    model.eval()
    pred_a = forward(batch_a, 'predict')
    pred_b = forward(batch_b, 'predict')
    for a, b in zip(pred_a, pred_b):
        assert len(a.pred_instances) > 0
        assert torch.equal(a.pred_instances.bboxes, b.pred_instances.bboxes)
        assert torch.equal(a.pred_instances.scores, b.pred_instances.scores)


# ------------------------------------------------------------- the tools
run = run_tool


def tiny_config(tmp_path, name: str, data_root: str, *extra: str) -> str:
    """A project config trained 1 short epoch on the tiny aerial set."""
    return shared_tiny_config(tmp_path, cfg_path(name), data_root,
                              'annotations/visdrone2019_det_val.json',
                              *extra, batch_size=2)


@pytest.fixture(scope='module')
def visdrone_root(tmp_path_factory) -> str:
    """4 train / 2 val synthetic aerial images of 160x90, VisDrone layout."""
    from crossdistill.datasets.converters.visdrone import convert_visdrone
    from crossdistill.synth.aerial.world import (AerialWorldConfig,
                                                 generate_synth_visdrone)
    root = str(tmp_path_factory.mktemp('synth-visdrone') / 'set')
    generate_synth_visdrone(root, 4, 2, AerialWorldConfig(160, 90), seed=3)
    convert_visdrone(root)
    return root


def test_train_checkpoint_extract_test_round_trip(visdrone_root, tmp_path):
    teacher = tiny_config(tmp_path, f'retinanet_r18w16_fpn_{SYNTH}-2x',
                          visdrone_root)
    run(sys.executable, 'tools/train.py', teacher, '--work-dir',
        str(tmp_path / 't'))
    teacher_ckpt = str(tmp_path / 't' / 'epoch_1.pth')
    # An untrained detector scores about 0.01 (focal-loss prior): keep all.
    keep_all = 'model = dict(student=dict(test_cfg=dict(score_thr=0)))'
    kd = tiny_config(
        tmp_path, f'cskd-la_retinanet-r18w16_retinanet-r18w16-2x_{SYNTH}',
        visdrone_root, keep_all)
    student = tiny_config(tmp_path, f'retinanet_r18w16_fpn-la_{SYNTH}',
                          visdrone_root,
                          'model = dict(test_cfg=dict(score_thr=0))')
    work = tmp_path / 'kd'
    log = run(sys.executable, 'tools/train.py', kd, '--work-dir', str(work),
              '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}')
    assert 'distill.loss_pa_l2' in log
    ckpt = work / 'epoch_1.pth'
    checkpoint = torch.load(ckpt)
    assert checkpoint['meta']['iter'] == 2
    assert any(k.startswith('teacher.') for k in checkpoint['state_dict'])

    student_ckpt = tmp_path / 'student.pth'
    run(sys.executable, 'tools/model_converters/extract_student.py',
        str(ckpt), str(student_ckpt))
    out = run(sys.executable, 'tools/test.py', student, str(student_ckpt),
              '--work-dir', str(tmp_path / 'eval_student'))
    student_map = re.search(r'coco/bbox_mAP: (\S+)', out).group(1)
    out_kd = run(sys.executable, 'tools/test.py', kd, str(ckpt),
                 '--work-dir', str(tmp_path / 'eval_kd'),
                 '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}')
    assert re.search(r'coco/bbox_mAP: (\S+)', out_kd).group(1) == student_map
