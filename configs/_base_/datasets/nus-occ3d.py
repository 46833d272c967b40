# nuScenes + Occ3D-nuScenes (real data) for occupancy (RadOcc) and BEV
# detection (SimDistill). Layout: data_root holds samples/, sweeps/,
# v1.0-trainval/, the Occ3D labels in gts/<scene>/<token>/labels.npz and,
# for RadOcc's rendered semantic consistency, SAM segment maps in
# segments/CAM_X/<image stem>.png:
#   python tools/misc/generate_sam_segments.py --root data/nuscenes \
#       --checkpoint checkpoints/sam_vit_h_4b8939.pth
#   python tools/create_data.py nuscenes --root data/nuscenes \
#       --version v1.0-trainval
# Without segment maps, remove LoadSegmentMaps and 'gt_segments' from
# train_pipeline. Data contract: crossdistill/transforms/formatting.py.
# Input 256x704 (SimDistill; BEVDet-R50 of RadOcc's ablations); RadOcc
# renders at 384x704: set final_size=(384, 704) in a method config.
# mmdet3d's registries hang off mmengine's, not mmdet's: mmdet3d transforms
# resolve by plain name, mmdet ones would need `mmdet.`.
dataset_type = 'NuScenesOccDataset'
data_root = 'data/nuscenes/'
class_names = [
    'car', 'truck', 'trailer', 'bus', 'construction_vehicle', 'bicycle',
    'motorcycle', 'pedestrian', 'traffic_cone', 'barrier'
]
occ_class_names = [
    'others', 'barrier', 'bicycle', 'bus', 'car', 'construction_vehicle',
    'motorcycle', 'pedestrian', 'traffic_cone', 'trailer', 'truck',
    'driveable_surface', 'other_flat', 'sidewalk', 'terrain', 'manmade',
    'vegetation', 'free'
]
metainfo = dict(classes=class_names)
# Occ3D grid (ego frame): 200 x 200 x 16 voxels of 0.4 m
occ_range = [-40.0, -40.0, -1.0, 40.0, 40.0, 5.4]
occ_size = [200, 200, 16]
# BEVFusion / SimDistill detection range (LiDAR frame)
point_cloud_range = [-54.0, -54.0, -5.0, 54.0, 54.0, 3.0]
input_modality = dict(use_lidar=True, use_camera=True)
backend_args = None
data_prefix = dict(pts='samples/LIDAR_TOP',
                   sweeps='sweeps/LIDAR_TOP',
                   CAM_FRONT='samples/CAM_FRONT',
                   CAM_FRONT_RIGHT='samples/CAM_FRONT_RIGHT',
                   CAM_FRONT_LEFT='samples/CAM_FRONT_LEFT',
                   CAM_BACK='samples/CAM_BACK',
                   CAM_BACK_LEFT='samples/CAM_BACK_LEFT',
                   CAM_BACK_RIGHT='samples/CAM_BACK_RIGHT')

# BEVDet data_config: scale W_final / W + U(resize_range), bottom crop,
# flip, rotation in degrees.
final_size = (256, 704)
train_image_aug = dict(type='MultiViewImageAug',
                       final_size=final_size,
                       resize_range=(-0.06, 0.11),
                       rot_range=(-5.4, 5.4),
                       flip=True,
                       crop_h_range=(0.0, 0.0),
                       is_train=True)
test_image_aug = dict(type='MultiViewImageAug',
                      final_size=final_size,
                      resize_test=0.0,
                      is_train=False)

train_pipeline = [
    dict(type='LoadPointsFromFile',
         coord_type='LIDAR',
         load_dim=5,
         use_dim=5,
         backend_args=backend_args),
    dict(type='LoadMultiViewImageFromFiles',
         num_views=6,
         backend_args=backend_args),
    dict(type='LoadAnnotations3D', with_bbox_3d=True, with_label_3d=True),
    train_image_aug,
    # before the sweeps: depth from the key-frame sweep only
    dict(type='PointsToMultiViewDepth', depth_range=(0.1, 100.0)),
    dict(type='LoadPointsFromMultiSweeps',
         sweeps_num=10,
         load_dim=5,
         use_dim=[0, 1, 2, 3, 4],
         pad_empty_sweeps=True,
         remove_close=True,
         backend_args=backend_args),
    dict(type='LoadOccupancyGT', backend_args=backend_args),
    dict(type='LoadSegmentMaps', backend_args=backend_args),
    dict(type='ObjectRangeFilter', point_cloud_range=point_cloud_range),
    dict(type='ObjectNameFilter', classes=class_names),
    dict(type='PackOccInputs',
         keys=[
             'img', 'points', 'gt_bboxes_3d', 'gt_labels_3d',
             'voxel_semantics', 'mask_camera', 'mask_lidar', 'gt_depth',
             'gt_segments'
         ]),
]
test_pipeline = [
    dict(type='LoadPointsFromFile',
         coord_type='LIDAR',
         load_dim=5,
         use_dim=5,
         backend_args=backend_args),
    dict(type='LoadMultiViewImageFromFiles',
         num_views=6,
         backend_args=backend_args),
    test_image_aug,
    dict(type='LoadPointsFromMultiSweeps',
         sweeps_num=10,
         load_dim=5,
         use_dim=[0, 1, 2, 3, 4],
         pad_empty_sweeps=True,
         remove_close=True,
         test_mode=True,
         backend_args=backend_args),
    dict(type='LoadOccupancyGT', backend_args=backend_args),
    dict(type='PackOccInputs', keys=['img', 'points']),
]

train_dataloader = dict(batch_size=4,
                        num_workers=4,
                        persistent_workers=True,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(type=dataset_type,
                                     data_root=data_root,
                                     ann_file='nuscenes_infos_train.pkl',
                                     data_prefix=data_prefix,
                                     metainfo=metainfo,
                                     modality=input_modality,
                                     pipeline=train_pipeline,
                                     box_type_3d='LiDAR',
                                     test_mode=False,
                                     backend_args=backend_args))
val_dataloader = dict(batch_size=1,
                      num_workers=4,
                      persistent_workers=True,
                      drop_last=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(type=dataset_type,
                                   data_root=data_root,
                                   ann_file='nuscenes_infos_val.pkl',
                                   data_prefix=data_prefix,
                                   metainfo=metainfo,
                                   modality=input_modality,
                                   pipeline=test_pipeline,
                                   box_type_3d='LiDAR',
                                   test_mode=True,
                                   backend_args=backend_args))
test_dataloader = val_dataloader

# Occupancy: Occ3D mIoU on camera-visible voxels. BEV detection configs
# use det_evaluator (nuScenes mAP / NDS through the devkit).
val_evaluator = dict(type='Occ3DMetric', use_camera_mask=True)
test_evaluator = val_evaluator
det_evaluator = dict(type='NuScenesMetric',
                     data_root=data_root,
                     ann_file=data_root + 'nuscenes_infos_val.pkl',
                     metric='bbox',
                     backend_args=backend_args)
