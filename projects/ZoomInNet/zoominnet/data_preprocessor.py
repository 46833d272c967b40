"""The teacher's data preprocessor: normalise the 2x view, map the sample
metadata to its frame.

Set as the distiller's ``teacher_data_preprocessor``.  The batch carries the
student's image in ``inputs`` and the teacher's 2x view in ``zoom_inputs``
(see :mod:`.transforms`); boxes and metainfo were made for the student's
image.  With per-sample ratios ``(s_x, s_y) = view size / img_shape``::

    gt / ignored boxes  <- boxes * (s_x, s_y, s_x, s_y)
    img_shape           <- view size (before padding)
    scale_factor        <- scale_factor * (s_x, s_y)

``pad_shape`` and ``batch_input_shape`` follow from the padded view as in
:class:`mmdet.models.data_preprocessors.DetDataPreprocessor`.  The distiller
hands the teacher copies of the data samples, so the student's stay in its
own frame.
"""
from typing import Dict

from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.structures.bbox import scale_boxes

from crossdistill.registry import MODELS
from .transforms import ZOOM_INPUTS


@MODELS.register_module()
class ZoomInDataPreprocessor(DetDataPreprocessor):
    """:class:`DetDataPreprocessor` on the batch key ``view`` instead of
    ``inputs``.

    Args:
        view: Batch key of the images to preprocess.
        **kwargs: :class:`DetDataPreprocessor` arguments (mean, std,
            ``bgr_to_rgb``, ``pad_size_divisor``, ...).
    """

    def __init__(self, view: str = ZOOM_INPUTS, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view

    def forward(self, data: Dict, training: bool = False) -> Dict:
        if self.view not in data:
            raise KeyError(
                f'{type(self).__name__} needs the batch key "{self.view}"; '
                f'the batch has {sorted(data)}. Add ZoomInView and '
                'PackZoomInInputs to the pipeline.')
        data = dict(data)
        data['inputs'] = data.pop(self.view)
        view_sizes = [tuple(img.shape[-2:]) for img in data['inputs']]
        out = super().forward(data, training)
        for sample, (h, w) in zip(out['data_samples'] or [], view_sizes):
            old_h, old_w = sample.img_shape[:2]
            ratio = (w / old_w, h / old_h)
            for field in ('gt_instances', 'ignored_instances'):
                instances = sample.get(field)
                if instances is not None and 'bboxes' in instances:
                    instances.bboxes = scale_boxes(instances.bboxes, ratio)
            meta = dict(img_shape=(h, w))
            if 'scale_factor' in sample:
                meta['scale_factor'] = (sample.scale_factor[0] * ratio[0],
                                        sample.scale_factor[1] * ratio[1])
            sample.set_metainfo(meta)
        return out
