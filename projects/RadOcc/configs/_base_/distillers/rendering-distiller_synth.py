# The frozen LiDAR + camera teacher and the camera student of the synthetic
# demo in a RenderingDistiller; each Table 3-5 config adds its losses.
# Train the teacher first, then pass its checkpoint:
#   --cfg-options model.teacher_ckpt=work_dirs/TEACHER/epoch_12.pth
_base_ = ['../../bevdet-occ_r18w16_12e_synth-nus-occ3d.py']

student = {{_base_.model}}
model = dict(
    _delete_=True,
    type='RenderingDistiller',
    student=student,
    teacher=('projects/RadOcc/configs/'
             'bevfusion-occ_r18w16_12e_synth-nus-occ3d.py'),
    teacher_ckpt=('work_dirs/bevfusion-occ_r18w16_12e_synth-nus-occ3d/'
                  'epoch_12.pth'),
    teacher_mode='frozen',
    student_inputs=['img'],
    teacher_inputs=['img', 'points'],
    student_recorders=dict(
        logits=dict(type='ModuleOutputs', source='occ_head'),
        volume=dict(type='ModuleOutputs', source='view_transform')),
    teacher_recorders=dict(
        logits=dict(type='ModuleOutputs', source='occ_head'),
        volume=dict(type='ModuleOutputs', source='fuser')),
    # Occ3D grid, density from p_free, trilinear lookup, rendered logits.
    renderer=dict(type='VoxelVolumeRenderer',
                  point_cloud_range=[-40.0, -40.0, -1.0, 40.0, 40.0, 5.4],
                  voxel_size=0.4,
                  free_index=17,
                  interpolation='trilinear',
                  semantic_type='logits'),
    logits_recorder='logits',
    # 128 x 352 x 6 = 270k pixels; 4096 rays (1.5 %) x 64 samples per sample.
    num_rays=4096,
    num_samples=64,
    near=0.5,
    far=60.0,
    distill_losses=dict(),
    loss_forward_mappings=dict())
custom_hooks = [dict(type='DistillLossWeightScheduleHook', warmup_iters=40)]
