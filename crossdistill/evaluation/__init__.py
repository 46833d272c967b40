from .occ3d_metric import Occ3DMetric

__all__ = ['Occ3DMetric']
