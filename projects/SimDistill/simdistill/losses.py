"""Quality-aware prediction distillation, SimDistill's MMD-P (Eq. 8), for
dense ``CenterHead`` outputs.

    L_MMD-P = Σ_tasks  Σ_p s_p · [ QFL(σ_S(p); σ_T(p))
                                   + Σ_j c_j · SmoothL1(b_S(p)_j - b_T(p)_j) ]
                       / max(Σ_p s_p, 1)

* ``QFL(σ; y) = -|y - σ|^β [y log σ + (1 - y) log(1 - σ)]`` (GFL), summed
  over the task's classes, with the teacher's heatmap sigmoid ``y = σ_T`` as
  the soft target (mmdet ``QualityFocalLoss`` with a tensor target);
* ``b`` are the raw regression maps (``reg``, ``height``, ``dim``, ``rot``,
  ``vel``, CenterHead's code), ``c_j`` CenterPoint's code weights
  (mmdet ``SmoothL1Loss``; β = 1/9 in the public code);
* ``s_p``, the quality score: the BEV IoU between the teacher's box decoded
  at cell ``p`` and the best-overlapping ground-truth box of the task's
  classes (0 where it overlaps none). The paper: "IoU between the
  predictions and the ground truth to determine the confidence of the soft
  label"; the public code has no quality weight. Cells whose teacher box
  misses every object thus carry no distillation signal (the detection loss
  covers them).

Written here because no library scores dense predictions against boxes:
mmdet3d decodes only the top-k cells and its IoU helpers are all-pairs;
here only (cell, box) pairs whose circumscribed circles meet are scored,
with mmcv's rotated IoU.
"""
from typing import Dict, List, Optional, Sequence

import torch
from mmcv.ops import box_iou_rotated
from mmdet3d.structures import Det3DDataSample
from torch import Tensor, nn

from crossdistill.registry import MODELS

REG_KEYS = ('reg', 'height', 'dim', 'rot', 'vel')
HeadOutputs = Sequence[List[Dict[str, Tensor]]]


def decode_center_maps(preds: Dict[str, Tensor],
                       point_cloud_range: Sequence[float],
                       voxel_size: Sequence[float], out_size_factor: int,
                       norm_bbox: bool = True) -> Tensor:
    """(B, Y, X, 7) LiDAR boxes ``x, y, z, dx, dy, dz, yaw`` (gravity
    centre) decoded at every cell, as ``CenterPointBBoxCoder.decode`` does
    at its top-k cells."""
    reg = preds['reg']
    _, _, height, width = reg.shape
    rows, cols = torch.meshgrid(
        torch.arange(height, device=reg.device, dtype=reg.dtype),
        torch.arange(width, device=reg.device, dtype=reg.dtype),
        indexing='ij')
    x = ((cols + reg[:, 0]) * out_size_factor * voxel_size[0] +
         point_cloud_range[0])
    y = ((rows + reg[:, 1]) * out_size_factor * voxel_size[1] +
         point_cloud_range[1])
    dims = preds['dim'].exp() if norm_bbox else preds['dim']
    yaw = torch.atan2(preds['rot'][:, 0], preds['rot'][:, 1])
    return torch.stack(
        [x, y, preds['height'][:, 0], *dims.unbind(1), yaw], dim=-1)


def max_bev_iou(boxes: Tensor, gt_bev: Tensor) -> Tensor:
    """(N,) best rotated BEV IoU of each of ``boxes`` (N, 7) with the
    ``gt_bev`` boxes (G, 5) ``x, y, dx, dy, yaw``; 0 without overlap."""
    quality = boxes.new_zeros(len(boxes))
    if len(gt_bev) == 0 or len(boxes) == 0:
        return quality
    bev = boxes[:, [0, 1, 3, 4, 6]].clone()
    gt_bev = gt_bev.clone()
    bev[:, 2:4] = bev[:, 2:4].clamp(min=1e-4)
    gt_bev[:, 2:4] = gt_bev[:, 2:4].clamp(min=1e-4)
    radius = bev[:, 2:4].norm(dim=1) / 2
    gt_radius = gt_bev[:, 2:4].norm(dim=1) / 2
    near = (torch.cdist(bev[:, :2], gt_bev[:, :2]) <
            radius[:, None] + gt_radius[None])
    idx, gt_idx = near.nonzero(as_tuple=True)
    if len(idx) == 0:
        return quality
    iou = box_iou_rotated(bev[idx], gt_bev[gt_idx], aligned=True)
    return quality.scatter_reduce(0, idx, iou, reduce='amax')


