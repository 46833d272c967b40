# RadOcc "Render" (RDC + RSC) with Swin-B student and teacher: Table 1
# "RadOcc (ours)", 46.06 mIoU on val in the paper (baseline 44.14, teacher
# 49.38; with 3 history frames, not fused here). The paper does not say
# whether that model also used the voxel-logit KL (see the -prob config).
_base_ = ['./_base_/distillers/rendering-distiller_swin-b-24e.py']

model = dict(
    distill_losses=dict(
        loss_rdc=dict(type='RenderedDepthConsistencyLoss',
                      normalize='background',
                      loss_weight=1.0),
        loss_sad=dict(type='SegmentGuidedAffinityLoss', loss_weight=1.0),
        loss_rsc_kl=dict(type='RenderedSemanticKLLoss',
                         input_type='logits',
                         loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_rdc=dict(preds_S=dict(source='student_render', field='weights'),
                      preds_T=dict(source='teacher_render', field='weights')),
        loss_sad=dict(
            preds_S=dict(source='student_render', field='semantics'),
            preds_T=dict(source='teacher_render', field='semantics'),
            segments=dict(source='rays', field='segments'),
            cam_ids=dict(source='rays', field='cam_ids')),
        loss_rsc_kl=dict(
            preds_S=dict(source='student_render', field='semantics'),
            preds_T=dict(source='teacher_render', field='semantics'),
            weight=dict(source='teacher_render', field='opacity'))))
