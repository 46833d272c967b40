# LiDAR + camera teacher on the synthetic Occ3D set.
_base_ = [
    './_base_/models/bevfusion-occ_r18w16_synth.py',
    '../../../configs/_base_/datasets/synth-nus-occ3d.py',
    './_base_/schedules/adamw_synth_6e.py',
    '../../../configs/_base_/default_runtime.py'
]
train_dataloader = dict(batch_size=2, num_workers=2)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=6,
                                     max_keep_ckpts=1))
