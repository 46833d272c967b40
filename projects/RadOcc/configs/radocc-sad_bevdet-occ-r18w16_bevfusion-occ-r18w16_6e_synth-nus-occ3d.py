# Table 4 "SAD": segment-guided affinity distillation alone.
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_sad=dict(type='SegmentGuidedAffinityLoss', loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_sad=dict(
            preds_S=dict(source='student_render', field='semantics'),
            preds_T=dict(source='teacher_render', field='semantics'),
            segments=dict(source='rays', field='segments'),
            cam_ids=dict(source='rays', field='cam_ids'))))
