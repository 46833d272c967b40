# RadOcc's LiDAR + camera teacher for the ResNet-50 experiments: the
# student's camera branch (bevdet-occ_r50.py) plus a PointPillars / SECOND /
# SECOND-FPN LiDAR branch (the paper's "scattered into pillars … volume
# features extracted by SECOND and SECOND-FPN") on the Occ3D volume:
#   0.4 m pillars over [-40, 40]^2 x [-1, 5.4]  -> 200 x 200 BEV, 64 ch
#   SECOND strides 1, 2, 2                      -> 200^2 x 64, 100^2 x 128,
#                                                  50^2 x 256
#   SECOND-FPN upsampling 1, 2, 4 (128 ch each) -> 200 x 200 x 384
# lifted to 16 height cells x 16 channels by a 1x1 conv, concatenated with
# the 32-channel camera volume and fused by two 3x3x3 convs to 32 channels
# (BEVFusion's fuser in 3D), then the same SSC decoder. Pillar grid,
# strides and upsampling are chosen so that the LiDAR BEV equals the
# volume's 200 x 200 (BEVFusionOcc checks it).
_base_ = ['./bevdet-occ_r50.py']
volume_range = [-40.0, -40.0, -1.0, 40.0, 40.0, 5.4]
pillar_size = [0.4, 0.4, 6.4]
model = dict(
    type='BEVFusionOcc',
    pts_voxel_layer=dict(max_num_points=20,
                         voxel_size=pillar_size,
                         point_cloud_range=volume_range,
                         max_voxels=60000,
                         deterministic=True),
    # nuScenes points: x, y, z, intensity, sweep time lag.
    pts_voxel_encoder=dict(type='mmdet3d.PillarFeatureNet',
                           in_channels=5,
                           feat_channels=[64],
                           with_distance=False,
                           voxel_size=pillar_size,
                           point_cloud_range=volume_range,
                           norm_cfg=dict(type='BN1d', eps=1e-3,
                                         momentum=0.01)),
    pts_middle_encoder=dict(type='mmdet3d.PointPillarsScatter',
                            in_channels=64,
                            output_shape=[200, 200]),
    pts_backbone=dict(type='mmdet3d.SECOND',
                      in_channels=64,
                      out_channels=[64, 128, 256],
                      layer_nums=[3, 5, 5],
                      layer_strides=[1, 2, 2],
                      norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                      conv_cfg=dict(type='Conv2d', bias=False)),
    pts_neck=dict(type='mmdet3d.SECONDFPN',
                  in_channels=[64, 128, 256],
                  out_channels=[128, 128, 128],
                  upsample_strides=[1, 2, 4],
                  norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                  upsample_cfg=dict(type='deconv', bias=False),
                  use_conv_for_no_stride=True),
    lidar_channels=384,
    lidar_volume_channels=16,
    fuser_channels=32)
