# Example distiller: logit KD (Bernoulli KL on the classification logits) and
# FPN feature KD (MSE through a 1x1 connector, 64 -> 128 channels) from the
# 128-channel ResNet-18 RetinaNet into the 64-channel one, with the student's
# own detection losses.  Train the teacher first, then:
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.teacher_ckpt=work_dirs/TEACHER/epoch_24.pth
_base_ = ['./retinanet_r18_fpn_24e_synth-shapes.py']

student = {{_base_.model}}
model = dict(
    _delete_=True,
    type='SingleTeacherDistiller',
    student=student,
    teacher='configs/example/retinanet_r18-w128_fpn_24e_synth-shapes.py',
    teacher_ckpt=('work_dirs/retinanet_r18-w128_fpn_24e_synth-shapes/'
                  'epoch_24.pth'),
    teacher_mode='frozen',
    student_recorders=dict(
        fpn=dict(type='ModuleOutputs', source='neck'),
        head=dict(type='MethodOutputs', source='bbox_head.forward')),
    teacher_recorders=dict(
        fpn=dict(type='ModuleOutputs', source='neck'),
        head=dict(type='MethodOutputs', source='bbox_head.forward')),
    connectors=dict(
        fpn_adapter=dict(
            type='ConvConnector', in_channels=64, out_channels=128)),
    distill_losses=dict(
        loss_fpn=dict(type='MaskedFeatureMSELoss', loss_weight=1.0),
        loss_logits=dict(
            type='KLDivergenceLoss', tau=2.0, use_sigmoid=True,
            loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_fpn=dict(
            preds_S=dict(
                source='student', recorder='fpn', connector='fpn_adapter'),
            preds_T=dict(source='teacher', recorder='fpn')),
        loss_logits=dict(
            preds_S=dict(source='student', recorder='head', data_idx=0),
            preds_T=dict(source='teacher', recorder='head', data_idx=0))))

custom_hooks = [dict(type='DistillLossWeightScheduleHook', warmup_iters=30)]
