from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from crossdistill.hooks import DistillLossWeightScheduleHook, EMATeacherHook
from crossdistill.registry import MODELS
from distill_helpers import toy_distiller


def toy_ema_distiller():
    return MODELS.build(
        dict(type='SingleTeacherDistiller',
             student=dict(type='ToyMultiModalClassifier', use_points=False),
             teacher_mode='ema',
             student_recorders=dict(y=dict(type='ModuleOutputs',
                                           source='cls')),
             teacher_recorders=dict(y=dict(type='ModuleOutputs',
                                           source='cls')),
             distill_losses=dict(loss_kd=dict(type='KLDivergenceLoss')),
             loss_forward_mappings=dict(loss_kd=dict(
                 preds_S=dict(source='student', recorder='y'),
                 preds_T=dict(source='teacher', recorder='y')))))


def fake_runner(model, iteration):
    return SimpleNamespace(model=model, iter=iteration,
                           message_hub=MessageHub.get_current_instance())


def test_ema_hook_arithmetic():
    model = toy_ema_distiller()
    with torch.no_grad():
        for p in model.student.parameters():
            p.fill_(1.0)
        for p in model.teacher.parameters():
            p.fill_(0.0)
    hook = EMATeacherHook(momentum=0.5, interval=2)
    hook.before_run(fake_runner(model, 0))
    hook.after_train_iter(fake_runner(model, 0), 0)  # iter 1: skipped
    assert all((p == 0).all() for p in model.teacher.parameters())
    hook.after_train_iter(fake_runner(model, 1), 1)  # iter 2: updated
    assert all(torch.allclose(p, torch.full_like(p, 0.5))
               for p in model.teacher.parameters())
    hook.after_train_iter(fake_runner(model, 3), 3)
    assert all(torch.allclose(p, torch.full_like(p, 0.75))
               for p in model.teacher.parameters())


def test_ema_hook_warmup_and_mode_check():
    hook = EMATeacherHook(momentum=0.999, warmup_iters=100)
    assert hook.momentum_at(0) == pytest.approx(0.1)
    assert hook.momentum_at(10) == pytest.approx(11 / 20)
    assert hook.momentum_at(100) == 0.999
    with pytest.raises(ValueError, match='teacher_mode="ema"'):
        hook.before_run(fake_runner(toy_distiller(), 0))


def test_loss_weight_schedule():
    hook = DistillLossWeightScheduleHook(
        warmup_iters=10, warmup_ratio=0.0, decay_begin=20, decay_end=30,
        decay_ratio=0.2)
    expected = {0: 0.0, 5: 0.5, 10: 1.0, 19: 1.0, 25: 0.6, 30: 0.2, 99: 0.2}
    for it, value in expected.items():
        assert hook.scale_at(it) == pytest.approx(value), it
    model = toy_ema_distiller()
    hook.before_train_iter(fake_runner(model, 5), 5)
    assert model.distill_loss_scales['loss_kd'] == pytest.approx(0.5)
    with pytest.raises(KeyError, match='no distillation losses named'):
        DistillLossWeightScheduleHook(loss_names=['loss_x']).before_run(
            fake_runner(model, 0))
