# SNet + FA (synthetic): the pyramid starts at C2, so the student's P2-P4
# (strides 4-16 on the 1x image) match the teacher's P3-P5 on the 2x image.
_base_ = ['./retinanet_r18w16_fpn_48e_synth-visdrone.py']
model = dict(
    backbone=dict(out_indices=(0, 1, 2)),
    neck=dict(in_channels=[16, 32, 64]),
    bbox_head=dict(anchor_generator=dict(strides=[4, 8, 16])))
