"""Differentiable volume rendering of voxel predictions (RadOcc Eqs. 1-4)."""
from .rays import (Rays, as_cam2ego_matrix, as_image_aug_matrix,
                   pixel_to_ray_transform, sample_rays)
from .sampling import RaySamples, ray_aabb_intersection, sample_along_rays
from .volume_renderer import (RenderOutputs, VoxelVolumeRenderer,
                              composite_weights)

__all__ = [
    'Rays', 'RaySamples', 'RenderOutputs', 'VoxelVolumeRenderer',
    'as_cam2ego_matrix', 'as_image_aug_matrix', 'composite_weights',
    'pixel_to_ray_transform', 'ray_aabb_intersection', 'sample_along_rays',
    'sample_rays'
]
