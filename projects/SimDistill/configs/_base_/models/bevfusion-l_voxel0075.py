# BEVFusion-L (Table 2 rows c, d): the teacher's VoxelNet LiDAR branch
# alone; its 256-channel LiDAR BEV goes straight to the decoder.
_base_ = ['./bevfusion_swin-t.py']
model = dict(img_backbone=None,
             img_neck=None,
             view_transform=None,
             fuser=None,
             bev_backbone=dict(in_channels={{_base_.lidar_channels}}))
