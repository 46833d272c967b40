"""RadOcc configs (projects/RadOcc/configs), synthetic and Occ3D-nuScenes:
every config loads and its model builds on CPU (no pretrained weights are
loaded: init_weights is never called), each distiller row carries the
losses of its table row, and the real-data configs have the paper's
settings and consistent shapes."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet3d.structures import Det3DDataSample
from mmengine.config import Config

import projects.RadOcc.radocc  # noqa: F401  (registers the modules)
from driving_helpers import build
from projects.RadOcc.radocc import (BEVDetOcc, BEVFusionOcc,
                                    RenderingDistiller)
from tool_helpers import REPO

CONFIGS = osp.join(REPO, 'projects', 'RadOcc', 'configs')
NAMES = sorted(
    osp.basename(f)[:-3] for f in glob.glob(osp.join(CONFIGS, '*.py')))
REAL_SUFFIX = '_24e_occ3d-nus'
SYNTH_SUFFIX = '_6e_synth-nus-occ3d'
OCC3D_GRID = (200, 200, 16)
SWIN_B_URL = ('https://github.com/SwinTransformer/storage/releases/download/'
              'v1.0.0/swin_base_patch4_window12_384_22k.pth')

# Table row (the config-name prefix) -> its distillation losses.
ROW_LOSSES = {
    # Table 3
    'kd-prob': {'loss_prob'},
    'kd-feature': {'loss_feature'},
    'bevdistill': {'loss_feature', 'loss_prob'},
    'radocc': {'loss_rdc', 'loss_sad', 'loss_rsc_kl'},
    'radocc-prob': {'loss_prob', 'loss_rdc', 'loss_sad', 'loss_rsc_kl'},
    # Table 4
    'radocc-rdc-silog': {'loss_silog'},
    'radocc-rdc': {'loss_rdc'},
    'radocc-sad': {'loss_sad'},
    'radocc-rsc': {'loss_sad', 'loss_rsc_kl'},
    # Table 5 (RSC with superpixels instead of SAM segments)
    'radocc-rsc-slic': {'loss_sad', 'loss_rsc_kl'},
}
# Loss name -> (type, what its student prediction reads).
LOSS_SPECS = {
    'loss_prob': ('KLDivergenceLoss',
                  dict(source='student', recorder='logits')),
    'loss_feature': ('MaskedFeatureMSELoss',
                     dict(source='student', recorder='volume')),
    'loss_rdc': ('RenderedDepthConsistencyLoss',
                 dict(source='student_render', field='weights')),
    'loss_silog': ('SILogLoss', dict(source='student_render',
                                     field='depth')),
    'loss_sad': ('SegmentGuidedAffinityLoss',
                 dict(source='student_render', field='semantics')),
    'loss_rsc_kl': ('RenderedSemanticKLLoss',
                    dict(source='student_render', field='semantics')),
}


def split_name(name: str):
    """``{row}_bevdet-occ-{arch}_bevfusion-occ-{arch}_{rest}`` -> parts,
    or ``None`` for a plain (non-distiller) config."""
    parts = name.split('_')
    if not parts[1].startswith('bevdet-occ-'):
        return None
    row = parts[0]
    arch = parts[1][len('bevdet-occ-'):]
    assert parts[2] == f'bevfusion-occ-{arch}', name
    return row, arch, '_'.join(parts[3:])


DISTILLERS = [n for n in NAMES if split_name(n) is not None]
PLAIN = [n for n in NAMES if split_name(n) is None]
REAL = [n for n in NAMES if n.endswith(REAL_SUFFIX)]


def load(name: str) -> Config:
    return Config.fromfile(osp.join(CONFIGS, name + '.py'))


def student_cfg(cfg: Config):
    return (cfg.model.student
            if cfg.model.type == 'RenderingDistiller' else cfg.model)


def test_the_config_set():
    """A real-data config for every synthetic row, the Swin-B headline
    rows, and a table row for every distiller."""
    rows = {}
    for name in DISTILLERS:
        row, arch, rest = split_name(name)
        assert row in ROW_LOSSES, f'{name}: add its row to ROW_LOSSES'
        rows.setdefault((arch, rest), set()).add(row)
    synth = rows[('r18w16', SYNTH_SUFFIX[1:])]
    assert rows[('r50', REAL_SUFFIX[1:])] == synth == set(ROW_LOSSES)
    assert rows[('swin-b', REAL_SUFFIX[1:])] == {'radocc', 'radocc-prob'}
    for arch in ('r50', 'swin-b'):
        for model in ('bevdet-occ', 'bevfusion-occ'):
            assert f'{model}_{arch}{REAL_SUFFIX}' in PLAIN


@pytest.mark.parametrize('name', NAMES)
def test_config_builds_on_cpu(name, monkeypatch):
    monkeypatch.chdir(REPO)  # teacher config paths are repo-relative
    cfg = load(name)
    if cfg.model.type == 'RenderingDistiller':
        cfg.model.teacher_ckpt = None  # a randomly initialised teacher
    model = build(cfg.model)
    distiller = isinstance(model, RenderingDistiller)
    student = model.student if distiller else model
    assert isinstance(student, BEVDetOcc)
    assert isinstance(student, BEVFusionOcc) == name.startswith(
        'bevfusion-occ_')
    # The lifted images are those of the pipeline; the decoder reaches the
    # label grid.
    lss = student.view_transform
    assert lss.image_size == tuple(cfg.final_size)
    upsample = student.occ_head.upsample
    assert tuple(s * upsample for s in lss.grid_shape) == OCC3D_GRID
    if distiller:
        teacher = model.teacher
        assert isinstance(teacher, BEVFusionOcc)
        assert not any(p.requires_grad for p in teacher.parameters())
        assert teacher.view_transform.grid_shape == lss.grid_shape
        # Recorded volumes ('volume': feature KD) have the same shape.
        assert teacher.fuser[-1].conv.out_channels == lss.out_channels
        assert model.renderer.grid_shape == OCC3D_GRID
    elif isinstance(model, BEVFusionOcc):
        assert model.fuser[0].conv.in_channels == (
            lss.out_channels + model.lidar_volume_channels)


@pytest.mark.parametrize('name', DISTILLERS)
def test_distiller_rows_match_their_tables(name):
    row, arch, rest = split_name(name)
    cfg = load(name)
    model = cfg.model
    assert set(model.distill_losses) == ROW_LOSSES[row]
    assert set(model.loss_forward_mappings) == ROW_LOSSES[row]
    for loss_name, loss in model.distill_losses.items():
        loss_type, reads = LOSS_SPECS[loss_name]
        assert loss.type == loss_type, loss_name
        mapping = model.loss_forward_mappings[loss_name]
        assert {k: mapping.preds_S[k] for k in reads} == reads, loss_name
        assert mapping.preds_T.source == reads['source'].replace(
            'student', 'teacher'), loss_name
        if 'mask' in mapping:  # label-grid mask max-pooled to the volume
            lss = load(f'bevdet-occ_{arch}_{rest}').model.view_transform
            pool = mapping.mask.get('pool', 1)
            assert lss.voxel_size == 0.4 * pool, name
    uses_slic = cfg.train_dataloader.dataset.get('segments_dir')
    assert (uses_slic == 'segments_slic') == (row == 'radocc-rsc-slic')


@pytest.mark.parametrize('name', DISTILLERS)
def test_distiller_student_and_teacher_are_the_plain_configs(name):
    """The distilled student is the baseline student on its schedule, the
    teacher the teacher config of the same setting trained alone (the
    synthetic one longer than the students), read from its last
    checkpoint."""
    _, arch, rest = split_name(name)
    cfg = load(name)
    student = f'bevdet-occ_{arch}_{rest}'
    assert cfg.model.student == load(student).model
    assert cfg.train_cfg.max_epochs == load(student).train_cfg.max_epochs
    dataset = rest.split('_', 1)[1]
    teachers = [
        n for n in PLAIN if n.startswith(f'bevfusion-occ_{arch}_')
        and n.endswith(f'_{dataset}')
    ]
    assert len(teachers) == 1, teachers
    teacher = teachers[0]
    assert cfg.model.teacher == f'projects/RadOcc/configs/{teacher}.py'
    epochs = load(teacher).train_cfg.max_epochs
    assert teacher.split('_')[2] == f'{epochs}e'
    assert cfg.model.teacher_ckpt == (
        f'work_dirs/{teacher}/epoch_{epochs}.pth')


@pytest.mark.parametrize('name', REAL)
def test_real_configs_use_the_paper_settings(name):
    cfg = load(name)
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_dataloader.num_workers == 4
    assert cfg.train_cfg.max_epochs == 24
    assert cfg.auto_scale_lr == dict(enable=False, base_batch_size=32)
    optim = cfg.optim_wrapper
    assert optim.optimizer == dict(type='AdamW', lr=1e-4, weight_decay=1e-2)
    assert optim.clip_grad.max_norm == 35
    warmup = cfg.param_scheduler[0]
    assert (warmup.type, warmup.by_epoch, warmup.end) == ('LinearLR', False,
                                                          200)
    assert cfg.default_hooks.checkpoint.interval == 1
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 3
    assert cfg.default_hooks.logger.interval == 50
    assert cfg.val_evaluator.type == 'Occ3DMetric'
    assert tuple(cfg.final_size) == (256, 704)

    cameras = [student_cfg(cfg)]
    if cfg.model.type == 'RenderingDistiller':
        assert cfg.model.num_rays == 80000
        assert (cfg.model.near, cfg.model.far) == (0.5, 60.0)
        assert cfg.model.num_samples >= 64
        cameras.append(
            Config.fromfile(osp.join(REPO, cfg.model.teacher)).model)
    for model in cameras:
        lss = model.view_transform
        assert tuple(lss.depth_bounds) == (1.0, 45.0, 0.5)
        assert tuple(model.loss_depth.depth_bounds) == (1.0, 45.0, 0.5)
        assert (lss.voxel_size, model.occ_head.upsample) == (0.4, 1)
        assert (lss.out_channels, lss.mid_channels) == (32, 256)
        backbone = model.img_backbone
        if 'swin-b' in name:
            assert backbone.type == 'mmdet.SwinTransformer'
            assert backbone.embed_dims == 128
            assert list(backbone.depths) == [2, 2, 18, 2]
            assert list(backbone.num_heads) == [4, 8, 16, 32]
            assert backbone.convert_weights
            assert backbone.init_cfg.checkpoint == SWIN_B_URL
            assert list(model.img_neck.in_channels) == [512, 1024]
        else:
            assert (backbone.type, backbone.depth) == ('mmdet.ResNet', 50)
            assert backbone.init_cfg.checkpoint == 'torchvision://resnet50'
            assert list(model.img_neck.in_channels) == [1024, 2048]


@pytest.mark.parametrize('arch', ['r50', 'swin-b'])
def test_image_branch_gives_stride_16_features(arch):
    """Backbone + FPN: 256 channels at stride 16, what LSS expects (on a
    small 64 x 176 image; the 256 x 704 forward is too slow on CPU)."""
    model = build(load(f'bevdet-occ_{arch}{REAL_SUFFIX}').model).eval()
    with torch.no_grad():
        feats = model.extract_img_feat(torch.rand(1, 1, 3, 64, 176))
    assert feats.shape == (1, 1, 256, 4, 11)
    assert model.view_transform.depth_net[0].conv.in_channels == 256


def test_real_teacher_lidar_branch_fills_the_occ3d_volume():
    """0.4 m pillars -> SECOND (strides 1, 2, 2) -> SECOND-FPN (x1, x2, x4)
    -> 384 channels at 200 x 200 -> 16 channels x 16 height cells: the
    camera volume's grid, so that the fuser can concatenate them."""
    model = build(load(f'bevfusion-occ_r50{REAL_SUFFIX}').model).eval()
    gen = torch.Generator().manual_seed(0)
    lo = torch.tensor([-40.0, -40.0, -1.0])
    hi = torch.tensor([40.0, 40.0, 5.4])
    xyz = lo + torch.rand(30000, 3, generator=gen) * (hi - lo)
    points = torch.cat([xyz, torch.rand(30000, 2, generator=gen)], dim=1)
    sample = Det3DDataSample(metainfo=dict(lidar2ego=np.eye(4)))
    with torch.no_grad():
        voxels, coors, num_points = model.voxelize([points], [sample])
        bev = model.pts_middle_encoder(
            model.pts_voxel_encoder(voxels, num_points, coors), coors, 1)
        neck = model.pts_neck(model.pts_backbone(bev))[0]
        volume = model.extract_lidar_volume([points], [sample])
    assert 0 < len(voxels) <= 40000  # at most one pillar per BEV cell
    assert bev.shape == (1, 64, 200, 200)
    assert neck.shape == (1, 384, 200, 200)
    assert volume.shape == (1, 16, *model.view_transform.grid_shape)
    assert model.view_transform.grid_shape == OCC3D_GRID


def test_swin_b_student_and_teacher_share_the_camera_branch():
    student = load(f'bevdet-occ_swin-b{REAL_SUFFIX}').model
    teacher = load(f'bevfusion-occ_swin-b{REAL_SUFFIX}').model
    r50_teacher = load(f'bevfusion-occ_r50{REAL_SUFFIX}').model
    for key in ('img_backbone', 'img_neck', 'view_transform', 'occ_head'):
        assert student[key] == teacher[key], key
    lidar = [k for k in teacher if k.startswith('pts_')]
    lidar += ['lidar_channels', 'lidar_volume_channels', 'fuser_channels']
    for key in lidar:
        assert teacher[key] == r50_teacher[key], key
