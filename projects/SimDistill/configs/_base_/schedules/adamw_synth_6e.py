# AdamW with a short warm-up and a step decay after epochs 4 and 5 (lr
# raised for the short synthetic schedule; the nuScenes configs use 2e-4).
max_epochs = 6
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-2),
                     clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=40),
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 5], gamma=0.1,
         begin=0, end=max_epochs),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
