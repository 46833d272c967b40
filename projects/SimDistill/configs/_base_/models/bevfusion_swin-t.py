# The BEVFusion teacher of SimDistill (Table 1: 68.5 mAP / 71.4 NDS for the
# official checkpoint, whose TransFusion head this codebase does not load):
# BEVFusion-C's camera branch plus BEVFusion's LiDAR branch, hard voxels of
# (0.075, 0.075, 0.2) m over [-54, 54] x [-54, 54] x [-5, 3] m (1440 x 1440
# x 41), HardSimpleVFE and the sparse-convolution VoxelNet of CenterPoint /
# BEVFusion (mmdet3d SparseEncoder, CUDA only) flattened to 256 channels at
# 180 x 180 (F_Lbev), ConvFuser [80 cam, 256 LiDAR] -> 256, then the
# baseline's decoder and head.
_base_ = ['./bevfusion-c_swin-t.py']
lidar_channels = 256
fused_channels = 256
model = dict(
    type='BEVFusionDetector',
    pts_voxel_layer=dict(max_num_points=10,
                         voxel_size={{_base_.head_voxel_size}},
                         point_cloud_range={{_base_.head_range}},
                         max_voxels=(120000, 160000)),
    pts_voxel_encoder=dict(type='mmdet3d.HardSimpleVFE', num_features=5),
    pts_middle_encoder=dict(type='mmdet3d.SparseEncoder',
                            in_channels=5,
                            sparse_shape=[41, 1440, 1440],
                            output_channels=128,
                            order=('conv', 'norm', 'act'),
                            encoder_channels=((16, 16, 32), (32, 32, 64),
                                              (64, 64, 128), (128, 128)),
                            encoder_paddings=((0, 0, 1), (0, 0, 1),
                                              (0, 0, [0, 1, 1]), (0, 0)),
                            block_type='basicblock'),
    fuser=dict(type='ConvFuser',
               in_channels=[{{_base_.camera_channels}}, lidar_channels],
               out_channels=fused_channels),
    bev_backbone=dict(in_channels=fused_channels))
