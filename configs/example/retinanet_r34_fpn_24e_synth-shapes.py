# Teacher of the example distiller: ResNet-34 with a 128-channel FPN/head.
_base_ = ['./retinanet_r18_fpn_24e_synth-shapes.py']
model = dict(
    backbone=dict(depth=34),
    neck=dict(out_channels=128),
    bbox_head=dict(in_channels=128, feat_channels=128, stacked_convs=4))
