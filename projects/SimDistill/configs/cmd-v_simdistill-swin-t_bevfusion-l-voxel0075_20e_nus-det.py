# Table 2 row d: vanilla cross-modal distillation (CMD-v) from the LiDAR-only
# teacher BEVFusion-L into the simulated multi-modal student (no GCM) (paper:
# 36.80 mAP / 42.79 NDS).
_base_ = ['./_base_/distillers/simdistill-distiller_swin-t.py']

model = dict(
    teacher=('projects/SimDistill/configs/'
             'bevfusion-l_voxel0075_20e_nus-det.py'),
    teacher_ckpt=('work_dirs/bevfusion-l_voxel0075_20e_nus-det/'
                  'epoch_20.pth'),
    teacher_inputs=['points'],
    teacher_recorders=dict(
        _delete_=True,
        lidar=dict(type='MethodOutputs', source='extract_lidar_bev')),
    distill_losses=dict(loss_cmd={{_base_.cmd.loss}}),
    loss_forward_mappings=dict(loss_cmd={{_base_.cmd.mapping}}))
