# The frozen LiDAR + camera teacher and the single-modal camera student
# BEVFusion-C of the synthetic demo in a SimDistillDistiller (Table 2 rows
# a, c); the rows add their terms. The student's one BEV (F_Cbev, the
# decoder's input) is compared with a teacher BEV of another width through a
# connector (3x3 conv-BN-ReLU, the simulated student's adapter), dropped
# when the student is extracted.
_base_ = ['../../bevfusion-c_r18w16_12e_synth-nus-det.py']
kd_weight = 0.1  # as simdistill-distiller_synth.py

student = {{_base_.model}}
model = dict(
    _delete_=True,
    type='SimDistillDistiller',
    student=student,
    teacher=('projects/SimDistill/configs/'
             'bevfusion_r18w16_6e_synth-nus-det.py'),
    teacher_ckpt='work_dirs/bevfusion_r18w16_6e_synth-nus-det/epoch_6.pth',
    teacher_mode='frozen',
    student_inputs=['img'],
    teacher_inputs=['img', 'points'],
    student_recorders=dict(
        camera=dict(type='MethodOutputs', source='extract_camera_bev')),
    teacher_recorders=dict(
        lidar=dict(type='MethodOutputs', source='extract_lidar_bev'),
        fused=dict(type='ModuleOutputs', source='fuser')),
    distill_losses=dict(),
    loss_forward_mappings=dict())
# The teacher's LiDAR and fused BEVs both have 64 channels.
adapter = dict(type='ConvConnector',
               in_channels={{_base_.camera_channels}},
               out_channels=64,
               kernel_size=3,
               norm_cfg=dict(type='BN'),
               act_cfg=dict(type='ReLU'))
