"""The teacher's 2x view as a pipeline branch.

ZoomInNet's teacher (TNet) is trained and run on images resized to twice the
student's scale *from the original*, so it sees pixels the student's 1x view
has lost (VisDrone originals are ~2000 px wide; the synthetic set is drawn at
the 2x resolution).  Upsampling the student's batch would not restore them,
so the 2x view is cut in the data pipeline, after the shared random flip and
before the student's resize::

    LoadImageFromFile -> LoadAnnotations -> RandomFlip
    -> ZoomInView(scale=zoom_img_scale) -> Resize(img_scale)
    -> PackZoomInInputs

:class:`PackZoomInInputs` returns the 2x image as a batch key of its own,
``zoom_inputs``, next to the student's ``inputs``.  A data preprocessor only
reads ``inputs``, so the student never sees it; the teacher reads it through
:class:`~.data_preprocessor.ZoomInDataPreprocessor`.
"""
from typing import Optional, Tuple

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmdet.datasets.transforms import PackDetInputs, Resize

from crossdistill.registry import TRANSFORMS

ZOOM_IMG = 'zoom_img'
ZOOM_INPUTS = 'zoom_inputs'


@TRANSFORMS.register_module()
class ZoomInView(BaseTransform):
    """Store ``results['img']`` resized as ``results['zoom_img']``.

    Only the image is resized, by mmdet's :class:`Resize` (the transform the
    teacher was trained with); boxes and metainfo stay in the student's frame
    and are mapped to the view's frame by the teacher's data preprocessor.

    Args:
        scale: ``(w, h)`` of the view, e.g. the dataset's ``zoom_img_scale``.
        scale_factor: Or a factor of the current image size.
        keep_ratio: As in :class:`mmdet.datasets.transforms.Resize`.
    """

    def __init__(self,
                 scale: Optional[Tuple[int, int]] = None,
                 scale_factor: Optional[float] = None,
                 keep_ratio: bool = False) -> None:
        self.resize = Resize(
            scale=scale, scale_factor=scale_factor, keep_ratio=keep_ratio)

    def transform(self, results: dict) -> dict:
        view = self.resize.transform(dict(img=results['img']))
        results[ZOOM_IMG] = view['img']
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(scale={self.resize.scale}, '
                f'scale_factor={self.resize.scale_factor}, '
                f'keep_ratio={self.resize.keep_ratio})')


@TRANSFORMS.register_module()
class PackZoomInInputs(PackDetInputs):
    """:class:`PackDetInputs` plus ``zoom_inputs``, the (C, H, W) uint8 tensor
    of ``results['zoom_img']`` when :class:`ZoomInView` made one."""

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        if ZOOM_IMG in results:
            img = results[ZOOM_IMG]
            if img.ndim < 3:
                img = img[..., None]
            packed[ZOOM_INPUTS] = torch.from_numpy(
                np.ascontiguousarray(img.transpose(2, 0, 1)))
        return packed
