"""SimDistill: simulated multi-modal distillation for camera-only BEV 3D
object detection (Zhao et al., AAAI 2024)."""
from .bev_detectors import (BEVFusionDetector, CameraBEVDetector, ConvFuser,
                            SimDistillDetector)
from .geometry_compensation import GeometryCompensation
from .losses import QualityAwarePredictionLoss
from .simdistill_distiller import SimDistillDistiller

__all__ = [
    'BEVFusionDetector', 'CameraBEVDetector', 'ConvFuser',
    'GeometryCompensation', 'QualityAwarePredictionLoss',
    'SimDistillDetector', 'SimDistillDistiller'
]
