# Synthetic aerial set in the VisDrone2019-DET format. Prepare with
#   python tools/create_data.py synth-visdrone --out data/synth-visdrone
#   python tools/create_data.py visdrone --root data/synth-visdrone
# Images are drawn at the 2x (teacher) resolution, 640x360 by default; the
# student sees them halved, where the details that tell car from van,
# pedestrian from people and tricycle from awning-tricycle vanish. For
# `--preset large` (1280x720) set img_scale=(640, 360) and
# zoom_img_scale=(1280, 720).
_base_ = './visdrone2019_det.py'

data_root = 'data/synth-visdrone/'
img_scale = (320, 180)
zoom_img_scale = (640, 360)

train_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=None),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs'),
]
test_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=None),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(
        type='mmdet.PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/visdrone2019_det_val.json')
test_evaluator = val_evaluator
