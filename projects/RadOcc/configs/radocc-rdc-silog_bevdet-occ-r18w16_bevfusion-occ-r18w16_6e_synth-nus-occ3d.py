# Table 4 "RDC(-)": the rendered depths aligned directly with SILog
# (Eigen et al. 2014); the paper finds it hurts.
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_silog=dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_silog=dict(
            preds_S=dict(source='student_render', field='depth'),
            preds_T=dict(source='teacher_render', field='depth'))))
