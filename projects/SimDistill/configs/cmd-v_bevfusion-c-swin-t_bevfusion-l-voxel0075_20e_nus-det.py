# Table 2 row c: vanilla cross-modal distillation (CMD-v) from the LiDAR-only
# teacher BEVFusion-L into the single-modal BEVFusion-C student: the teacher's
# LiDAR BEV against the adapted camera BEV, masked by the GT heatmap (paper:
# 35.88 mAP / 42.87 NDS).
_base_ = ['./_base_/distillers/bevfusion-c-distiller_swin-t.py']

model = dict(
    teacher=('projects/SimDistill/configs/'
             'bevfusion-l_voxel0075_20e_nus-det.py'),
    teacher_ckpt=('work_dirs/bevfusion-l_voxel0075_20e_nus-det/'
                  'epoch_20.pth'),
    teacher_inputs=['points'],
    teacher_recorders=dict(
        _delete_=True,
        lidar=dict(type='MethodOutputs', source='extract_lidar_bev')),
    connectors=dict(to_lidar={{_base_.adapter}}),
    distill_losses=dict(
        loss_cmd=dict(type='MaskedFeatureMSELoss', loss_weight=1.0)),
    loss_forward_mappings=dict(loss_cmd=dict(
        preds_S=dict(source='student', recorder='camera',
                     connector='to_lidar'),
        preds_T=dict(source='teacher', recorder='lidar'),
        mask=dict(source='gt_heatmap'))))
