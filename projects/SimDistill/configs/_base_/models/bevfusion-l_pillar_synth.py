# BEVFusion-L (Table 2 rows c, d) at demo scale: the teacher's pillar LiDAR
# branch alone; its 64-channel LiDAR BEV goes straight to the decoder.
_base_ = ['./bevfusion_r18w16_synth.py']
model = dict(img_backbone=None,
             img_neck=None,
             view_transform=None,
             fuser=None,
             loss_depth=None,
             bev_backbone=dict(in_channels={{_base_.lidar_channels}}))
