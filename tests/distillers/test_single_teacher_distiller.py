"""The distiller on a real mmdet pair (small RetinaNets) and on a toy
dict-input pair (image student, image + points teacher)."""
import copy
import re

import pytest
import torch
from mmengine.optim import OptimWrapper

from crossdistill.distillers.teacher import TeacherCheckpointError
from crossdistill.registry import MODELS
from distill_helpers import det_batch, kd_cfg, small_retinanet, toy_batch, \
    toy_distiller


@pytest.fixture
def distiller():
    torch.manual_seed(0)
    model = MODELS.build(kd_cfg())
    model.init_weights()
    return model


def test_teacher_frozen_and_kept_in_eval(distiller):
    assert not any(p.requires_grad for p in distiller.teacher.parameters())
    distiller.train()
    assert distiller.student.training
    assert not distiller.teacher.training
    assert not any(m.training for m in distiller.teacher.modules())


def test_train_step_updates_student_and_connector_only(distiller):
    distiller.train()
    teacher_before = copy.deepcopy(distiller.teacher.state_dict())
    student_before = copy.deepcopy(distiller.student.state_dict())
    connector_before = distiller.connectors.adapt.conv.conv.weight.clone()
    optim = OptimWrapper(torch.optim.SGD(distiller.parameters(), lr=0.01))
    log_vars = distiller.train_step(det_batch(), optim)
    assert {'loss_cls', 'loss_bbox', 'distill.loss_fpn',
            'distill.loss_logits', 'loss'} <= set(log_vars)
    for key, value in distiller.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key
    assert all(p.grad is None for p in distiller.teacher.parameters())
    changed = [k for k, v in distiller.student.state_dict().items()
               if not torch.equal(v, student_before[k])]
    assert any('backbone' in k for k in changed)
    assert not torch.equal(distiller.connectors.adapt.conv.conv.weight,
                           connector_before)


def test_distill_losses_zero_when_teacher_is_student():
    torch.manual_seed(0)
    cfg = kd_cfg(teacher=small_retinanet(64), connectors=None)
    cfg['loss_forward_mappings']['loss_fpn']['preds_S'].pop('connector')
    model = MODELS.build(cfg)
    model.init_weights()
    model.teacher.load_state_dict(model.student.state_dict())
    model.eval()  # identical BN statistics in both
    batch = det_batch()
    losses = model.loss(model.student_view(batch, False),
                        model.teacher_view(batch, False))
    assert losses['distill.loss_fpn'].item() == pytest.approx(0, abs=1e-7)
    assert losses['distill.loss_logits'].item() == pytest.approx(0, abs=1e-6)


def test_predict_runs_student_or_teacher(distiller):
    distiller.eval()
    batch = det_batch(1)
    with torch.no_grad():
        out = distiller.val_step(batch)
        direct = distiller.student(
            **distiller.student.data_preprocessor(batch, False),
            mode='predict')
        distiller.predict_with = 'teacher'
        teacher_out = distiller.val_step(batch)
        teacher_direct = distiller.teacher(
            **distiller.teacher.data_preprocessor(batch, False),
            mode='predict')
    assert torch.equal(out[0].pred_instances.scores,
                       direct[0].pred_instances.scores)
    assert torch.equal(teacher_out[0].pred_instances.scores,
                       teacher_direct[0].pred_instances.scores)


@pytest.mark.parametrize('change, message', [
    (dict(distill_losses=dict(fpn=dict(type='MaskedFeatureMSELoss'))),
     'must contain "loss"'),
    (dict(loss_forward_mappings=dict()), 'no entry in'),
])
def test_loss_config_errors(change, message):
    with pytest.raises((KeyError, ValueError), match=message):
        MODELS.build(kd_cfg(**change))


@pytest.mark.parametrize('spec, message', [
    (dict(source='student', recorder='nope'), 'no student recorder named'),
    (dict(source='elsewhere', recorder='fpn'), '`source` must be one of'),
    (dict(source='student', recorder='fpn', connector='x'),
     'no connector named'),
])
def test_loss_mapping_errors_name_the_problem(spec, message):
    cfg = kd_cfg()
    cfg['loss_forward_mappings']['loss_fpn']['preds_S'] = spec
    with pytest.raises((KeyError, ValueError), match=message):
        MODELS.build(cfg)


