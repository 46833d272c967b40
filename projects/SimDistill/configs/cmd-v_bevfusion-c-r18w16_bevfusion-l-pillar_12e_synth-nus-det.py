# Table 2 row c: vanilla cross-modal distillation (CMD-v) from the
# LiDAR-only teacher BEVFusion-L into the single-modal BEVFusion-C student:
# the teacher's LiDAR BEV against the adapted camera BEV, masked by the GT
# heatmap.
_base_ = ['./_base_/distillers/bevfusion-c-distiller_synth.py']

model = dict(
    teacher=('projects/SimDistill/configs/'
             'bevfusion-l_pillar_6e_synth-nus-det.py'),
    teacher_ckpt='work_dirs/bevfusion-l_pillar_6e_synth-nus-det/epoch_6.pth',
    teacher_inputs=['points'],
    teacher_recorders=dict(
        _delete_=True,
        lidar=dict(type='MethodOutputs', source='extract_lidar_bev')),
    connectors=dict(to_lidar={{_base_.adapter}}),
    distill_losses=dict(
        loss_cmd=dict(type='MaskedFeatureMSELoss',
                      loss_weight={{_base_.kd_weight}})),
    loss_forward_mappings=dict(loss_cmd=dict(
        preds_S=dict(source='student', recorder='camera',
                     connector='to_lidar'),
        preds_T=dict(source='teacher', recorder='lidar'),
        mask=dict(source='gt_heatmap'))))
