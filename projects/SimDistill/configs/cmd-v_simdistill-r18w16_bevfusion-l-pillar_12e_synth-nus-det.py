# Table 2 row d: vanilla cross-modal distillation (CMD-v) from the
# LiDAR-only teacher BEVFusion-L into the simulated multi-modal student (no
# GCM).
_base_ = ['./_base_/distillers/simdistill-distiller_synth.py']

model = dict(
    teacher=('projects/SimDistill/configs/'
             'bevfusion-l_pillar_6e_synth-nus-det.py'),
    teacher_ckpt='work_dirs/bevfusion-l_pillar_6e_synth-nus-det/epoch_6.pth',
    teacher_inputs=['points'],
    teacher_recorders=dict(
        _delete_=True,
        lidar=dict(type='MethodOutputs', source='extract_lidar_bev')),
    distill_losses=dict(loss_cmd={{_base_.cmd.loss}}),
    loss_forward_mappings=dict(loss_cmd={{_base_.cmd.mapping}}))
