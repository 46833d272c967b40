# Synthetic-demo schedule: the repo's SGD detection schedule (lr 0.02,
# momentum 0.9, weight decay 1e-4, 50-iteration warm-up, grad clip 35)
# stretched to 48 epochs (lr x0.1 at 32 and 44): the small models train from
# scratch, 50 iterations of 4 crops per epoch.
_base_ = ['../../../../../configs/_base_/schedules/sgd_2d_detection.py']
max_epochs = 48
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[32, 44],
        gamma=0.1)
]
