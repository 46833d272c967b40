# The simulated multi-modal student of SimDistill without geometry
# compensation (vanilla CMD; Table 3 rows a-c, e, f): BEVFusion-C's Swin-T
# encoder shared by the camera LSS and a second LSS (own depth/context net,
# same grid; the public code reuses the camera LSS), a 3x3 conv-BN-ReLU
# adapter from 80 to the teacher's 256 LiDAR-BEV channels (its
# `trans_student`), and the teacher's fuser [80, 256] -> 256 before the same
# decoder and head.
_base_ = ['./bevfusion-c_swin-t.py']
lidar_channels = 256
fused_channels = 256
model = dict(type='SimDistillDetector',
             lidar_view_transform={{_base_.lss}},
             lidar_channels=lidar_channels,
             fuser=dict(type='ConvFuser',
                        in_channels=[{{_base_.camera_channels}},
                                     lidar_channels],
                        out_channels=fused_channels),
             bev_backbone=dict(in_channels=fused_channels))
