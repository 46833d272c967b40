# The simulated multi-modal student at demo scale, without geometry
# compensation (vanilla CMD; Table 3 rows a-c, e, f): BEVFusion-C's image
# encoder shared by the camera LSS and a second LSS (own depth/context net,
# same grid), a 3x3 conv-BN-ReLU adapter from 32 to the teacher's 64
# LiDAR-BEV channels, and the teacher's fuser [32, 64] -> 64 before the
# same decoder and head.
_base_ = ['./bevfusion-c_r18w16_synth.py']
lidar_channels = 64
fused_channels = 64
model = dict(type='SimDistillDetector',
             lidar_view_transform={{_base_.lss}},
             lidar_channels=lidar_channels,
             fuser=dict(type='ConvFuser',
                        in_channels=[{{_base_.camera_channels}},
                                     lidar_channels],
                        out_channels=fused_channels),
             bev_backbone=dict(in_channels=fused_channels))
