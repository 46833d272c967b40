# BEVFusion-C (the camera-only baseline) scaled for 2 CPU cores (synthetic
# demo): a 16-base-channel ResNet-18 + FPN on 6 x 128 x 352 images, the
# stride-8 level (16 x 44, BEVFusion's feature size at half resolution)
# lifted by LSS (1-60 m depth bins of 1 m) into a 128 x 128 LiDAR-frame BEV
# of 0.8 m cells over [-51.2, 51.2] m, SECOND + SECOND-FPN and a
# one-task CenterHead (all 10 classes; the 6-task head of the nuScenes
# configs costs 6 x the head compute). CenterHead's target grid: 0.4 m
# "voxels" (the teacher's pillars) with out_size_factor 2.
# Unlike BEVFusion-C on nuScenes, the LSS depth net is supervised by the
# LiDAR depth maps (BEVDepth's loss, spec B.10): trained from scratch for 240
# iterations, an unsupervised depth net does not learn where objects are
# (BEVFusion-C scored 0.006 mAP without it). Every camera model of the demo
# (baseline and students) inherits it, so the comparison stays fair.
custom_imports = dict(imports=['projects.SimDistill.simdistill'],
                      allow_failed_imports=False)
det_class_names = [
    'car', 'truck', 'construction_vehicle', 'bus', 'trailer', 'barrier',
    'motorcycle', 'bicycle', 'pedestrian', 'traffic_cone'
]
head_range = [-51.2, -51.2, -5.0, 51.2, 51.2, 3.0]
bev_cell = 0.8
head_voxel_size = [0.4, 0.4, 8.0]
out_size_factor = 2
image_size = (128, 352)
camera_channels = 32
depth_bounds = (1.0, 60.0, 1.0)
code_weights = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.2]
lss = dict(type='LSSViewTransformer',
           in_channels=32,
           out_channels=camera_channels,
           image_size=image_size,
           depth_bounds=depth_bounds,
           point_cloud_range=head_range,
           voxel_size=(bev_cell, bev_cell, 8.0),
           collapse_z=True)
model = dict(
    type='CameraBEVDetector',
    data_preprocessor=dict(type='Det3DDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True,
                           pad_size_divisor=32),
    img_backbone=dict(type='mmdet.ResNet',
                      depth=18,
                      base_channels=16,
                      num_stages=4,
                      out_indices=(1, 2, 3),
                      norm_cfg=dict(type='BN', requires_grad=True),
                      norm_eval=False,
                      style='pytorch'),
    img_neck=dict(type='mmdet.FPN',
                  in_channels=[32, 64, 128],
                  out_channels=32,
                  num_outs=3),
    view_transform=lss,
    loss_depth=dict(type='LSSDepthLoss',
                    depth_bounds=depth_bounds,
                    loss_weight=0.5),
    bev_backbone=dict(type='mmdet3d.SECOND',
                      in_channels=camera_channels,
                      out_channels=[32, 64],
                      layer_nums=[2, 2],
                      layer_strides=[1, 2],
                      norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                      conv_cfg=dict(type='Conv2d', bias=False)),
    bev_neck=dict(type='mmdet3d.SECONDFPN',
                  in_channels=[32, 64],
                  out_channels=[32, 32],
                  upsample_strides=[1, 2],
                  norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                  upsample_cfg=dict(type='deconv', bias=False),
                  use_conv_for_no_stride=True),
    bbox_head=dict(
        type='mmdet3d.CenterHead',
        in_channels=64,
        tasks=[
            dict(num_class=len(det_class_names), class_names=det_class_names)
        ],
        common_heads=dict(reg=(2, 2),
                          height=(1, 2),
                          dim=(3, 2),
                          rot=(2, 2),
                          vel=(2, 2)),
        share_conv_channel=32,
        bbox_coder=dict(type='mmdet3d.CenterPointBBoxCoder',
                        pc_range=head_range[:2],
                        post_center_range=[-61.2, -61.2, -10.0, 61.2, 61.2,
                                           10.0],
                        max_num=500,
                        score_threshold=0.1,
                        out_size_factor=out_size_factor,
                        voxel_size=head_voxel_size[:2],
                        code_size=9),
        separate_head=dict(type='mmdet3d.SeparateHead',
                           init_bias=-2.19,
                           final_kernel=3,
                           head_conv=32),
        loss_cls=dict(type='mmdet.GaussianFocalLoss', reduction='mean'),
        loss_bbox=dict(type='mmdet.L1Loss',
                       reduction='mean',
                       loss_weight=0.25),
        norm_bbox=True,
        train_cfg=dict(grid_size=[256, 256, 1],
                       voxel_size=head_voxel_size,
                       point_cloud_range=head_range,
                       out_size_factor=out_size_factor,
                       dense_reg=1,
                       gaussian_overlap=0.1,
                       max_objs=500,
                       min_radius=2,
                       code_weights=code_weights),
        test_cfg=dict(post_center_limit_range=[-61.2, -61.2, -10.0, 61.2,
                                               61.2, 10.0],
                      max_per_img=500,
                      max_pool_nms=False,
                      min_radius=[4, 12, 10, 1, 0.85, 0.175],
                      score_threshold=0.1,
                      out_size_factor=out_size_factor,
                      voxel_size=head_voxel_size[:2],
                      pc_range=head_range[:2],
                      nms_type='rotate',
                      pre_max_size=1000,
                      post_max_size=83,
                      nms_thr=0.2)))
