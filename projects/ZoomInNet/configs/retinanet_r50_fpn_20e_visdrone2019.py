# SNet (1x image, paper Table 3): RetinaNet R50-FPN on VisDrone at 512x512
# with the paper's 20-epoch schedule.
_base_ = [
    './_base_/models/retinanet_r50_fpn_visdrone.py',
    '../../../configs/_base_/datasets/visdrone2019_det.py',
    './_base_/schedules/zoominnet_20e.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(
    imports=['projects.ZoomInNet.zoominnet'], allow_failed_imports=False)
default_scope = 'crossdistill'
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2),
    visualization=dict(type='mmdet.DetVisualizationHook'))
visualizer = dict(type='mmdet.DetLocalVisualizer')
