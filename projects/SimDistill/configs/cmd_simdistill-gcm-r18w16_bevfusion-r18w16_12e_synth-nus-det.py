# Table 3 row d: cross-modal distillation with geometry compensation (CMD +
# GCM, Eq. 5, 6).
_base_ = ['./_base_/distillers/simdistill-gcm-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_cmd={{_base_.cmd.loss}}),
    loss_forward_mappings=dict(
        loss_cmd={{_base_.cmd.mapping}}))
