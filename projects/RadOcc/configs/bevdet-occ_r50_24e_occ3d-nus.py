# Camera-only BEVDet-Occ R50 student trained alone on Occ3D-nuScenes:
# Table 3 / Table 4 row "BEVDet (baseline)", 36.10 mIoU in the paper
# (BEVDet + ResNet-50; the paper's model also fuses history frames).
_base_ = [
    './_base_/models/bevdet-occ_r50.py',
    '../../../configs/_base_/datasets/nus-occ3d.py',
    './_base_/schedules/adamw_24e.py',
    '../../../configs/_base_/default_runtime.py'
]
# 4 samples per GPU on 8 GPUs (auto_scale_lr base_batch_size=32).
train_dataloader = dict(batch_size=4, num_workers=4)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=1,
                                     max_keep_ckpts=3))
