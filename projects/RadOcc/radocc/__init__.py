"""RadOcc: rendering-assisted cross-modal distillation for camera-only 3D
occupancy (Zhang et al., AAAI 2024)."""
from .bevdet_occ import BEVDetOcc, BEVFusionOcc
from .occupancy_decoder import OccupancyDecoder
from .rendering_distiller import RenderingDistiller

__all__ = [
    'BEVDetOcc', 'BEVFusionOcc', 'OccupancyDecoder', 'RenderingDistiller'
]
