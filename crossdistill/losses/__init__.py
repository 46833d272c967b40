"""Distillation losses.

Losses that mmdet/mmdet3d already ship are used from there, e.g.
``dict(type='mmdet.QualityFocalLoss')`` or ``dict(type='mmdet.SmoothL1Loss')``.
"""
from .cosine_affinity import CosineAffinityLoss, cosine_affinity
from .info_nce import InfoNCELoss
from .kl_divergence import KLDivergenceLoss
from .masked_feature_mse import MaskedFeatureMSELoss
from .rendering_distill import (RenderedDepthConsistencyLoss,
                                RenderedSemanticKLLoss,
                                SegmentGuidedAffinityLoss, SILogLoss,
                                segments_at_rays)

__all__ = [
    'CosineAffinityLoss', 'InfoNCELoss', 'KLDivergenceLoss',
    'MaskedFeatureMSELoss', 'RenderedDepthConsistencyLoss',
    'RenderedSemanticKLLoss', 'SILogLoss', 'SegmentGuidedAffinityLoss',
    'cosine_affinity', 'segments_at_rays'
]
