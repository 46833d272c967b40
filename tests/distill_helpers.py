"""Models and batches shared by the distiller tests.

``small_retinanet``: the example's RetinaNet with a chosen FPN width; the toy
classifier takes a dict ``inputs`` (image, and points when ``use_points``) so
that tests can prove what each model of a distiller sees.
"""
import copy
import os.path as osp

import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import nn

from crossdistill.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def small_retinanet(out_channels: int = 64, depth: int = 18) -> dict:
    """The example's small RetinaNet config with a chosen FPN width."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/models/retinanet_r18_fpn_small.py'))
    model = copy.deepcopy(cfg.model)
    model['backbone']['depth'] = depth
    model['neck']['out_channels'] = out_channels
    model['bbox_head'].update(in_channels=out_channels,
                              feat_channels=out_channels)
    return model


def det_batch(batch_size: int = 2, size: int = 64, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(torch.randint(0, 255, (3, size, size), generator=g,
                                    dtype=torch.uint8))
        sample = DetDataSample(metainfo=dict(
            img_shape=(size, size), ori_shape=(size, size),
            scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[8., 8., 40., 40.]]),
            labels=torch.tensor([1]))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def kd_cfg(**overrides) -> dict:
    cfg = dict(
        type='SingleTeacherDistiller',
        student=small_retinanet(64),
        teacher=small_retinanet(128),
        student_recorders=dict(
            fpn=dict(type='ModuleOutputs', source='neck'),
            head=dict(type='MethodOutputs', source='bbox_head.forward')),
        teacher_recorders=dict(
            fpn=dict(type='ModuleOutputs', source='neck'),
            head=dict(type='MethodOutputs', source='bbox_head.forward')),
        connectors=dict(
            adapt=dict(type='ConvConnector', in_channels=64,
                       out_channels=128)),
        distill_losses=dict(
            loss_fpn=dict(type='MaskedFeatureMSELoss'),
            loss_logits=dict(type='KLDivergenceLoss', use_sigmoid=True)),
        loss_forward_mappings=dict(
            loss_fpn=dict(
                preds_S=dict(source='student', recorder='fpn',
                             connector='adapt'),
                preds_T=dict(source='teacher', recorder='fpn')),
            loss_logits=dict(
                preds_S=dict(source='student', recorder='head', data_idx=0),
                preds_T=dict(source='teacher', recorder='head',
                             data_idx=0))))
    cfg.update(overrides)
    return cfg


# ------------------------------------------------------- teacher-only inputs
@MODELS.register_module(force=True)
class ToyMultiModalClassifier(BaseModel):
    """Image (+ points when ``use_points``) -> 2 logits."""

    def __init__(self, use_points: bool, data_preprocessor=None):
        super().__init__(data_preprocessor)
        self.use_points = use_points
        self.img_net = nn.Conv2d(3, 4, 3)
        self.pts_net = nn.Linear(3, 4) if use_points else None
        self.cls = nn.Linear(4, 2)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if not self.use_points:
            assert set(inputs) == {'img'}, f'student saw {sorted(inputs)}'
        feat = self.img_net(inputs['img']).mean((2, 3))
        if self.use_points:
            feat = feat + self.pts_net(inputs['points']).mean(1)
        logits = self.cls(feat)
        if mode == 'loss':
            return dict(loss_ce=nn.functional.cross_entropy(
                logits, torch.zeros(len(logits), dtype=torch.long)))
        return logits


def toy_batch(points_seed: int) -> dict:
    g = torch.Generator().manual_seed(points_seed)
    img = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    points = torch.randn(2, 50, 3, generator=g)
    return dict(inputs=dict(img=img, points=points),
                data_samples=None)


def toy_distiller(student_inputs=('img', )):
    return MODELS.build(
        dict(
            type='SingleTeacherDistiller',
            student=dict(type='ToyMultiModalClassifier', use_points=False),
            teacher=dict(type='ToyMultiModalClassifier', use_points=True),
            student_inputs=student_inputs,
            teacher_inputs=('img', 'points'),
            student_recorders=dict(logits=dict(type='ModuleOutputs',
                                               source='cls')),
            teacher_recorders=dict(logits=dict(type='ModuleOutputs',
                                               source='cls')),
            distill_losses=dict(loss_kd=dict(type='KLDivergenceLoss')),
            loss_forward_mappings=dict(loss_kd=dict(
                preds_S=dict(source='student', recorder='logits'),
                preds_T=dict(source='teacher', recorder='logits')))))
