"""SimDistill configs (projects/SimDistill/configs), synthetic and nuScenes:
every config loads and its model builds on CPU (no pretrained weights are
loaded: init_weights is never called), every row of Tables 2 and 3 exists
for both data sets with its losses, student and teacher, and the nuScenes
configs have the paper's settings and consistent shapes."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet3d.structures import Det3DDataSample
from mmengine.config import Config

import projects.SimDistill.simdistill  # noqa: F401  (registers the modules)
from crossdistill.registry import MODELS
from driving_helpers import build
from projects.SimDistill.simdistill import (BEVFusionDetector,
                                            CameraBEVDetector,
                                            SimDistillDetector,
                                            SimDistillDistiller)
from tool_helpers import REPO

CONFIGS = osp.join(REPO, 'projects', 'SimDistill', 'configs')
NAMES = sorted(
    osp.basename(f)[:-3] for f in glob.glob(osp.join(CONFIGS, '*.py')))
SETTINGS = {  # data set -> (suffix, camera arch, LiDAR-only teacher arch,
    #            suffix of the teachers)
    'synth': ('12e_synth-nus-det', 'r18w16', 'pillar', '6e_synth-nus-det'),
    'real': ('20e_nus-det', 'swin-t', 'voxel0075', '20e_nus-det'),
}
TEACHERS = ('bevfusion', 'bevfusion-l')
KD_WEIGHTS = {'synth': 0.1, 'real': 1.0}  # of every distillation term
# Table row (config-name prefix, student, teacher) -> distillation losses.
ROWS = {
    # Table 2
    ('mmd-f', 'bevfusion-c', 'bevfusion'): {'loss_mmd_f'},
    ('mmd-f', 'simdistill', 'bevfusion'): {'loss_mmd_f'},
    ('cmd-v', 'bevfusion-c', 'bevfusion-l'): {'loss_cmd'},
    ('cmd-v', 'simdistill', 'bevfusion-l'): {'loss_cmd'},
    # Table 3 (row e is Table 2 row b)
    ('imd', 'simdistill', 'bevfusion'): {'loss_imd'},
    ('cmd-v', 'simdistill', 'bevfusion'): {'loss_cmd'},
    ('cmd', 'simdistill-gcm', 'bevfusion'): {'loss_cmd'},
    ('mmd-p', 'simdistill', 'bevfusion'): {'loss_mmd_p'},
    ('simdistill', 'simdistill-gcm', 'bevfusion'):
    {'loss_imd', 'loss_cmd', 'loss_mmd_f', 'loss_mmd_p'},
}
# Loss -> (type, the student recorder it reads, the teacher recorder).
LOSS_SPECS = {
    'loss_imd': ('MaskedFeatureMSELoss', 'camera', 'camera'),
    'loss_cmd': ('MaskedFeatureMSELoss', 'lidar', 'lidar'),
    'loss_mmd_f': ('MaskedFeatureMSELoss', 'fused', 'fused'),
    'loss_mmd_p': ('QualityAwarePredictionLoss', 'preds', 'preds'),
}
# Plain model configs: name prefix -> (model type, camera?, GCM?).
PLAIN = {
    'bevfusion-c': (CameraBEVDetector, True, False),
    'bevfusion': (BEVFusionDetector, True, False),
    'bevfusion-l': (BEVFusionDetector, False, False),
    'simdistill-nokd': (SimDistillDetector, True, False),
    'simdistill-gcm-nokd': (SimDistillDetector, True, True),
}
SWIN_T_URL = ('https://github.com/SwinTransformer/storage/releases/download/'
              'v1.0.0/swin_tiny_patch4_window7_224.pth')


def load(name: str) -> Config:
    return Config.fromfile(osp.join(CONFIGS, name + '.py'))


def distiller_name(data: str, row, student: str, teacher: str) -> str:
    suffix, arch, lidar_arch, _ = SETTINGS[data]
    teacher_arch = lidar_arch if teacher == 'bevfusion-l' else arch
    return f'{row}_{student}-{arch}_{teacher}-{teacher_arch}_{suffix}'


def plain_name(data: str, model: str) -> str:
    suffix, arch, lidar_arch, teacher_suffix = SETTINGS[data]
    return f'{model}_{lidar_arch if model == "bevfusion-l" else arch}_' \
        f'{teacher_suffix if model in TEACHERS else suffix}'


DISTILLERS = [(data, *row) for data in SETTINGS for row in ROWS]
PLAINS = [(data, model) for data in SETTINGS for model in PLAIN]


def test_the_config_set():
    """Every table row and every plain model, on both data sets, and
    nothing else."""
    expected = {distiller_name(*d) for d in DISTILLERS}
    expected |= {plain_name(*p) for p in PLAINS}
    assert set(NAMES) == expected


@pytest.mark.parametrize('name', NAMES)
def test_config_builds_on_cpu(name, monkeypatch):
    monkeypatch.chdir(REPO)  # teacher config paths are repo-relative
    cfg = load(name)
    distiller = cfg.model.type == 'SimDistillDistiller'
    if distiller:
        cfg.model.teacher_ckpt = None  # a randomly initialised teacher
    model = build(cfg.model)
    assert isinstance(model, SimDistillDistiller) == distiller
    models = [model.student, model.teacher] if distiller else [model]
    for det in models:
        # Head, decoder and every BEV on one grid.
        head = det.bbox_head
        grid = (np.array(head.train_cfg['grid_size'][:2]) //
                head.train_cfg['out_size_factor'])
        size = tuple(int(g) for g in grid)
        if getattr(det, 'with_camera', True):
            lss = det.view_transform
            assert tuple(lss.grid_shape[:2]) == size, name
            assert lss.grid_shape[2] == 1 and lss.collapse_z
            assert lss.image_size == tuple(cfg.final_size)
        if isinstance(det, SimDistillDetector):
            assert (det.lidar_view_transform.grid_shape ==
                    det.view_transform.grid_shape)
            assert det.fuser.in_channels == (
                det.view_transform.out_channels,
                det.lidar_adapter.conv.out_channels)
        fuser = getattr(det, 'fuser', None)
        if fuser is not None:
            assert det.bev_backbone.blocks[0][0].in_channels == (
                fuser.conv.conv.out_channels)
    if distiller:
        assert not any(p.requires_grad for p in model.teacher.parameters())


@pytest.mark.parametrize('data,model', PLAINS)
def test_plain_configs(data, model):
    cfg = load(plain_name(data, model))
    model_type, camera, gcm = PLAIN[model]
    assert MODELS.get(cfg.model.type) is model_type
    assert (cfg.model.get('img_backbone') is not None) == camera
    assert (cfg.model.get('uv_gcm') is not None) == gcm
    assert (cfg.model.get('bev_gcm') is not None) == gcm
    assert cfg.val_evaluator.type == 'NuScenesMetric'
    assert cfg.val_evaluator.metric == 'bbox'


@pytest.mark.parametrize('data,row,student,teacher', DISTILLERS)
def test_distiller_rows_match_their_tables(data, row, student, teacher):
    cfg = load(distiller_name(data, row, student, teacher))
    model = cfg.model
    losses = ROWS[(row, student, teacher)]
    assert set(model.distill_losses) == losses
    assert set(model.loss_forward_mappings) == losses
    for name, loss in model.distill_losses.items():
        loss_type, read_s, read_t = LOSS_SPECS[name]
        assert loss.type == loss_type, name
        # Eq. 9 on nuScenes; 0.1 on the synthetic set (see the README).
        weight = KD_WEIGHTS[data]
        if name == 'loss_mmd_p':  # weights of its QFL and SmoothL1 parts
            assert loss.get('loss_cls', {}).get('loss_weight', 1.0) == weight
            assert loss.get('loss_bbox', {}).get('loss_weight',
                                                 1.0) == weight
        else:
            assert loss.get('loss_weight', 1.0) == weight, name
        mapping = model.loss_forward_mappings[name]
        assert mapping.preds_T == dict(source='teacher', recorder=read_t)
        if student == 'bevfusion-c':  # its one BEV, through a connector
            assert mapping.preds_S.recorder == 'camera'
            assert mapping.preds_S.connector in model.connectors
        else:
            assert mapping.preds_S == dict(source='student',
                                           recorder=read_s)
        assert ('mask' in mapping) == (name == 'loss_cmd')
        if name == 'loss_cmd':
            assert mapping.mask == dict(source='gt_heatmap')
    # The student and the teacher are the plain configs, the teacher read
    # from its last checkpoint.
    plain_student = {'bevfusion-c': 'bevfusion-c',
                     'simdistill': 'simdistill-nokd',
                     'simdistill-gcm': 'simdistill-gcm-nokd'}[student]
    student_cfg = load(plain_name(data, plain_student))
    assert model.student == student_cfg.model
    # The distilled student trains on its plain config's schedule.
    assert cfg.train_cfg == student_cfg.train_cfg
    assert cfg.param_scheduler == student_cfg.param_scheduler
    teacher_name = plain_name(data, teacher)
    assert model.teacher == (
        f'projects/SimDistill/configs/{teacher_name}.py')
    epochs = load(teacher_name).train_cfg.max_epochs
    assert model.teacher_ckpt == f'work_dirs/{teacher_name}/epoch_{epochs}.pth'
    assert model.student_inputs == ['img']
    assert model.teacher_inputs == (['points'] if teacher == 'bevfusion-l'
                                    else ['img', 'points'])


@pytest.mark.parametrize('name', [n for n in NAMES if n.endswith('nus-det')
                                  and 'synth' not in n])
def test_real_configs_use_the_paper_settings(name):
    cfg = load(name)
    assert cfg.train_cfg.max_epochs == 20
    assert cfg.train_dataloader.batch_size == 3  # x 8 GPUs = 24
    assert cfg.train_dataloader.dataset.type == 'CBGSDataset'
    assert tuple(cfg.final_size) == (256, 704)
    assert cfg.optim_wrapper.optimizer == dict(type='AdamW', lr=2e-4,
                                               weight_decay=0.01)
    assert cfg.val_evaluator.ann_file == (
        'data/nuscenes/nuscenes_infos_val.pkl')
    models = [cfg.model]
    if cfg.model.type == 'SimDistillDistiller':
        models = [cfg.model.student,
                  Config.fromfile(osp.join(REPO, cfg.model.teacher)).model]
    for model in models:
        head = model.bbox_head
        assert len(head.tasks) == 6
        assert head.train_cfg.grid_size[:2] == [1440, 1440]
        assert head.train_cfg.out_size_factor == 8  # 180 x 180
        if model.get('img_backbone') is None:
            continue
        backbone = model.img_backbone
        assert backbone.type == 'mmdet.SwinTransformer'
        assert (backbone.embed_dims, list(backbone.depths)) == (96,
                                                                [2, 2, 6, 2])
        assert backbone.init_cfg.checkpoint == SWIN_T_URL
        lss = model.view_transform
        assert lss.out_channels == 80
        assert tuple(lss.depth_bounds) == (1.0, 60.0, 0.5)
        assert tuple(lss.voxel_size[:2]) == (0.6, 0.6)
    if cfg.model.type == 'BEVFusionDetector' and cfg.model.img_backbone:
        assert cfg.model.pts_middle_encoder.type == 'mmdet3d.SparseEncoder'
        assert cfg.model.pts_voxel_layer.voxel_size == [0.075, 0.075, 0.2]
        assert cfg.model.fuser.in_channels == [80, 256]


def test_real_student_shapes_on_a_small_image():
    """The nuScenes student (Swin-T, GCM): 256-channel stride-8 image
    features, 80-channel camera and 256-channel simulated-LiDAR BEVs on the
    180 x 180 grid, the teacher's LiDAR-BEV width (on a 64 x 176 image; the
    256 x 704 forward is too slow on CPU)."""
    cfg = load('simdistill-gcm-nokd_swin-t_20e_nus-det').model
    for key in ('view_transform', 'lidar_view_transform'):
        cfg[key].image_size = (64, 176)
    model = build(cfg).eval()
    cams = 6
    cam2img = np.tile(np.diag([100., 100., 1., 1.]), (cams, 1, 1))
    cam2img[:, :2, 2] = (88, 32)
    yaws = np.deg2rad(np.arange(cams) * 60.0)
    cam2ego = np.tile(np.eye(4), (cams, 1, 1))
    for i, yaw in enumerate(yaws):  # cameras looking outwards, z forward
        forward = np.array([np.cos(yaw), np.sin(yaw), 0.])
        right = np.array([np.sin(yaw), -np.cos(yaw), 0.])
        cam2ego[i, :3, :3] = np.stack([right, [0., 0., -1.], forward], 1)
        cam2ego[i, :3, 3] = (0., 0., 1.5)
    sample = Det3DDataSample(metainfo=dict(
        cam2img=cam2img, cam2ego=cam2ego,
        img_aug_matrix=np.tile(np.eye(4), (cams, 1, 1)),
        lidar2ego=np.eye(4)))
    inputs = dict(imgs=torch.rand(1, cams, 3, 64, 176))
    with torch.no_grad():
        img_feats = model.extract_img_feat(inputs)
        params = model.camera_params([sample], torch.device('cpu'))
        camera = model.extract_camera_bev(img_feats, params)
        lidar = model.extract_sim_lidar_bev(img_feats, params)
    assert img_feats.shape == (1, cams, 256, 8, 22)
    assert camera.shape == (1, 80, 180, 180)
    assert lidar.shape == (1, 256, 180, 180)
    teacher = load('bevfusion_swin-t_20e_nus-det').model
    assert teacher.pts_middle_encoder.output_channels * 2 == lidar.shape[1]
