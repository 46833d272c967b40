# Student of the example distiller, trained alone (the no-KD baseline).
_base_ = [
    '../_base_/models/retinanet_r18_fpn_small.py',
    '../_base_/datasets/synth_shapes.py',
    '../_base_/schedules/adamw_2d_detection_24e.py',
    '../_base_/default_runtime.py'
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='CheckpointHook', interval=8, max_keep_ckpts=1),
    visualization=dict(type='mmdet.DetVisualizationHook'))
visualizer = dict(type='mmdet.DetLocalVisualizer')
