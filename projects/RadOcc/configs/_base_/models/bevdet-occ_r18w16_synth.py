# BEVDet-Occ camera student scaled for 2 CPU cores (synthetic demo): a
# 16-base-channel ResNet-18 on 128 x 352 images, LSS into a 100 x 100 x 8
# volume of 0.8 m voxels, the SSC decoder upsampling its logits 2x to the
# 200 x 200 x 16 Occ3D grid. Depth supervised by the LiDAR depth maps.
custom_imports = dict(imports=['projects.RadOcc.radocc'],
                      allow_failed_imports=False)
volume_range = [-40.0, -40.0, -1.0, 40.0, 40.0, 5.4]
volume_voxel_size = 0.8
image_size = (128, 352)
depth_bounds = (1.0, 45.0, 1.0)
volume_channels = 16
model = dict(
    type='BEVDetOcc',
    data_preprocessor=dict(type='Det3DDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True,
                           pad_size_divisor=32),
    img_backbone=dict(type='mmdet.ResNet',
                      depth=18,
                      base_channels=16,
                      num_stages=4,
                      out_indices=(2, 3),
                      norm_cfg=dict(type='BN', requires_grad=True),
                      norm_eval=False,
                      style='pytorch'),
    img_neck=dict(type='mmdet.FPN',
                  in_channels=[64, 128],
                  out_channels=32,
                  num_outs=2),
    view_transform=dict(type='LSSViewTransformer',
                        in_channels=32,
                        out_channels=volume_channels,
                        image_size=image_size,
                        depth_bounds=depth_bounds,
                        point_cloud_range=volume_range,
                        voxel_size=volume_voxel_size,
                        mid_channels=32),
    occ_head=dict(type='OccupancyDecoder',
                  in_channels=volume_channels,
                  channels=16,
                  num_blocks=2,
                  num_classes=18,
                  upsample=2),
    # ENet-style weights 1 / ln(1.2 + f_c) of the synthetic training split:
    #   python projects/RadOcc/tools/occ_class_weights.py \
    #       data/synth-nuscenes/nuscenes_infos_train.pkl
    loss_occ=dict(type='mmdet.CrossEntropyLoss',
                  use_sigmoid=False,
                  class_weight=[
                      5.48, 5.47, 5.47, 5.44, 5.37, 5.46, 5.48, 5.47, 5.48,
                      5.40, 5.41, 5.11, 5.41, 5.32, 5.23, 5.12, 5.29, 1.33
                  ],
                  loss_weight=1.0),
    loss_depth=dict(type='LSSDepthLoss',
                    depth_bounds=depth_bounds,
                    loss_weight=0.5),
    use_camera_mask=True)
