# Synthetic-demo SNet/TNet, sized for two CPU cores: the repo's small
# RetinaNet (ResNet-18, FPN P3-P5, 2-conv head) at a quarter of the width
# (base_channels 16, 32-channel FPN/head), 10 VisDrone classes.  The
# synthetic objects are tiny (median side 8.5 px at the 2x scale, 4 px at
# 1x), so the anchors start at the stride (octave_base_scale 1: 8-13 px on
# P3).  No pre-training.
_base_ = ['../../../../../configs/_base_/models/retinanet_r18_fpn_small.py']
model = dict(
    backbone=dict(base_channels=16),
    neck=dict(in_channels=[32, 64, 128], out_channels=32),
    bbox_head=dict(
        num_classes=10,
        in_channels=32,
        feat_channels=32,
        anchor_generator=dict(octave_base_scale=1)))
