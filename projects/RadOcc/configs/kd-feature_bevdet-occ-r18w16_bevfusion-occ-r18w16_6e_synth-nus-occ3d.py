# Table 3 "Hinton et al., Feature": MSE between the student's camera volume
# and the teacher's fused volume (same 16 x 100 x 100 x 8 shape).
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_feature=dict(type='MaskedFeatureMSELoss', loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_feature=dict(
            preds_S=dict(source='student', recorder='volume', data_idx=0),
            preds_T=dict(source='teacher', recorder='volume'))))
