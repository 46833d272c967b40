from .nuscenes_occ import NuScenesOccDataset
from .visdrone import VisDroneDataset

__all__ = ['NuScenesOccDataset', 'VisDroneDataset']
