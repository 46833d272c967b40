# BEVDet-Occ camera student with a ResNet-50 (RadOcc Tables 3-5: "BEVDet
# with ResNet-50", 36.10 mIoU on Occ3D-nuScenes val). 256 x 704 images
# (configs/_base_/datasets/nus-occ3d.py), the stride-16 FPN level lifted by
# LSS (BEVDet-Occ's depth bins 1-45 m every 0.5 m) straight into the Occ3D
# grid: 200 x 200 x 16 voxels of 0.4 m, so the SSC decoder needs no
# upsampling. Depth net supervised by the LiDAR depth maps (BEVDet-Occ).
# Key frame only: no BEVStereo temporal fusion (see the project README).
custom_imports = dict(imports=['projects.RadOcc.radocc'],
                      allow_failed_imports=False)
volume_range = [-40.0, -40.0, -1.0, 40.0, 40.0, 5.4]
volume_voxel_size = 0.4
image_size = (256, 704)
depth_bounds = (1.0, 45.0, 0.5)
volume_channels = 32
model = dict(
    type='BEVDetOcc',
    data_preprocessor=dict(type='Det3DDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True,
                           pad_size_divisor=32),
    img_backbone=dict(type='mmdet.ResNet',
                      depth=50,
                      num_stages=4,
                      out_indices=(2, 3),
                      frozen_stages=-1,
                      norm_cfg=dict(type='BN', requires_grad=True),
                      norm_eval=False,
                      style='pytorch',
                      init_cfg=dict(type='Pretrained',
                                    checkpoint='torchvision://resnet50')),
    # C4 (1024, stride 16) and C5 (2048, stride 32); the first output level
    # (stride 16, 16 x 44) is lifted.
    img_neck=dict(type='mmdet.FPN',
                  in_channels=[1024, 2048],
                  out_channels=256,
                  num_outs=2),
    view_transform=dict(type='LSSViewTransformer',
                        in_channels=256,
                        out_channels=volume_channels,
                        image_size=image_size,
                        depth_bounds=depth_bounds,
                        point_cloud_range=volume_range,
                        voxel_size=volume_voxel_size,
                        mid_channels=256),
    occ_head=dict(type='OccupancyDecoder',
                  in_channels=volume_channels,
                  channels=32,
                  num_blocks=3,
                  num_classes=18,
                  upsample=1),
    loss_occ=dict(type='mmdet.CrossEntropyLoss',
                  use_sigmoid=False,
                  loss_weight=1.0),
    loss_depth=dict(type='LSSDepthLoss',
                    depth_bounds=depth_bounds,
                    loss_weight=0.5),
    use_camera_mask=True)