@MODELS.register_module()
class QualityAwarePredictionLoss(nn.Module):
    """MMD-P on ``CenterHead`` outputs (see the module docstring).

    Args:
        point_cloud_range (Sequence[float]): the head's ``pc_range``.
        voxel_size (Sequence[float]): the head's voxel size (x, y).
        out_size_factor (int): the head's output stride in voxels.
        norm_bbox (bool): ``dim`` maps are log sizes (CenterHead's
            ``norm_bbox``).
        code_weights (Sequence[float], optional): per regression channel
            (``train_cfg.code_weights`` of the head); ``None``: all 1.
        loss_cls (dict): ``mmdet.QualityFocalLoss`` config.
        loss_bbox (dict): ``mmdet.SmoothL1Loss`` config.
    """

    def __init__(self,
                 point_cloud_range: Sequence[float],
                 voxel_size: Sequence[float],
                 out_size_factor: int,
                 norm_bbox: bool = True,
                 code_weights: Optional[Sequence[float]] = None,
                 loss_cls: dict = dict(type='mmdet.QualityFocalLoss',
                                       beta=2.0,
                                       loss_weight=1.0),
                 loss_bbox: dict = dict(type='mmdet.SmoothL1Loss',
                                        beta=1.0 / 9,
                                        loss_weight=1.0)) -> None:
        super().__init__()
        self.point_cloud_range = tuple(float(v) for v in point_cloud_range)
        self.voxel_size = tuple(float(v) for v in voxel_size)
        self.out_size_factor = out_size_factor
        self.norm_bbox = norm_bbox
        self.code_weights = (None if code_weights is None else tuple(
            float(w) for w in code_weights))
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)

    @torch.no_grad()
    def quality(self, preds_T: Dict[str, Tensor],
                data_samples: Sequence[Det3DDataSample],
                labels: range) -> Tensor:
        """(B, Y, X) quality ``s`` of the teacher's boxes against the
        ground truth whose labels are in ``labels`` (one task)."""
        boxes = decode_center_maps(preds_T, self.point_cloud_range,
                                   self.voxel_size, self.out_size_factor,
                                   self.norm_bbox)
        scores = []
        for cell_boxes, sample in zip(boxes, data_samples):
            gt = sample.gt_instances_3d
            keep = (gt.labels_3d >= labels.start) & (gt.labels_3d <
                                                     labels.stop)
            gt_bev = gt.bboxes_3d.bev[keep].to(boxes)
            scores.append(
                max_bev_iou(cell_boxes.flatten(0, 1),
                            gt_bev).view(cell_boxes.shape[:2]))
        return torch.stack(scores)

    def forward(self, preds_S: HeadOutputs, preds_T: HeadOutputs,
                data_samples: Sequence[Det3DDataSample]) -> Tensor:
        """``preds_*``: ``CenterHead`` outputs (per task, a list holding one
        dict of logit / regression maps); ``data_samples``: with
        ``gt_instances_3d``."""
        if len(preds_S) != len(preds_T):
            raise ValueError(f'student has {len(preds_S)} head tasks, the '
                             f'teacher {len(preds_T)}.')
        total, first = 0, 0
        for task_S, task_T in zip(preds_S, preds_T):
            pred_S, pred_T = task_S[0], task_T[0]
            num_classes = pred_T['heatmap'].shape[1]
            labels = range(first, first + num_classes)
            first += num_classes
            weight = self.quality(pred_T, data_samples, labels).flatten()
            avg_factor = weight.sum().clamp(min=1)
            total = total + self.loss_cls(
                _cells(pred_S['heatmap']),
                _cells(pred_T['heatmap'].sigmoid()),
                weight=weight,
                avg_factor=avg_factor)
            keys = [k for k in REG_KEYS if k in pred_T]
            box_S = _cells(torch.cat([pred_S[k] for k in keys], dim=1))
            box_T = _cells(torch.cat([pred_T[k] for k in keys], dim=1))
            box_weight = weight[:, None].expand_as(box_T)
            if self.code_weights is not None:
                box_weight = box_weight * box_T.new_tensor(self.code_weights)
            total = total + self.loss_bbox(
                box_S, box_T, weight=box_weight, avg_factor=avg_factor)
        return total


def _cells(maps: Tensor) -> Tensor:
    """(B, C, Y, X) -> (B·Y·X, C)."""
    return maps.permute(0, 2, 3, 1).flatten(0, 2)
