# SNet + FA + CSKD (synthetic): the FA student (retinanet_r18w16_fpn-fa_*),
# whose P2-P4 are distilled level by level from the teacher's P3-P5 with no
# resampling; AKDP on the student's anchors (strides 4-16 on the 1x image).
_base_ = ['./cskd_retinanet-r18w16_retinanet-r18w16-2x_48e_synth-visdrone.py']
fa_anchors = dict(strides=[4, 8, 16])
model = dict(
    student=dict(
        backbone=dict(out_indices=(0, 1, 2)),
        neck=dict(in_channels=[16, 32, 64]),
        bbox_head=dict(anchor_generator=fa_anchors)),
    connectors=dict(_delete_=True),
    distill_losses=dict(loss_pa_l2=dict(prior_generator=fa_anchors)),
    loss_forward_mappings=dict(
        loss_pa_l2=dict(
            preds_T=dict(_delete_=True, source='teacher', recorder='fpn'))))
