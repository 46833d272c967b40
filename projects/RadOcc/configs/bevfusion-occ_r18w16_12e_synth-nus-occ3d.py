# LiDAR + camera teacher on the synthetic Occ3D set, trained twice as long
# as the students: after 6 epochs its free space is still semi-opaque (its
# renderings stop at 0.69-0.83x the LiDAR depth) and every rendering loss
# pulls the student towards that; after 12 it renders 0.84-0.98x
# (projects/RadOcc/README.md, "Demo and results").
_base_ = [
    './_base_/models/bevfusion-occ_r18w16_synth.py',
    '../../../configs/_base_/datasets/synth-nus-occ3d.py',
    './_base_/schedules/adamw_synth_12e.py',
    '../../../configs/_base_/default_runtime.py'
]
train_dataloader = dict(batch_size=2, num_workers=2)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=12,
                                     max_keep_ckpts=1))
