# BEVFusion-C, the camera-only baseline of SimDistill (Table 1: 35.6 mAP /
# 41.2 NDS on nuScenes val in the paper): Swin-T (stages 2-4: 192, 384, 768
# channels) + FPN to 256 channels on 6 x 256 x 704 images, the stride-8
# level (32 x 88, BEVFusion's feature size) lifted by LSS (BEVFusion's depth
# bins 1-60 m every 0.5 m, 80 context channels, one 1x1 depth/context conv
# as its LSSTransform) into a 180 x 180 LiDAR-frame BEV of 0.6 m cells over
# [-54, 54] m (BEVFusion: 0.3 m cells then a stride-2 conv; here pooled at
# 0.6 m directly), z within [-10, 10] m (its zbound). BEVFusion's decoder
# (SECOND [128, 256] + SECOND-FPN to 512 channels) and CenterPoint's 6-task
# CenterHead on the 0.075 m voxel grid with stride 8 (the head of the public
# SimDistill code). Swin-T starts from the official ImageNet-1k weights
# (BEVFusion: nuImages-pretrained, not public in this format).
custom_imports = dict(imports=['projects.SimDistill.simdistill'],
                      allow_failed_imports=False)
head_range = [-54.0, -54.0, -5.0, 54.0, 54.0, 3.0]
head_voxel_size = [0.075, 0.075, 0.2]
out_size_factor = 8
image_size = (256, 704)
camera_channels = 80
code_weights = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.2]
swin_t_pretrained = 'https://github.com/SwinTransformer/storage/releases/download/v1.0.0/swin_tiny_patch4_window7_224.pth'  # noqa
lss = dict(type='LSSViewTransformer',
           in_channels=256,
           out_channels=camera_channels,
           image_size=image_size,
           depth_bounds=(1.0, 60.0, 0.5),
           point_cloud_range=[-54.0, -54.0, -10.0, 54.0, 54.0, 10.0],
           voxel_size=(0.6, 0.6, 20.0),
           collapse_z=True)
model = dict(
    type='CameraBEVDetector',
    data_preprocessor=dict(type='Det3DDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True,
                           pad_size_divisor=32),
    img_backbone=dict(type='mmdet.SwinTransformer',
                      embed_dims=96,
                      depths=[2, 2, 6, 2],
                      num_heads=[3, 6, 12, 24],
                      window_size=7,
                      mlp_ratio=4,
                      qkv_bias=True,
                      qk_scale=None,
                      drop_rate=0.0,
                      attn_drop_rate=0.0,
                      drop_path_rate=0.2,
                      patch_norm=True,
                      out_indices=[1, 2, 3],
                      with_cp=False,
                      convert_weights=True,
                      init_cfg=dict(type='Pretrained',
                                    checkpoint=swin_t_pretrained)),
    img_neck=dict(type='mmdet.FPN',
                  in_channels=[192, 384, 768],
                  out_channels=256,
                  num_outs=3),
    view_transform=lss,
    bev_backbone=dict(type='mmdet3d.SECOND',
                      in_channels=camera_channels,
                      out_channels=[128, 256],
                      layer_nums=[5, 5],
                      layer_strides=[1, 2],
                      norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                      conv_cfg=dict(type='Conv2d', bias=False)),
    bev_neck=dict(type='mmdet3d.SECONDFPN',
                  in_channels=[128, 256],
                  out_channels=[256, 256],
                  upsample_strides=[1, 2],
                  norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01),
                  upsample_cfg=dict(type='deconv', bias=False),
                  use_conv_for_no_stride=True),
    bbox_head=dict(
        type='mmdet3d.CenterHead',
        in_channels=512,
        tasks=[
            dict(num_class=1, class_names=['car']),
            dict(num_class=2, class_names=['truck', 'construction_vehicle']),
            dict(num_class=2, class_names=['bus', 'trailer']),
            dict(num_class=1, class_names=['barrier']),
            dict(num_class=2, class_names=['motorcycle', 'bicycle']),
            dict(num_class=2, class_names=['pedestrian', 'traffic_cone']),
        ],
        common_heads=dict(reg=(2, 2),
                          height=(1, 2),
                          dim=(3, 2),
                          rot=(2, 2),
                          vel=(2, 2)),
        share_conv_channel=64,
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
                           final_kernel=3),
        loss_cls=dict(type='mmdet.GaussianFocalLoss', reduction='mean'),
        loss_bbox=dict(type='mmdet.L1Loss',
                       reduction='mean',
                       loss_weight=0.25),
        norm_bbox=True,
        train_cfg=dict(grid_size=[1440, 1440, 40],
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
