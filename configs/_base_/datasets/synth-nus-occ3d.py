# Synthetic nuScenes + Occ3D set (same formats as the real one). Prepare with
#   python tools/create_data.py synth-nuscenes --out data/synth-nuscenes
#   python tools/create_data.py nuscenes --root data/synth-nuscenes \
#       --version v1.0-mini
# The demo preset renders 352x198 images (nuScenes' 1600x900 scaled by
# 0.22), so the paper's 256x704 input of a 396x704 resize becomes 128x352 at
# scale 1.0 (RadOcc's 384x704 render size: final_size=(192, 352)). For
# `--preset large` (704x396) use the real config's final_size=(256, 704).
# The synthetic set always has segment maps. Pipelines are spelled out
# because the base pipelines are built with the base final_size.
_base_ = './nus-occ3d.py'

data_root = 'data/synth-nuscenes/'
backend_args = None
class_names = [
    'car', 'truck', 'trailer', 'bus', 'construction_vehicle', 'bicycle',
    'motorcycle', 'pedestrian', 'traffic_cone', 'barrier'
]
point_cloud_range = [-54.0, -54.0, -5.0, 54.0, 54.0, 3.0]
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

train_dataloader = dict(batch_size=2,
                        num_workers=2,
                        dataset=dict(data_root=data_root,
                                     pipeline=train_pipeline))
val_dataloader = dict(num_workers=2,
                      dataset=dict(data_root=data_root,
                                   pipeline=test_pipeline))
test_dataloader = val_dataloader
det_evaluator = dict(data_root=data_root,
                     ann_file=data_root + 'nuscenes_infos_val.pkl')
