"""ZoomInNet: cross-scale knowledge distillation (CSKD) for small objects in
drone images (Remote Sensing 2021), on :class:`SingleTeacherDistiller`.

Imported by the configs' ``custom_imports``; registers the 2x teacher view
(:class:`ZoomInView`, :class:`PackZoomInInputs`,
:class:`ZoomInDataPreprocessor`) and the AKDP position-aware L2 loss
(:class:`PositionAwareL2Loss`) in the ``crossdistill`` scope, and layer
adaption (:class:`LARetinaHead`) in mmdet's, where RetinaNet builds its
head.  Feature-level alignment needs no code: it is
an FPN built from C2 (``start_level=0``) with anchor strides 4-64.
"""
from .akdp import akdp_anchor_mask, akdp_masks
from .data_preprocessor import ZoomInDataPreprocessor
from .la_retina_head import LARetinaHead
from .losses import PositionAwareL2Loss
from .transforms import PackZoomInInputs, ZoomInView

__all__ = [
    'LARetinaHead', 'PackZoomInInputs', 'PositionAwareL2Loss',
    'ZoomInDataPreprocessor', 'ZoomInView', 'akdp_anchor_mask', 'akdp_masks'
]
