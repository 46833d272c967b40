# nuScenes (real data, configs/_base_/datasets/nus-occ3d.py, prepared as
# described there) for BEV 3D detection as SimDistill trains it: 256 x 704
# images (the shared BEVDet image augmentation), key frame + 9 LiDAR sweeps
# (BEVFusion's), boxes within BEVFusion's [-54, 54] m range, CenterPoint's
# class order, no BEV augmentation (the data contract of
# crossdistill/transforms/formatting.py), nuScenes mAP / NDS on val.
_base_ = '../../../../../configs/_base_/datasets/nus-occ3d.py'

data_root = 'data/nuscenes/'
backend_args = None
class_names = [
    'car', 'truck', 'construction_vehicle', 'bus', 'trailer', 'barrier',
    'motorcycle', 'bicycle', 'pedestrian', 'traffic_cone'
]
metainfo = dict(classes=class_names)
point_cloud_range = [-54.0, -54.0, -5.0, 54.0, 54.0, 3.0]
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
    dict(type='LoadPointsFromMultiSweeps',
         sweeps_num=9,
         load_dim=5,
         use_dim=[0, 1, 2, 3, 4],
         pad_empty_sweeps=True,
         remove_close=True,
         backend_args=backend_args),
    dict(type='ObjectRangeFilter', point_cloud_range=point_cloud_range),
    dict(type='ObjectNameFilter', classes=class_names),
    dict(type='PackOccInputs',
         keys=['img', 'points', 'gt_bboxes_3d', 'gt_labels_3d']),
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
         sweeps_num=9,
         load_dim=5,
         use_dim=[0, 1, 2, 3, 4],
         pad_empty_sweeps=True,
         remove_close=True,
         test_mode=True,
         backend_args=backend_args),
    dict(type='PackOccInputs', keys=['img', 'points']),
]
val_dataloader = dict(dataset=dict(metainfo=metainfo,
                                   pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True,
                     type='NuScenesMetric',
                     data_root=data_root,
                     ann_file=data_root + 'nuscenes_infos_val.pkl',
                     metric='bbox',
                     backend_args=backend_args)
test_evaluator = val_evaluator
# Class-balanced grouping and sampling (CBGS) of the training set, as
# BEVFusion and the public SimDistill code train.
train_dataloader = dict(dataset=dict(
    _delete_=True,
    type='CBGSDataset',
    dataset=dict(type={{_base_.dataset_type}},
                 data_root=data_root,
                 ann_file='nuscenes_infos_train.pkl',
                 data_prefix={{_base_.data_prefix}},
                 metainfo=metainfo,
                 modality={{_base_.input_modality}},
                 pipeline=train_pipeline,
                 box_type_3d='LiDAR',
                 test_mode=False,
                 backend_args=backend_args)))
