"""Camera -> voxel / BEV view transforms (LSS), shared by RadOcc and
SimDistill students and the camera branches of their teachers."""
from .depth_loss import LSSDepthLoss, min_depth_pooling
from .geometry import (cam_to_target_matrix, create_frustum, depth_bin_centers,
                       frustum_to_points, num_depth_bins)
from .lss import LSSOutputs, LSSViewTransformer, collect_camera_params
from .voxel_pooling import grid_shape, voxel_pooling

__all__ = [
    'LSSDepthLoss', 'LSSOutputs', 'LSSViewTransformer', 'cam_to_target_matrix',
    'collect_camera_params', 'create_frustum', 'depth_bin_centers',
    'frustum_to_points', 'grid_shape', 'min_depth_pooling', 'num_depth_bins',
    'voxel_pooling'
]
