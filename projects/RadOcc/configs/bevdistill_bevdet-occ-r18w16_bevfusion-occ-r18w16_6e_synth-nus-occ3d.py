# Table 3 "BEVDistill, Prob. + Feature": volume-feature MSE on the
# foreground (camera-visible occupied voxels, max-pooled to the volume) +
# voxel-logit KL (the paper replaces BEVDistill's instance distillation by
# logits, occupancy having no instances).
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_feature=dict(type='MaskedFeatureMSELoss', loss_weight=1.0),
        loss_prob=dict(type='KLDivergenceLoss', tau=1.0, dim=1,
                       loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_feature=dict(
            preds_S=dict(source='student', recorder='volume', data_idx=0),
            preds_T=dict(source='teacher', recorder='volume'),
            mask=dict(source='gt', field='occupied', pool=2)),
        loss_prob=dict(preds_S=dict(source='student', recorder='logits'),
                       preds_T=dict(source='teacher', recorder='logits'),
                       weight=dict(source='gt', field='class_weight'))))
