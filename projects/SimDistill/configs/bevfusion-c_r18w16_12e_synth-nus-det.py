# Camera-only baseline BEVFusion-C (Table 1 / Table 2 rows a, c student) on the
# synthetic set.
_base_ = [
    './_base_/models/bevfusion-c_r18w16_synth.py',
    './_base_/datasets/synth-nus-det.py',
    './_base_/schedules/adamw_synth_12e.py',
    '../../../configs/_base_/default_runtime.py'
]
train_dataloader = dict(batch_size=2, num_workers=2)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=12,
                                     max_keep_ckpts=1))
