# SNet + CSKD (synthetic): the frozen TNet's FPN maps (2x image), subsampled
# 2x to the student's size (stride-2 nearest), are distilled into the
# student's P3-P5 by the AKDP position-aware L2 loss (lambda_distill = 0.01)
# beside the student's focal + L1 losses.  Train the teacher first:
#   python tools/train.py \
#       projects/ZoomInNet/configs/retinanet_r18w16_fpn_48e_synth-visdrone-2x.py
_base_ = ['./retinanet_r18w16_fpn_48e_synth-visdrone.py']

student = {{_base_.model}}
teacher = 'projects/ZoomInNet/configs/retinanet_r18w16_fpn_48e_synth-visdrone-2x.py'  # noqa
model = dict(
    _delete_=True,
    type='SingleTeacherDistiller',
    student=student,
    teacher=teacher,
    teacher_ckpt='work_dirs/retinanet_r18w16_fpn_48e_synth-visdrone-2x/'
    'epoch_48.pth',
    teacher_mode='frozen',
    # The teacher's own view: the `zoom_inputs` the pipeline cut at 2x.
    teacher_data_preprocessor=dict(
        type='ZoomInDataPreprocessor',
        view='zoom_inputs',
        mean={{_base_.model.data_preprocessor.mean}},
        std={{_base_.model.data_preprocessor.std}},
        bgr_to_rgb=True,
        pad_size_divisor=32),
    student_recorders=dict(fpn=dict(type='ModuleOutputs', source='neck')),
    teacher_recorders=dict(fpn=dict(type='ModuleOutputs', source='neck')),
    connectors=dict(
        subsample=dict(type='ResizeConnector', scale_factor=0.5)),
    distill_losses=dict(
        loss_pa_l2=dict(
            type='PositionAwareL2Loss',
            prior_generator={{_base_.model.bbox_head.anchor_generator}},
            loss_weight=0.01)),
    loss_forward_mappings=dict(
        loss_pa_l2=dict(
            preds_S=dict(source='student', recorder='fpn'),
            preds_T=dict(
                source='teacher', recorder='fpn', connector='subsample'),
            data_samples=dict(source='data_samples'))))

# The 2x crop feeds the teacher as is and the student halved; both share the
# crop and the flip.
train_pipeline = [
    dict(type='mmdet.LoadImageFromFile'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.RandomCrop', crop_size={{_base_.crop_size}}),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='ZoomInView', scale_factor=1.0),
    dict(type='mmdet.Resize', scale_factor=0.5, keep_ratio=True),
    dict(type='PackZoomInInputs'),
]
# `--cfg-options model.predict_with=teacher` evaluates the teacher on the
# same batches.
test_pipeline = [
    dict(type='mmdet.LoadImageFromFile'),
    dict(
        type='ZoomInView', scale={{_base_.zoom_img_scale}}, keep_ratio=True),
    dict(type='mmdet.Resize', scale={{_base_.img_scale}}, keep_ratio=True),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(
        type='PackZoomInInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
