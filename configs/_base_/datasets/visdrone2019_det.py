# VisDrone2019-DET (real data). Prepare with
#   python tools/create_data.py visdrone --root data/VisDrone2019
# which writes annotations/visdrone2019_det_{train,val}.json under data_root.
# Scales follow ZoomInNet: the student sees 512x512 (keep_ratio=False), the
# teacher the 2x view `zoom_img_scale`; teacher configs rebuild the
# pipelines with it. mmdet3d's registries hang off mmengine's, not mmdet's,
# so mmdet-only transforms and metrics carry the `mmdet.` scope.
dataset_type = 'VisDroneDataset'
data_root = 'data/VisDrone2019/'
img_scale = (512, 512)
zoom_img_scale = (1024, 1024)
backend_args = None

train_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs'),
]
test_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(
        type='mmdet.PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/visdrone2019_det_train.json',
        data_prefix=dict(img='VisDrone2019-DET-train/images/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=0),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/visdrone2019_det_val.json',
        data_prefix=dict(img='VisDrone2019-DET-val/images/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

# COCO AP, AP50, AP75, AP_small/medium/large and per-class AP. VisDrone
# scores up to 500 detections per image; AP uses the last proposal_nums.
val_evaluator = dict(
    type='mmdet.CocoMetric',
    ann_file=data_root + 'annotations/visdrone2019_det_val.json',
    metric='bbox',
    classwise=True,
    proposal_nums=(100, 300, 500),
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
