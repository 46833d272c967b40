# SNet + FA_ThinHead + CSKD (paper Table 3).
_base_ = ['./cskd-fa_retinanet-r50_retinanet-r50-2x_20e_visdrone2019.py']
model = dict(student=dict(bbox_head=dict(stacked_convs=2)))
