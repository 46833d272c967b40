# Table 3 row g, SimDistill: IMD + CMD with GCM + MMD-F + MMD-P (Eq. 9, all
# weights 1) and the detection loss.
_base_ = ['./_base_/distillers/simdistill-gcm-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_imd={{_base_.imd.loss}},
        loss_cmd={{_base_.cmd.loss}},
        loss_mmd_f={{_base_.mmd_f.loss}},
        loss_mmd_p={{_base_.mmd_p.loss}}),
    loss_forward_mappings=dict(
        loss_imd={{_base_.imd.mapping}},
        loss_cmd={{_base_.cmd.mapping}},
        loss_mmd_f={{_base_.mmd_f.mapping}},
        loss_mmd_p={{_base_.mmd_p.mapping}}))
