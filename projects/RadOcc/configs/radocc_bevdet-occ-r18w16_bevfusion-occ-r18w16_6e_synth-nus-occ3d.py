# RadOcc "Render" (Table 3; Table 4 "RDC + RSC"): rendered depth consistency
# (KL of ray-weight distributions) + rendered semantic consistency
# (segment-guided affinity + KL of rendered semantics, Eq. 8), student
# trained with its own Occ3D and depth losses.
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

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
