# SNet + FA_ThinHead (synthetic): FA with half the head's stacked convs
# (2 -> 1 here; 4 -> 2 in the paper's R50 head).
_base_ = ['./retinanet_r18w16_fpn-fa_48e_synth-visdrone.py']
model = dict(bbox_head=dict(stacked_convs=1))
