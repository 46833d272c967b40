# The frozen LiDAR + camera teacher and the camera student of the synthetic
# demo in a RenderingDistiller; each Table 3-5 config adds its losses.
# Train the teacher first (12 epochs), then distill from its last checkpoint:
#   python tools/train.py \
#       projects/RadOcc/configs/bevfusion-occ_r18w16_12e_synth-nus-occ3d.py
_base_ = ['../../bevdet-occ_r18w16_6e_synth-nus-occ3d.py']

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
    # Occ3D grid, density from p_free, rendered logits; nearest-voxel
    # lookup (about 3x cheaper forward + backward than trilinear on CPU; the
    # Occ3D-nuScenes configs use trilinear).
    renderer=dict(type='VoxelVolumeRenderer',
                  point_cloud_range=[-40.0, -40.0, -1.0, 40.0, 40.0, 5.4],
                  voxel_size=0.4,
                  free_index=17,
                  interpolation='nearest',
                  semantic_type='logits'),
    logits_recorder='logits',
    # Render only camera-visible voxels, with the logits corrected for the
    # occupancy loss's class weights (RenderingDistiller docstring).
    visible_only=True,
    class_weight={{_base_.model.loss_occ.class_weight}},
    # 128 x 352 x 6 = 270k pixels: 2048 rays (0.8 %) x 48 samples per
    # sample and step, the samples spread over each ray's part in the grid.
    num_rays=2048,
    num_samples=48,
    near=0.5,
    far=60.0,
    distill_losses=dict(),
    loss_forward_mappings=dict())
custom_hooks = [dict(type='DistillLossWeightScheduleHook', warmup_iters=40)]
