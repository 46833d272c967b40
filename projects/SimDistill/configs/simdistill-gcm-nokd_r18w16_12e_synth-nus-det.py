# The simulated multi-modal student with GCM trained alone (no teacher) on
# the synthetic set; also the config that evaluates the students of the
# GCM rows (Table 3 d, g) once extracted from their distiller checkpoints.
_base_ = [
    './_base_/models/simdistill-gcm_r18w16_synth.py',
    './_base_/datasets/synth-nus-det.py',
    './_base_/schedules/adamw_synth_12e.py',
    '../../../configs/_base_/default_runtime.py'
]
train_dataloader = dict(batch_size=2, num_workers=2)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=12,
                                     max_keep_ckpts=1))
