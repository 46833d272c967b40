# RadOcc "Prob. + Render" (Table 3, the paper's best): voxel-logit KL plus
# RDC and RSC; the student of the synthetic demo.
#
# Weights chosen for the synthetic set (the paper gives none):
# * the voxel KL is weighted per voxel by its GT class's weight in the
#   student's class-weighted occupancy CE (`field='class_weight'`), as the
#   GT loss weighs it;
# * the rendering terms weigh 0.1. Here the student's own LiDAR depth
#   supervision is more accurate than the teacher's rendered geometry
#   (median |rendered / LiDAR - 1| of 8-25 % on training batches,
#   projects/RadOcc/tools/check_rendering.py), and at weight 1 they cost
#   the student 1-2 mIoU (README, "What we measured").
_base_ = ['./_base_/distillers/rendering-distiller_synth.py']

model = dict(
    distill_losses=dict(
        loss_prob=dict(type='KLDivergenceLoss', tau=1.0, dim=1,
                       loss_weight=1.0),
        loss_rdc=dict(type='RenderedDepthConsistencyLoss',
                      normalize='background',
                      loss_weight=0.1),
        loss_sad=dict(type='SegmentGuidedAffinityLoss', loss_weight=0.1),
        loss_rsc_kl=dict(type='RenderedSemanticKLLoss',
                         input_type='logits',
                         loss_weight=0.1)),
    loss_forward_mappings=dict(
        loss_prob=dict(preds_S=dict(source='student', recorder='logits'),
                       preds_T=dict(source='teacher', recorder='logits'),
                       weight=dict(source='gt', field='class_weight')),
        loss_rdc=dict(preds_S=dict(source='student_render', field='weights'),
                      preds_T=dict(source='teacher_render', field='weights')),
        loss_sad=dict(
            preds_S=dict(source='student_render', field='semantics'),
            preds_T=dict(source='teacher_render', field='semantics'),
            segments=dict(source='rays', field='segments'),
            cam_ids=dict(source='rays', field='cam_ids')),
        loss_rsc_kl=dict(
            preds_S=dict(source='student_render', field='semantics'),
            preds_T=dict(source='teacher_render', field='semantics'),
            weight=dict(source='teacher_render', field='opacity'))))
