# The paper's schedule (Sec. 3.4): SGD lr 0.01, momentum 0.9, weight decay
# 0.01 (as printed; the authors' code uses 1e-4), linear warm-up over the
# first 500 iterations from 0.001 to 0.01, lr x0.2 at epochs 7 and 15,
# 20 epochs.  Batch size 4 on one GPU (the paper is silent; from its code).
max_epochs = 20
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[7, 15],
        gamma=0.2)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.01))
auto_scale_lr = dict(enable=False, base_batch_size=4)
