"""The RadOcc distiller: teacher and student occupancy rendered along the
same rays, compared by the rendering losses.

Per training step (RadOcc Sec. "Rendering Assisted Distillation"):

1. the frozen teacher and the student predict (B, C + 1, X, Y, Z) voxel
   logits (recorded from their ``occ_head``);
2. ``num_rays`` pixels per sample are drawn uniformly over all cameras
   (the paper: 80k rays per step) and cast through the cameras'
   intrinsics, extrinsics and image-augmentation matrices
   (:func:`~crossdistill.rendering.sample_rays`), with ``num_samples``
   stratified samples between ``near`` and ``far`` clipped to the grid;
3. both volumes (prior-corrected when the models were trained with class
   weights, free outside the camera-visible voxels) are rendered with these
   identical samples
   (:class:`~crossdistill.rendering.VoxelVolumeRenderer`): depth, semantics,
   ray weights and opacity;
4. the configured losses read them through ``loss_forward_mappings``.

Besides the base sources (``student``, ``teacher``, ``data_samples``), a
mapping spec may name:

* ``dict(source='student_render' | 'teacher_render', field=F)``, ``F`` in
  ``depth``, ``semantics``, ``weights``, ``opacity``;
* ``dict(source='rays', field='segments' | 'cam_ids')``: the segment id of
  each ray's pixel (``gt_segments``, SAM or superpixels) and its camera;
* ``dict(source='gt', field='mask_camera' | 'occupied', pool=k)``: the
  camera-visibility mask, or the camera-visible non-free voxels
  (foreground, BEVDistill's feature mask), max-pooled by ``k`` to a coarser
  volume; shape (B, X/k, Y/k, Z/k), float (the ``weight`` of
  ``KLDivergenceLoss``, the ``mask`` of ``MaskedFeatureMSELoss``);
* ``dict(source='gt', field='class_weight')``: the camera mask times the
  occupancy loss's class weight of each voxel's GT class (needs
  ``class_weight``), so a voxel-KD term weighs classes as the GT loss does.

Rendering runs only when a loss asks for a rendered value, so the voxel-KD
and feature baselines of Table 3 cost no rendering.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet3d.structures import Det3DDataSample
from torch import Tensor

from crossdistill.distillers import SingleTeacherDistiller
from crossdistill.losses.rendering_distill import segments_at_rays
from crossdistill.models.view_transforms import collect_camera_params
from crossdistill.registry import MODELS
from crossdistill.rendering import (RenderOutputs, sample_along_rays,
                                    sample_rays)
from .bevdet_occ import stack_gt_occ

RENDER_SOURCES = ('student_render', 'teacher_render')
EXTRA_SOURCES = (*RENDER_SOURCES, 'rays', 'gt')
RENDER_FIELDS = RenderOutputs._fields
RAY_FIELDS = ('segments', 'cam_ids')
GT_FIELDS = ('mask_camera', 'occupied', 'class_weight')


@MODELS.register_module()
class RenderingDistiller(SingleTeacherDistiller):
    """:class:`SingleTeacherDistiller` plus rendered teacher/student views.

    Args:
        renderer (dict): ``VoxelVolumeRenderer`` config (grid, density and
            semantic choices).
        logits_recorder (str): name of the recorder of the voxel logits, in
            both ``student_recorders`` and ``teacher_recorders``.
        num_rays (int): rays per sample and step.
        num_samples (int): samples per ray.
        near (float): first sample distance (m).
        far (float): last sample distance (m).
        jitter (bool): random sample positions within their bins.
        visible_only (bool): render only the camera-visible voxels of the
            GT mask: elsewhere both volumes are made free (σ = 0). Neither
            network is supervised outside ``mask_camera``, so its
            predictions there (e.g. the ego car's own voxels, which every
            ray crosses first) are arbitrary and would stop the rays.
        class_weight (Sequence[float], optional): the class weights of the
            models' occupancy cross-entropy. A weighted CE is minimised by
            ``p̂_c ∝ w_c p_c``, which under-estimates p_free and makes every
            voxel semi-opaque; the logits are rendered prior-corrected,
            ``logits - log w`` (logit adjustment, Menon et al. 2021).
        **kwargs: :class:`SingleTeacherDistiller` arguments.
    """

    def __init__(self,
                 renderer: dict = dict(type='VoxelVolumeRenderer'),
                 logits_recorder: str = 'logits',
                 num_rays: int = 80000,
                 num_samples: int = 64,
                 near: float = 0.5,
                 far: float = 60.0,
                 jitter: bool = True,
                 visible_only: bool = True,
                 class_weight: Optional[Sequence[float]] = None,
                 **kwargs) -> None:
        self.logits_recorder = logits_recorder
        self.class_weight = (None if class_weight is None else
                             torch.tensor(class_weight))
        super().__init__(**kwargs)
        self.renderer = MODELS.build(renderer)
        self.num_rays = num_rays
        self.num_samples = num_samples
        self.near = near
        self.far = far
        self.jitter = jitter
        self.visible_only = visible_only
        self.logit_offset = (None if class_weight is None else
                             -self.class_weight.log())
        self._step_cache: Dict[str, object] = {}

    def _check_spec(self, where: str, spec: Dict) -> None:
        source = spec.get('source')
        if source not in EXTRA_SOURCES:
            return super()._check_spec(where, spec)
        fields = (RENDER_FIELDS if source in RENDER_SOURCES else
                  RAY_FIELDS if source == 'rays' else GT_FIELDS)
        if spec.get('field') not in fields:
            raise KeyError(f'{where}: source {source!r} needs `field` in '
                           f'{fields}, got {spec.get("field")!r}.')
        if spec['field'] == 'class_weight' and self.class_weight is None:
            raise KeyError(f'{where}: field class_weight needs the '
                           'distiller argument `class_weight` (the class '
                           'weights of the occupancy loss).')
        if source in RENDER_SOURCES:
            for who, recorders in (('student', self.student_recorders),
                                   ('teacher', self.teacher_recorders)):
                if self.logits_recorder not in recorders:
                    raise KeyError(
                        f'{where}: rendering needs a {who} recorder named '
                        f'{self.logits_recorder!r} (the voxel logits, e.g. '
                        "ModuleOutputs of 'occ_head').")

    def compute_distill_losses(
            self, data_samples: Optional[List]) -> Dict[str, Tensor]:
        self._step_cache = {}
        try:
            return super().compute_distill_losses(data_samples)
        finally:
            self._step_cache = {}

    def _resolve(self, spec: Dict, data_samples: Optional[List]):
        source = spec['source']
        if source in RENDER_SOURCES:
            student, teacher = self._render(data_samples)
            out = student if source == 'student_render' else teacher
            return getattr(out, spec['field'])
        if source == 'rays':
            return self._ray_fields(data_samples)[spec['field']]
        if source == 'gt':
            return self._gt_mask(data_samples, spec['field'],
                                 spec.get('pool', 1))
        return super()._resolve(spec, data_samples)

    # ------------------------------------------------------------ rendering
    def _rays(self, data_samples: List[Det3DDataSample]):
        if 'rays' not in self._step_cache:
            metas = [s.metainfo for s in data_samples]
            device = next(self.student.parameters()).device
            params = collect_camera_params(
                metas, ('cam2img', 'cam2ego', 'img_aug_matrix'), device)
            rays = sample_rays(params['cam2img'],
                               params['cam2ego'],
                               metas[0]['img_shape'][:2],
                               params['img_aug_matrix'],
                               num_rays=self.num_rays)
            samples = sample_along_rays(rays,
                                        self.num_samples,
                                        self.near,
                                        self.far,
                                        aabb=self.renderer.point_cloud_range,
                                        jitter=self.jitter)
            self._step_cache['rays'] = (rays, samples)
        return self._step_cache['rays']

    def _render(self, data_samples: List[Det3DDataSample]
                ) -> Tuple[RenderOutputs, RenderOutputs]:
        """Student and teacher renderings along the same samples."""
        if 'render' not in self._step_cache:
            _, samples = self._rays(data_samples)
            student = self.student_recorders[self.logits_recorder].get(0)
            teacher = self.teacher_recorders[self.logits_recorder].get(0)
            if self.detach_teacher:
                teacher = teacher.detach()
            visible = (stack_gt_occ(data_samples, 'mask_camera').bool()
                       if self.visible_only else None)
            self._step_cache['render'] = tuple(
                self.renderer(logits, samples, visible, self.logit_offset)
                for logits in (student, teacher))
        return self._step_cache['render']

    def _ray_fields(self, data_samples: List[Det3DDataSample]
                    ) -> Dict[str, Tensor]:
        if 'ray_fields' not in self._step_cache:
            rays, _ = self._rays(data_samples)
            if not all('gt_segments' in s for s in data_samples):
                raise KeyError('segment-guided losses need gt_segments in '
                               'every training sample: add LoadSegmentMaps '
                               "and the 'gt_segments' key of PackOccInputs.")
            maps = torch.stack([s.gt_segments for s in data_samples])
            self._step_cache['ray_fields'] = {
                'cam_ids': rays.cam_ids,
                'segments': segments_at_rays(maps.to(rays.cam_ids.device),
                                             rays.cam_ids, rays.pixels)
            }
        return self._step_cache['ray_fields']

    def _gt_mask(self, data_samples: List[Det3DDataSample], field: str,
                 pool: int) -> Tensor:
        mask = stack_gt_occ(data_samples, 'mask_camera').bool()
        if field == 'class_weight':
            labels = stack_gt_occ(data_samples, 'voxel_semantics').long()
            weight = self.class_weight.to(labels.device)[labels]
            return weight * mask
        if field == 'occupied':
            labels = stack_gt_occ(data_samples, 'voxel_semantics').long()
            mask = mask & (labels != self.renderer.free_index)
        mask = mask.float()
        return F.max_pool3d(mask, pool) if pool > 1 else mask
