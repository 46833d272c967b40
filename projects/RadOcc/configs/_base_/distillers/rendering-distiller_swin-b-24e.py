# The frozen Swin-B LiDAR + camera teacher and the Swin-B camera student
# on Occ3D-nuScenes (RadOcc Table 1) in a RenderingDistiller: the
# ResNet-50 distiller (rendering-distiller_r50-24e.py: renderer, 80k rays,
# 128 samples, loss warm-up, data, schedule) with the student's image
# backbone swapped for Swin-B (the student of
# bevdet-occ_swin-b_24e_occ3d-nus.py) and the Swin-B teacher.
# Train the teacher first:
#   python tools/train.py \
#       projects/RadOcc/configs/bevfusion-occ_swin-b_24e_occ3d-nus.py
_base_ = [
    './rendering-distiller_r50-24e.py', '../models/swin-b_img-backbone.py'
]

model = dict(
    student=dict(
        img_backbone={{_base_.swin_b_backbone}},
        img_neck=dict(in_channels={{_base_.swin_b_out_channels}})),
    teacher='projects/RadOcc/configs/bevfusion-occ_swin-b_24e_occ3d-nus.py',
    teacher_ckpt='work_dirs/bevfusion-occ_swin-b_24e_occ3d-nus/'
    'epoch_24.pth')
