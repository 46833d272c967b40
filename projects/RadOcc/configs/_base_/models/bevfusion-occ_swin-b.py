# RadOcc's LiDAR + camera teacher of the headline setting (Table 1
# "Teacher (ours)", Swin-B: 49.38 mIoU on Occ3D-nuScenes val): the
# ResNet-50 teacher's LiDAR branch and fuser (bevfusion-occ_r50.py) with
# the Swin-B camera branch of the student (swin-b_img-backbone.py).
_base_ = ['./bevfusion-occ_r50.py', './swin-b_img-backbone.py']
model = dict(img_backbone={{_base_.swin_b_backbone}},
             img_neck=dict(in_channels={{_base_.swin_b_out_channels}}))
