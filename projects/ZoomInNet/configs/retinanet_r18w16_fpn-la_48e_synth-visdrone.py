# SNet + LA (synthetic): cls/reg towers upsampled 2x before the predictors,
# anchors on the 2x denser grid (strides 4-16 on the 1x image).
_base_ = ['./retinanet_r18w16_fpn_48e_synth-visdrone.py']
model = dict(
    bbox_head=dict(
        type='LARetinaHead',
        anchor_generator=dict(strides=[4, 8, 16])))
