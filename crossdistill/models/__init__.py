from .connectors import ConvConnector, LinearConnector, ResizeConnector
from .view_transforms import (LSSDepthLoss, LSSOutputs, LSSViewTransformer,
                              collect_camera_params)

__all__ = [
    'ConvConnector', 'LSSDepthLoss', 'LSSOutputs', 'LSSViewTransformer',
    'LinearConnector', 'ResizeConnector', 'collect_camera_params'
]
