# SNet (1x image) of the synthetic demo.  Training uses random 320x180 crops
# of the 640x360 (2x) originals, halved to 160x90 for the student (a quarter
# of the pixels per step, to fit two CPU cores); testing the full 320x180
# view of the dataset config.
_base_ = [
    './_base_/models/retinanet_r18_fpn_synth.py',
    '../../../configs/_base_/datasets/synth_visdrone.py',
    './_base_/schedules/synth_48e.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(
    imports=['projects.ZoomInNet.zoominnet'], allow_failed_imports=False)
default_scope = 'crossdistill'

crop_size = (180, 320)  # (h, w) in the 2x originals
train_pipeline = [
    dict(type='mmdet.LoadImageFromFile'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.RandomCrop', crop_size=crop_size),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.Resize', scale_factor=0.5, keep_ratio=True),
    dict(type='mmdet.PackDetInputs'),
]
train_dataloader = dict(
    batch_size=4, dataset=dict(pipeline=train_pipeline))
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='CheckpointHook', interval=12, max_keep_ckpts=1),
    visualization=dict(type='mmdet.DetVisualizationHook'))
visualizer = dict(type='mmdet.DetLocalVisualizer')
