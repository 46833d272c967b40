# Table 2 row a: multi-modal fusion-feature distillation (MMD-F) from the
# LiDAR + camera teacher into the single-modal BEVFusion-C student: the
# teacher's fused BEV against the adapted camera BEV.
_base_ = ['./_base_/distillers/bevfusion-c-distiller_synth.py']

model = dict(
    connectors=dict(to_fused={{_base_.adapter}}),
    distill_losses=dict(
        loss_mmd_f=dict(type='MaskedFeatureMSELoss',
                        loss_weight={{_base_.kd_weight}})),
    loss_forward_mappings=dict(loss_mmd_f=dict(
        preds_S=dict(source='student', recorder='camera',
                     connector='to_fused'),
        preds_T=dict(source='teacher', recorder='fused'))))
