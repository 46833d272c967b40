# Table 3 "Hinton et al., Feature" (paper: 35.89 mIoU, -0.21): MSE between
# the student's camera volume and the teacher's fused volume (both
# 32 x 200 x 200 x 16).
_base_ = ['./_base_/distillers/rendering-distiller_r50-24e.py']

model = dict(
    distill_losses=dict(
        loss_feature=dict(type='MaskedFeatureMSELoss', loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_feature=dict(
            preds_S=dict(source='student', recorder='volume', data_idx=0),
            preds_T=dict(source='teacher', recorder='volume'))))
