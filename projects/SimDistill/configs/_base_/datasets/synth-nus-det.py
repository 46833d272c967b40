# The synthetic nuScenes set (configs/_base_/datasets/synth-nus-occ3d.py,
# prepared as described there) for BEV 3D detection: the shared set with
# detection pipelines (LiDAR depth maps of the key frame for the camera
# models' depth loss, no occupancy or segment maps), CenterPoint's
# class order (tasks of a CenterHead are consecutive runs of it), key frame + 9
# sweeps (BEVFusion's), boxes kept inside the 102.4 m x 102.4 m BEV grid of the
# synthetic models, and nuScenes mAP / NDS (mmdet3d NuScenesMetric on the
# devkit's mini_val split, which the synthetic v1.0-mini scenes follow).
_base_ = '../../../../../configs/_base_/datasets/synth-nus-occ3d.py'

data_root = 'data/synth-nuscenes/'
backend_args = None
class_names = [
    'car', 'truck', 'construction_vehicle', 'bus', 'trailer', 'barrier',
    'motorcycle', 'bicycle', 'pedestrian', 'traffic_cone'
]
# NuScenesMetric opens the devkit tables of `version` (the dataset's
# default is v1.0-trainval; the info file's version does not override it).
metainfo = dict(classes=class_names, version='v1.0-mini')
point_cloud_range = [-51.2, -51.2, -5.0, 51.2, 51.2, 3.0]
final_size = (128, 352)
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
    dict(type='PointsToMultiViewDepth', depth_range=(0.1, 100.0)),
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
         keys=['img', 'points', 'gt_bboxes_3d', 'gt_labels_3d', 'gt_depth']),
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
train_dataloader = dict(dataset=dict(data_root=data_root,
                                     metainfo=metainfo,
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root,
                                   metainfo=metainfo,
                                   pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True,
                     type='NuScenesMetric',
                     data_root=data_root,
                     ann_file=data_root + 'nuscenes_infos_val.pkl',
                     metric='bbox',
                     backend_args=backend_args)
test_evaluator = val_evaluator
