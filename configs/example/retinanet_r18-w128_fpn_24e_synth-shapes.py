# Teacher of the example distiller: the student's ResNet-18 RetinaNet with a
# twice as wide FPN and head (128 channels). Trained from scratch on the same
# 24-epoch schedule it converges as fast as the student (a deeper ResNet-34
# teacher did not within 24 epochs) and ends stronger.
_base_ = ['./retinanet_r18_fpn_24e_synth-shapes.py']
model = dict(
    neck=dict(out_channels=128),
    bbox_head=dict(in_channels=128, feat_channels=128))
