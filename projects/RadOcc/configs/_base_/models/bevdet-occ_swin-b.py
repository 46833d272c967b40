# BEVDet-Occ camera student with Swin-B, RadOcc's headline setting
# (Table 1 "Baseline (ours)", Swin-B: 44.14 mIoU on Occ3D-nuScenes val,
# with 3 history frames, not implemented here). Same LSS lift, Occ3D grid
# and decoder as the ResNet-50 student; only the image backbone (see
# swin-b_img-backbone.py) and the FPN inputs (Swin stages 3, 4: 512, 1024
# channels) change.
_base_ = ['./bevdet-occ_r50.py', './swin-b_img-backbone.py']
model = dict(img_backbone={{_base_.swin_b_backbone}},
             img_neck=dict(in_channels={{_base_.swin_b_out_channels}}))
