# Table 3 row b: intra-modal distillation (IMD, Eq. 4) of the camera BEV into
# the simulated multi-modal student (no GCM), with its detection loss.
_base_ = ['./_base_/distillers/simdistill-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_imd={{_base_.imd.loss}}),
    loss_forward_mappings=dict(
        loss_imd={{_base_.imd.mapping}}))
