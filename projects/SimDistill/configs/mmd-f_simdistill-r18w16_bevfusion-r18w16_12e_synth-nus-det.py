# Table 3 row e = Table 2 row b: multi-modal fusion-feature distillation
# (MMD-F, Eq. 7) into the simulated multi-modal student (no GCM).
_base_ = ['./_base_/distillers/simdistill-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_mmd_f={{_base_.mmd_f.loss}}),
    loss_forward_mappings=dict(
        loss_mmd_f={{_base_.mmd_f.mapping}}))
