# Table 3 row f: quality-aware multi-modal prediction distillation (MMD-P, Eq.
# 8) into the simulated multi-modal student (no GCM).
_base_ = ['./_base_/distillers/simdistill-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_mmd_p={{_base_.mmd_p.loss}}),
    loss_forward_mappings=dict(
        loss_mmd_p={{_base_.mmd_p.mapping}}))
