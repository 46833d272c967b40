# Table 3 row c: vanilla cross-modal distillation (CMD-v: Eq. 6 without GCM)
# of the teacher's LiDAR BEV into the simulated-LiDAR BEV, masked by the GT
# heatmap.
_base_ = ['./_base_/distillers/simdistill-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_cmd={{_base_.cmd.loss}}),
    loss_forward_mappings=dict(
        loss_cmd={{_base_.cmd.mapping}}))