def test_loss_mapping_unknown_argument():
    cfg = kd_cfg()
    cfg['loss_forward_mappings']['loss_fpn']['student_feats'] = dict(
        source='student', recorder='fpn')
    with pytest.raises(KeyError, match='has no argument "student_feats"'):
        MODELS.build(cfg)


def test_teacher_from_config_file_and_checkpoint(tmp_path):
    from mmengine.config import Config
    teacher_model = MODELS.build(small_retinanet(128))
    ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=teacher_model.state_dict()), ckpt)
    cfg_file = tmp_path / 'teacher_cfg.py'
    Config(dict(model=small_retinanet(128))).dump(str(cfg_file))

    model = MODELS.build(kd_cfg(teacher=str(cfg_file), teacher_ckpt=str(ckpt)))
    model.init_weights()  # must not re-initialise the loaded teacher
    for key, value in teacher_model.state_dict().items():
        assert torch.equal(model.teacher.state_dict()[key], value), key


def test_teacher_checkpoint_that_does_not_fit(tmp_path):
    wrong = MODELS.build(small_retinanet(64))
    ckpt = tmp_path / 'wrong.pth'
    torch.save(dict(state_dict=wrong.state_dict()), ckpt)
    with pytest.raises(TeacherCheckpointError) as err:
        MODELS.build(kd_cfg(teacher_ckpt=str(ckpt)))
    text = str(err.value)
    assert str(ckpt) in text
    assert re.search(r'0 missing keys .* [1-9]\d* shape mismatches \[neck\.',
                     text), text


def test_teacher_checkpoint_missing_or_distiller(tmp_path, distiller):
    with pytest.raises(TeacherCheckpointError, match='does not exist'):
        MODELS.build(kd_cfg(teacher_ckpt=str(tmp_path / 'none.pth')))
    ckpt = tmp_path / 'distiller.pth'
    torch.save(dict(state_dict=distiller.state_dict()), ckpt)
    with pytest.raises(TeacherCheckpointError, match='extract_student'):
        MODELS.build(kd_cfg(teacher_ckpt=str(ckpt)))


def test_ema_teacher_copy_and_update():
    torch.manual_seed(0)
    cfg = kd_cfg(teacher=None, teacher_mode='ema', connectors=None)
    cfg['loss_forward_mappings']['loss_fpn']['preds_S'].pop('connector')
    model = MODELS.build(cfg)
    model.init_weights()
    for k, v in model.student.state_dict().items():
        assert torch.equal(model.teacher.state_dict()[k], v)
    assert not any(p.requires_grad for p in model.teacher.parameters())
    with torch.no_grad():
        for p in model.student.parameters():
            p.fill_(1.0)
        for p in model.teacher.parameters():
            p.fill_(0.0)
    model.update_ema_teacher(0.9)
    model.update_ema_teacher(0.9)
    for p in model.teacher.parameters():
        assert torch.allclose(p, torch.full_like(p, 0.19))


def test_ema_needs_same_architecture():
    with pytest.raises(ValueError, match="student's"):
        MODELS.build(kd_cfg(teacher_mode='ema'))


def test_joint_training_reports_teacher_losses(distiller):
    model = MODELS.build(kd_cfg(teacher_mode='train'))
    model.init_weights()
    model.train()
    assert model.teacher.training
    before = copy.deepcopy(model.teacher.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log_vars = model.train_step(det_batch(), optim)
    assert 'teacher.loss_cls' in log_vars
    assert any(not torch.equal(v, before[k])
               for k, v in model.teacher.state_dict().items())


def test_teacher_only_input_never_reaches_the_student():
    torch.manual_seed(0)
    model = toy_distiller()
    model.eval()
    with torch.no_grad():
        pred_a = model.val_step(toy_batch(points_seed=1))
        pred_b = model.val_step(toy_batch(points_seed=2))
        model.predict_with = 'teacher'
        teacher_a = model.val_step(toy_batch(points_seed=1))
        teacher_b = model.val_step(toy_batch(points_seed=2))
    assert torch.equal(pred_a, pred_b)
    assert not torch.allclose(teacher_a, teacher_b)
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    log_vars = model.train_step(toy_batch(points_seed=1), optim)
    assert log_vars['distill.loss_kd'] > 0


def test_student_input_key_missing_is_explained():
    model = toy_distiller(student_inputs=('imgs', ))
    with pytest.raises(KeyError, match="student_inputs asks for"):
        model.val_step(toy_batch(points_seed=1))
