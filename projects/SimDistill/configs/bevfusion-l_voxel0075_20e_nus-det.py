# The LiDAR-only teacher BEVFusion-L (Table 2 rows c, d) on nuScenes (CUDA
# only: sparse convolutions).
_base_ = [
    './_base_/models/bevfusion-l_voxel0075.py',
    './_base_/datasets/nus-det.py',
    './_base_/schedules/cyclic_20e.py',
    '../../../configs/_base_/default_runtime.py'
]
# 3 samples per GPU on 8 GPUs: the paper's batch of 24.
train_dataloader = dict(batch_size=3, num_workers=4)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(type='CheckpointHook',
                                     interval=1,
                                     max_keep_ckpts=3))
