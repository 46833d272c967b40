# The 20-epoch student schedule of SimDistill ("trained for 20 epochs with
# batch size 24"; the rest is BEVFusion-C's public config, which the public
# SimDistill code keeps): AdamW, lr 2e-4, weight decay 0.01, the camera
# backbone at 0.1 x lr and no decay on Swin's relative position bias, a
# one-cycle ("cyclic") cosine schedule rising to 5 x lr over the first 40 %
# (8 epochs) then down to 1e-4 x lr, momentum (AdamW's beta1) cycled
# inversely, gradients clipped at 35. Batch: 8 GPUs x 3 samples.
lr = 2e-4
max_epochs = 20
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=lr, weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={
        'img_backbone': dict(lr_mult=0.1),
        'relative_position_bias_table': dict(decay_mult=0.0)
    }),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='CosineAnnealingLR',
         T_max=8,
         eta_min=lr * 5,
         begin=0,
         end=8,
         by_epoch=True,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR',
         T_max=12,
         eta_min=lr * 1e-4,
         begin=8,
         end=max_epochs,
         by_epoch=True,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingMomentum',
         T_max=8,
         eta_min=0.85 / 0.95,
         begin=0,
         end=8,
         by_epoch=True,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingMomentum',
         T_max=12,
         eta_min=1,
         begin=8,
         end=max_epochs,
         by_epoch=True,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=24)
