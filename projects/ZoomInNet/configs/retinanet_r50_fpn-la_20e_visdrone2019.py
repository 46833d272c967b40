# SNet + LA (paper Table 3, 58.05 GFLOPs): cls/reg towers upsampled 2x
# (nearest) before the predictors; anchors on the 2x denser grid (strides
# 4-64 on the 512 image, the teacher's anchors in the 1x frame).
_base_ = ['./retinanet_r50_fpn_20e_visdrone2019.py']
model = dict(
    bbox_head=dict(
        type='LARetinaHead',
        anchor_generator=dict(strides=[4, 8, 16, 32, 64])))
