# The LiDAR + camera teacher at demo scale: BEVFusion-C's camera branch,
# a pillar LiDAR branch on CPU (BEVFusion's sparse-convolution VoxelNet
# runs on CUDA only): 0.4 m pillars (256 x 256, PillarFeatureNet 32 ch,
# PointPillarsScatter) and one stride-2 SECOND stage to the 128 x 128 BEV
# (64 ch, F_Lbev), BEVFusion's ConvFuser [32 cam, 64 LiDAR] -> 64, then the
# baseline's decoder and head. Its camera depth net is supervised by the
# LiDAR depth maps like the students' (BEVFusion instead feeds LiDAR depth
# to it): IMD then compares camera BEVs of the same kind. With an
# unsupervised teacher depth net, IMD stayed at 2.8 through the 12 epochs of
# T3 g; with this one it ends at 0.55 (seed 0).
_base_ = ['./bevfusion-c_r18w16_synth.py']
lidar_channels = 64
fused_channels = 64
model = dict(
    type='BEVFusionDetector',
    pts_voxel_layer=dict(max_num_points=20,
                         voxel_size={{_base_.head_voxel_size}},
                         point_cloud_range={{_base_.head_range}},
                         max_voxels=30000,
                         deterministic=True),
    pts_voxel_encoder=dict(type='mmdet3d.PillarFeatureNet',
                           in_channels=5,
                           feat_channels=[32],
                           with_distance=False,
                           voxel_size={{_base_.head_voxel_size}},
                           point_cloud_range={{_base_.head_range}},
                           norm_cfg=dict(type='BN1d', eps=1e-3,
                                         momentum=0.01)),
    pts_middle_encoder=dict(type='mmdet3d.PointPillarsScatter',
                            in_channels=32,
                            output_shape=[256, 256]),
    pts_bev_encoder=dict(type='mmdet3d.SECOND',
                         in_channels=32,
                         out_channels=[lidar_channels],
                         layer_nums=[2],
                         layer_strides=[2],
                         norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                         conv_cfg=dict(type='Conv2d', bias=False)),
    fuser=dict(type='ConvFuser',
               in_channels=[{{_base_.camera_channels}}, lidar_channels],
               out_channels=fused_channels),
    bev_backbone=dict(in_channels=fused_channels))
