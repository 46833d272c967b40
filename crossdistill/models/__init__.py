from .connectors import ConvConnector, LinearConnector, ResizeConnector
from .multiview_features import batch_voxelize, multiview_image_features
from .view_transforms import (LSSDepthLoss, LSSOutputs, LSSViewTransformer,
                              collect_camera_params)

__all__ = [
    'ConvConnector', 'LSSDepthLoss', 'LSSOutputs', 'LSSViewTransformer',
    'LinearConnector', 'ResizeConnector', 'batch_voxelize',
    'collect_camera_params', 'multiview_image_features'
]
