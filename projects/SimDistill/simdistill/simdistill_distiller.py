"""The SimDistill distiller: :class:`SingleTeacherDistiller` plus the
object-aware mask ``M`` of cross-modal distillation (Eq. 6).

``M`` is the ground-truth Gaussian heatmap in BEV, "as in BEVDistill": the
targets of the student's ``CenterHead`` (``get_targets``: a Gaussian of
radius ``max(min_radius, gaussian_radius(box, gaussian_overlap))`` cells at
each box centre, on the head's grid), reduced over classes and tasks by
their maximum, so ``M`` is soft, in [0, 1], 1 at every object centre. The
public code sums the task heatmaps instead; the two differ only where
Gaussians of different tasks overlap.

A loss mapping names it as ``dict(source='gt_heatmap')``: a (B, 1, Y, X)
float tensor on the BEV grid, e.g. the ``mask`` of ``MaskedFeatureMSELoss``.
The other sources are those of :class:`SingleTeacherDistiller`.
"""
from typing import Dict, List, Optional

import torch
from mmdet3d.structures import Det3DDataSample
from torch import Tensor

from crossdistill.distillers import SingleTeacherDistiller
from crossdistill.registry import MODELS


@MODELS.register_module()
class SimDistillDistiller(SingleTeacherDistiller):
    """:class:`SingleTeacherDistiller` with the ``gt_heatmap`` source."""

    def _check_spec(self, where: str, spec: Dict) -> None:
        if spec.get('source') != 'gt_heatmap':
            return super()._check_spec(where, spec)
        head = getattr(self.student, 'bbox_head', None)
        if not callable(getattr(head, 'get_targets', None)):
            raise KeyError(f'{where}: source "gt_heatmap" needs a student '
                           'with a CenterHead `bbox_head`.')

    def _resolve(self, spec: Dict, data_samples: Optional[List]):
        if spec['source'] == 'gt_heatmap':
            return self.gt_heatmap_mask(data_samples)
        return super()._resolve(spec, data_samples)

    @torch.no_grad()
    def gt_heatmap_mask(self,
                        data_samples: List[Det3DDataSample]) -> Tensor:
        """(B, 1, Y, X) object-aware mask ``M`` of the batch."""
        heatmaps = self.student.bbox_head.get_targets(
            [s.gt_instances_3d for s in data_samples])[0]
        return torch.cat(heatmaps, dim=1).amax(dim=1, keepdim=True)
