# SNet + FA_ThinHead + CSKD (synthetic).
_base_ = [
    './cskd-fa_retinanet-r18w16_retinanet-r18w16-2x_48e_synth-visdrone.py'
]
model = dict(student=dict(bbox_head=dict(stacked_convs=1)))
