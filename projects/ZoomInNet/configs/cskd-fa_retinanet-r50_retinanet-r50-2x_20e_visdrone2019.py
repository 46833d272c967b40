# SNet + FA + CSKD (paper Table 3, ZoomInNet): the FA student
# (retinanet_r50_fpn-fa_*), whose P2-P6 are distilled level by level from the
# teacher's P3-P7 with no resampling; AKDP on the student's anchors.
_base_ = ['./cskd_retinanet-r50_retinanet-r50-2x_20e_visdrone2019.py']
fa_anchors = dict(strides=[4, 8, 16, 32, 64])
model = dict(
    student=dict(
        neck=dict(start_level=0),
        bbox_head=dict(anchor_generator=fa_anchors)),
    connectors=dict(_delete_=True),
    distill_losses=dict(loss_pa_l2=dict(prior_generator=fa_anchors)),
    loss_forward_mappings=dict(
        loss_pa_l2=dict(
            preds_T=dict(_delete_=True, source='teacher', recorder='fpn'))))
