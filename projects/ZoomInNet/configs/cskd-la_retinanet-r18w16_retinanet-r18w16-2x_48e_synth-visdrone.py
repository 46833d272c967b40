# SNet + LA + CSKD (synthetic): the LA student (retinanet_r18w16_fpn-la_*)
# with its FPN maps upsampled 2x (nearest, Eq. 7) to the teacher's size; AKDP
# on the LA head's anchors (strides 4-16 on the 1x image).
_base_ = ['./cskd_retinanet-r18w16_retinanet-r18w16-2x_48e_synth-visdrone.py']
la_anchors = dict(strides=[4, 8, 16])
model = dict(
    student=dict(
        bbox_head=dict(
            type='LARetinaHead', anchor_generator=la_anchors)),
    connectors=dict(
        _delete_=True, upsample=dict(type='ResizeConnector', scale_factor=2)),
    distill_losses=dict(loss_pa_l2=dict(prior_generator=la_anchors)),
    loss_forward_mappings=dict(
        loss_pa_l2=dict(
            preds_S=dict(connector='upsample'),
            preds_T=dict(_delete_=True, source='teacher', recorder='fpn'))))
