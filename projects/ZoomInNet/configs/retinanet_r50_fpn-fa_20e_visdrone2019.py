# SNet + FA (paper Table 3, 146.09 GFLOPs): the pyramid starts at C2
# (start_level=0), so P2-P6 (strides 4-64 on the 512 image) match the
# teacher's P3-P7 (strides 8-128 on the 1024 image).
_base_ = ['./retinanet_r50_fpn_20e_visdrone2019.py']
model = dict(
    neck=dict(start_level=0),
    bbox_head=dict(anchor_generator=dict(strides=[4, 8, 16, 32, 64])))
