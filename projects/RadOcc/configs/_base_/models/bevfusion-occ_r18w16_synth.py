# The LiDAR + camera teacher of the synthetic demo: the student's camera
# branch plus 0.4 m pillars over the Occ3D range (200 x 200), SECOND with
# two stride-2 stages and SECOND-FPN back to the 100 x 100 volume, lifted to
# 8 height cells and fused with the camera volume by 3D convolutions.
_base_ = ['./bevdet-occ_r18w16_synth.py']
volume_range = [-40.0, -40.0, -1.0, 40.0, 40.0, 5.4]
pillar_size = [0.4, 0.4, 6.4]
model = dict(
    type='BEVFusionOcc',
    pts_voxel_layer=dict(max_num_points=20,
                         voxel_size=pillar_size,
                         point_cloud_range=volume_range,
                         max_voxels=40000,
                         deterministic=True),
    pts_voxel_encoder=dict(type='mmdet3d.PillarFeatureNet',
                           in_channels=5,
                           feat_channels=[32],
                           with_distance=False,
                           voxel_size=pillar_size,
                           point_cloud_range=volume_range,
                           norm_cfg=dict(type='BN1d', eps=1e-3,
                                         momentum=0.01)),
    pts_middle_encoder=dict(type='mmdet3d.PointPillarsScatter',
                            in_channels=32,
                            output_shape=[200, 200]),
    pts_backbone=dict(type='mmdet3d.SECOND',
                      in_channels=32,
                      out_channels=[32, 64],
                      layer_nums=[2, 2],
                      layer_strides=[2, 2],
                      norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                      conv_cfg=dict(type='Conv2d', bias=False)),
    pts_neck=dict(type='mmdet3d.SECONDFPN',
                  in_channels=[32, 64],
                  out_channels=[32, 32],
                  upsample_strides=[1, 2],
                  norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                  upsample_cfg=dict(type='deconv', bias=False),
                  use_conv_for_no_stride=True),
    lidar_channels=64,
    lidar_volume_channels=8,
    fuser_channels=16)
