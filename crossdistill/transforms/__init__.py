"""Pipeline steps mmdet3d lacks; the data contract is in :mod:`.formatting`."""
from .depth import PointsToMultiViewDepth
from .formatting import PackOccInputs
from .image_aug import MultiViewImageAug
from .loading import LoadOccupancyGT, LoadSegmentMaps

__all__ = [
    'LoadOccupancyGT', 'LoadSegmentMaps', 'MultiViewImageAug', 'PackOccInputs',
    'PointsToMultiViewDepth'
]
