# The 6-epoch synthetic schedule stretched to 12 epochs (decay after epochs
# 8 and 10), for the demo's teacher.
_base_ = './adamw_synth_6e.py'

max_epochs = 12
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=40),
    dict(type='MultiStepLR', by_epoch=True, milestones=[8, 10], gamma=0.1,
         begin=0, end=max_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
