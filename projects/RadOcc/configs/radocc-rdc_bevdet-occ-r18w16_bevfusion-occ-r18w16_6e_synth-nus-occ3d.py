# Table 4 "RDC": rendered depth consistency alone.
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_rdc=dict(type='RenderedDepthConsistencyLoss',
                      normalize='background',
                      loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_rdc=dict(preds_S=dict(source='student_render', field='weights'),
                      preds_T=dict(source='teacher_render', field='weights'))))
