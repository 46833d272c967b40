# RadOcc "Prob. + Render" (Table 3, the paper's best): voxel-logit KL plus
# RDC and RSC.
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_prob=dict(type='KLDivergenceLoss', tau=1.0, dim=1,
                       loss_weight=1.0),
        loss_rdc=dict(type='RenderedDepthConsistencyLoss',
                      normalize='background',
                      loss_weight=1.0),
        loss_sad=dict(type='SegmentGuidedAffinityLoss', loss_weight=1.0),
        loss_rsc_kl=dict(type='RenderedSemanticKLLoss',
                         input_type='logits',
                         loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_prob=dict(preds_S=dict(source='student', recorder='logits'),
                       preds_T=dict(source='teacher', recorder='logits'),
                       weight=dict(source='gt', field='mask_camera')),
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
