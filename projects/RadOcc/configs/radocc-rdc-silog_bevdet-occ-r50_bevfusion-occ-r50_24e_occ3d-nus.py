# Table 4 Model A "RDC(-)" (paper: 35.08 mIoU, below the 36.10 baseline):
# the rendered depths aligned directly with SILog (Eigen et al. 2014).
_base_ = ['./_base_/distillers/rendering-distiller_r50-24e.py']

model = dict(
    distill_losses=dict(
        loss_silog=dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_silog=dict(
            preds_S=dict(source='student_render', field='depth'),
            preds_T=dict(source='teacher_render', field='depth'))))
