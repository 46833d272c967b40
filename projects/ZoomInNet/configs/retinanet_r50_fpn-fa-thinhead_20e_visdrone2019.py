# SNet + FA_ThinHead (paper Table 3, 94.56 GFLOPs): FA with a 2-conv head.
_base_ = ['./retinanet_r50_fpn-fa_20e_visdrone2019.py']
model = dict(bbox_head=dict(stacked_convs=2))
