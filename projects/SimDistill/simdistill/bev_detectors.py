"""SimDistill's BEV detectors: the camera baseline, the multi-modal teacher
and the simulated multi-modal student.

Every model ends in the same BEV decoder and head: mmdet3d ``SECOND`` +
``SECONDFPN`` (BEVFusion's decoder) and ``CenterHead`` (the head of the
public SimDistill code; the paper's BEVFusion checkpoint has a TransFusion
head, whose sparse queries do not fit the dense prediction distillation).
All BEV maps are (B, C, Y, X) over the LiDAR-frame ``point_cloud_range``,
the layout of ``PointPillarsScatter`` and of ``CenterHead``'s targets; the
camera LSS output, indexed [x, y], is transposed into it.

* :class:`CameraBEVDetector`, BEVFusion-C (paper Eq. 2): image backbone +
  neck, LSS to BEV (:class:`~crossdistill.models.LSSViewTransformer` with
  ``lidar2ego``), decoder, head.
* :class:`BEVFusionDetector`, the teacher (Eq. 1): the same camera branch
  plus a LiDAR branch from mmdet3d modules (hard voxelisation, a voxel
  encoder and a middle encoder: ``HardSimpleVFE`` + ``SparseEncoder`` as in
  BEVFusion, whose sparse convolutions run on CUDA only, or pillars,
  ``PillarFeatureNet`` + ``PointPillarsScatter`` (+ a ``SECOND`` stage to the
  BEV stride), which train on CPU), fused by :class:`ConvFuser`. Without
  the camera branch it is BEVFusion-L (Table 2, rows c, d).
* :class:`SimDistillDetector`, the student (Eq. 3, 5): one image encoder
  feeds the camera branch and a simulated-LiDAR branch, ``GC_uv`` (optional
  :class:`.GeometryCompensation` on the image features) -> its own LSS ->
  ``GC_bev`` -> a 3x3 conv-BN-ReLU adapter to the teacher's LiDAR-BEV width;
  both BEVs are fused by a :class:`ConvFuser` of the teacher's
  architecture. It never reads ``inputs['points']``.

Depth supervision is optional (``loss_depth``, spec B.10): BEVFusion-C has
none and the nuScenes configs keep it off; the synthetic configs supervise
every LSS depth net (baseline, students and the teacher's camera branch)
with the LiDAR depth maps, BEVDepth-style
(:class:`~crossdistill.models.LSSDepthLoss`). BEVFusion's LiDAR-depth input
to its camera depth net is not used. No BEV augmentation.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import ConvModule
from mmcv.ops import Voxelization
from mmdet3d.models.detectors import Base3DDetector
from mmdet3d.structures import Det3DDataSample
from mmengine.model import BaseModule
from torch import Tensor, nn

from crossdistill.models.multiview_features import (batch_voxelize,
                                                    multiview_image_features)
from crossdistill.models.view_transforms import collect_camera_params
from crossdistill.registry import MODELS

CAMERA_KEYS = ('cam2img', 'cam2ego', 'img_aug_matrix', 'lidar2ego')
HeadOutputs = Tuple[List[Dict[str, Tensor]], ...]


@MODELS.register_module()
class ConvFuser(BaseModule):
    """BEVFusion's fuser: concatenate BEV maps, 3x3 conv-BN-ReLU.

    Args:
        in_channels (Sequence[int]): channels of the maps, in input order.
        out_channels (int): fused channels.
        norm_cfg (dict): norm of the convolution.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = tuple(in_channels)
        self.conv = ConvModule(sum(self.in_channels),
                               out_channels,
                               3,
                               padding=1,
                               bias=False,
                               norm_cfg=norm_cfg,
                               act_cfg=dict(type='ReLU'))

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        channels = tuple(f.shape[1] for f in feats)
        if channels != self.in_channels:
            raise ValueError(f'ConvFuser expects {self.in_channels} '
                             f'channels, got {channels}.')
        if any(f.shape[2:] != feats[0].shape[2:] for f in feats[1:]):
            shapes = [tuple(f.shape[2:]) for f in feats]
            raise ValueError(f'BEV maps to fuse differ in size: {shapes}; '
                             'match the LSS grid, voxel grid and strides.')
        return self.conv(torch.cat(list(feats), dim=1))


class BEVDetectorBase(Base3DDetector):
    """BEV map -> ``SECOND`` + ``SECONDFPN`` -> ``CenterHead``; subclasses
    define :meth:`extract_bev`. Also holds the camera-branch helpers.

    Args:
        bev_backbone (dict): e.g. ``mmdet3d.SECOND``.
        bev_neck (dict): e.g. ``mmdet3d.SECONDFPN``.
        bbox_head (dict): ``mmdet3d.CenterHead`` with its ``train_cfg`` and
            ``test_cfg``.
        loss_depth (dict, optional): ``LSSDepthLoss`` on every LSS depth
            distribution against the batch's ``gt_depth``; ``None``: no
            depth supervision (BEVFusion-C, BEVFusion).
        data_preprocessor (dict, optional): ``Det3DDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 bev_backbone: dict,
                 bev_neck: dict,
                 bbox_head: dict,
                 loss_depth: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.bev_backbone = MODELS.build(bev_backbone)
        self.bev_neck = MODELS.build(bev_neck)
        self.bbox_head = MODELS.build(bbox_head)
        self.loss_depth = (MODELS.build(loss_depth)
                           if loss_depth is not None else None)

    def init_weights(self) -> None:
        """MMEngine's ``init_weights`` plus the task heads of
        ``CenterHead``: it keeps them in a torch ``ModuleList``, which
        ``init_weights`` does not enter, so their heatmap bias would keep
        PyTorch's default instead of ``init_bias`` (-2.19, a prior of 0.1)
        and the first heatmap losses would be ~100x too large."""
        if self.is_init:
            return
        super().init_weights()
        for task_head in self.bbox_head.task_heads:
            task_head.init_weights()

    # ------------------------------------------------------- camera branch
    def _build_camera_branch(self, img_backbone: dict, img_neck: dict,
                             view_transform: dict) -> None:
        self.img_backbone = MODELS.build(img_backbone)
        self.img_neck = MODELS.build(img_neck)
        self.view_transform = MODELS.build(view_transform)

    def extract_img_feat(self, inputs: Dict) -> Tensor:
        """(B, N, 3, H, W) images -> (B, N, C, h, w) at the neck's first
        level, the coarser levels upsampled (nearest) and added (one map is
        lifted, as BEVFusion's LSS lifts one neck output)."""
        if 'imgs' not in inputs:
            raise KeyError("inputs has no 'imgs': the pipeline must load the "
                           'multi-view images (LoadMultiViewImageFromFiles).')
        return multiview_image_features(self.img_backbone, self.img_neck,
                                        inputs['imgs'])

    @staticmethod
    def camera_params(data_samples: Sequence[Det3DDataSample],
                      device: torch.device) -> Dict[str, Tensor]:
        """Intrinsics, extrinsics, image augmentation and ``lidar2ego``
        (LiDAR-frame BEV) of the batch."""
        return collect_camera_params([s.metainfo for s in data_samples],
                                     CAMERA_KEYS, device)

    @staticmethod
    def lift(view_transform: nn.Module,
             img_feats: Tensor,
             params: Dict[str, Tensor],
             depths: Optional[Dict[str, Tensor]] = None,
             name: str = 'camera') -> Tensor:
        """LSS to (B, C, Y, X): the transform's [x, y] map transposed. With
        ``depths``, its (B, N, D, h, w) depth distribution is stored there
        under ``name`` (for the depth loss)."""
        out = view_transform(img_feats, **params)
        if depths is not None:
            depths[name] = out.depth
        return out.feats.transpose(-1, -2)

    def extract_camera_bev(
            self,
            img_feats: Tensor,
            params: Dict[str, Tensor],
            depths: Optional[Dict[str, Tensor]] = None) -> Tensor:
        """``F_Cbev`` (B, C_c, Y, X)."""
        return self.lift(self.view_transform, img_feats, params, depths)

    # ------------------------------------------------------ decoder + head
    def extract_bev(self,
                    inputs: Dict,
                    data_samples: Sequence[Det3DDataSample],
                    depths: Optional[Dict[str, Tensor]] = None) -> Tensor:
        """The BEV map that the decoder reads; the LSS depth distributions
        go into ``depths`` when it is given."""
        raise NotImplementedError

    def extract_feat(
            self,
            inputs: Dict,
            data_samples: Sequence[Det3DDataSample],
            depths: Optional[Dict[str, Tensor]] = None) -> List[Tensor]:
        """Decoder output, the head's input list."""
        feats = self.bev_neck(
            self.bev_backbone(self.extract_bev(inputs, data_samples, depths)))
        return list(feats) if isinstance(feats, (list, tuple)) else [feats]

    def _forward(self,
                 inputs: Dict,
                 data_samples: Sequence[Det3DDataSample],
                 depths: Optional[Dict[str, Tensor]] = None) -> HeadOutputs:
        """``CenterHead`` outputs: per task a list holding one dict of
        (B, ·, Y, X) maps (``heatmap`` logits, ``reg``, ``height``, ``dim``,
        ``rot``, ``vel``)."""
        return self.bbox_head(self.extract_feat(inputs, data_samples, depths))

    def loss(self, inputs: Dict,
             data_samples: Sequence[Det3DDataSample]) -> Dict[str, Tensor]:
        """``CenterHead``'s losses, plus ``loss_depth_<branch>`` per LSS
        when the model has a ``loss_depth``."""
        depths = {} if self.loss_depth is not None else None
        preds = self._forward(inputs, data_samples, depths)
        # loss_by_feat takes the sigmoid of the heatmaps in place
        # (clip_sigmoid) and adds keys: hand it copies with cloned heatmaps,
        # so that recorded head outputs stay logits.
        preds = tuple([dict(d, heatmap=d['heatmap'].clone()) for d in task]
                      for task in preds)
        losses = self.bbox_head.loss_by_feat(
            preds, [s.gt_instances_3d for s in data_samples])
        if depths:
            if not all(hasattr(s, 'gt_depth') for s in data_samples):
                raise KeyError(
                    'loss_depth needs the LiDAR depth maps: add '
                    'PointsToMultiViewDepth after the image augmentation '
                    "and 'gt_depth' to PackOccInputs' keys in the train "
                    'pipeline.')
            gt_depth = torch.stack([s.gt_depth for s in data_samples])
            for name, depth in depths.items():
                losses[f'loss_depth_{name}'] = self.loss_depth(depth, gt_depth)
        return losses

    def predict(self, inputs: Dict,
                data_samples: List[Det3DDataSample]) -> List[Det3DDataSample]:
        """Set ``pred_instances_3d`` (LiDAR boxes, scores, labels) and an
        empty ``pred_instances``, as mmdet3d's detectors do."""
        preds = self._forward(inputs, data_samples)
        results = self.bbox_head.predict_by_feat(
            preds, [s.metainfo for s in data_samples])
        return self.add_pred_to_datasample(data_samples, results)


@MODELS.register_module()
class CameraBEVDetector(BEVDetectorBase):
    """BEVFusion-C: camera-only BEV detector (the paper's baseline).

    Args:
        img_backbone (dict): e.g. ``mmdet.SwinTransformer``.
        img_neck (dict): e.g. ``mmdet.FPN``.
        view_transform (dict): ``LSSViewTransformer`` with
            ``collapse_z=True`` over the LiDAR-frame range.
        **kwargs: :class:`BEVDetectorBase` arguments.
    """

    def __init__(self, img_backbone: dict, img_neck: dict,
                 view_transform: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self._build_camera_branch(img_backbone, img_neck, view_transform)

    def extract_bev(self,
                    inputs: Dict,
                    data_samples: Sequence[Det3DDataSample],
                    depths: Optional[Dict[str, Tensor]] = None) -> Tensor:
        img_feats = self.extract_img_feat(inputs)
        params = self.camera_params(data_samples, img_feats.device)
        return self.extract_camera_bev(img_feats, params, depths)


@MODELS.register_module()
class SimDistillDetector(CameraBEVDetector):
    """SimDistill's simulated multi-modal student (Eq. 3, 5).

    ``F_Lbev = adapter(GC_bev(LSS_L(GC_uv(F_uv))))``,
    ``F_Ubev = fuser(F_Cbev, F_Lbev)``.

    Args:
        lidar_view_transform (dict): LSS of the simulated-LiDAR branch (own
            depth and context nets, same grid as ``view_transform``).
        lidar_channels (int): width of ``F_Lbev`` (the teacher's LiDAR BEV).
        fuser (dict): :class:`ConvFuser` with ``in_channels=[C_c,
            lidar_channels]``, as the teacher's.
        uv_gcm (dict, optional): :class:`.GeometryCompensation` on the image
            features (per camera); ``None``: none (vanilla CMD).
        bev_gcm (dict, optional): :class:`.GeometryCompensation` on the
            simulated-LiDAR BEV; ``None``: none.
        norm_cfg (dict): norm of the adapter.
        **kwargs: :class:`CameraBEVDetector` arguments.
    """

    def __init__(self,
                 lidar_view_transform: dict,
                 lidar_channels: int,
                 fuser: dict,
                 uv_gcm: Optional[dict] = None,
                 bev_gcm: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.lidar_view_transform = MODELS.build(lidar_view_transform)
        self.uv_gcm = MODELS.build(uv_gcm) if uv_gcm is not None else None
        self.bev_gcm = MODELS.build(bev_gcm) if bev_gcm is not None else None
        self.lidar_adapter = ConvModule(
            self.lidar_view_transform.out_channels,
            lidar_channels,
            3,
            padding=1,
            bias=False,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU'))
        self.fuser = MODELS.build(fuser)

    def extract_sim_lidar_bev(
            self,
            img_feats: Tensor,
            params: Dict[str, Tensor],
            depths: Optional[Dict[str, Tensor]] = None) -> Tensor:
        """Simulated ``F_Lbev`` (B, lidar_channels, Y, X)."""
        if self.uv_gcm is not None:
            img_feats = self.uv_gcm(img_feats.flatten(0, 1)).view_as(
                img_feats)
        bev = self.lift(self.lidar_view_transform, img_feats, params, depths,
                        'sim_lidar')
        if self.bev_gcm is not None:
            bev = self.bev_gcm(bev)
        return self.lidar_adapter(bev)

    def extract_bev(self,
                    inputs: Dict,
                    data_samples: Sequence[Det3DDataSample],
                    depths: Optional[Dict[str, Tensor]] = None) -> Tensor:
        img_feats = self.extract_img_feat(inputs)
        params = self.camera_params(data_samples, img_feats.device)
        camera = self.extract_camera_bev(img_feats, params, depths)
        lidar = self.extract_sim_lidar_bev(img_feats, params, depths)
        return self.fuser([camera, lidar])


@MODELS.register_module()
class BEVFusionDetector(BEVDetectorBase):
    """BEVFusion-style LiDAR (+ camera) teacher (Eq. 1).

    Args:
        pts_voxel_layer (dict): ``mmcv.ops.Voxelization`` arguments (LiDAR
            frame).
        pts_voxel_encoder (dict): ``mmdet3d.HardSimpleVFE`` or
            ``mmdet3d.PillarFeatureNet``.
        pts_middle_encoder (dict): ``mmdet3d.SparseEncoder`` (CUDA) or
            ``mmdet3d.PointPillarsScatter``; (B, C, Y, X) output.
        pts_bev_encoder (dict, optional): 2D module after the middle encoder
            (e.g. a stride-2 ``mmdet3d.SECOND`` stage bringing pillars to the
            BEV stride); its last output is ``F_Lbev``.
        img_backbone, img_neck, view_transform (dict, optional): the camera
            branch, all or none (none: BEVFusion-L).
        fuser (dict, optional): :class:`ConvFuser` ``[C_c, C_l] -> C_u``;
            required with a camera branch.
        **kwargs: :class:`BEVDetectorBase` arguments.
    """

    def __init__(self,
                 pts_voxel_layer: dict,
                 pts_voxel_encoder: dict,
                 pts_middle_encoder: dict,
                 pts_bev_encoder: Optional[dict] = None,
                 img_backbone: Optional[dict] = None,
                 img_neck: Optional[dict] = None,
                 view_transform: Optional[dict] = None,
                 fuser: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        camera = (img_backbone, img_neck, view_transform)
        self.with_camera = img_backbone is not None
        if any((c is None) == self.with_camera for c in camera):
            raise ValueError('give img_backbone, img_neck and '
                             'view_transform together, or none of them '
                             '(LiDAR only).')
        if self.loss_depth is not None and not self.with_camera:
            raise ValueError('loss_depth supervises the camera LSS; a '
                             'LiDAR-only model has none.')
        if (fuser is None) == self.with_camera:
            raise ValueError('a fuser is needed with, and only with, a '
                             'camera branch.')
        if self.with_camera:
            self._build_camera_branch(*camera)
            self.fuser = MODELS.build(fuser)
        self.pts_voxel_layer = Voxelization(**pts_voxel_layer)
        self.pts_voxel_encoder = MODELS.build(pts_voxel_encoder)
        self.pts_middle_encoder = MODELS.build(pts_middle_encoder)
        self.pts_bev_encoder = (MODELS.build(pts_bev_encoder)
                                if pts_bev_encoder is not None else None)

    @torch.no_grad()
    def voxelize(self, points: Sequence[Tensor]
                 ) -> Tuple[Tensor, Tensor, Tensor]:
        """Hard voxelisation; coors are (batch, z, y, x)."""
        return batch_voxelize(self.pts_voxel_layer, points)

    def extract_lidar_bev(self, points: Sequence[Tensor]) -> Tensor:
        """``F_Lbev`` (B, C_l, Y, X) from LiDAR-frame points."""
        voxels, coors, num_points = self.voxelize(points)
        feats = self.pts_voxel_encoder(voxels, num_points, coors)
        bev = self.pts_middle_encoder(feats, coors, len(points))
        if self.pts_bev_encoder is not None:
            bev = self.pts_bev_encoder(bev)
        return bev[-1] if isinstance(bev, (list, tuple)) else bev

    def extract_bev(self,
                    inputs: Dict,
                    data_samples: Sequence[Det3DDataSample],
                    depths: Optional[Dict[str, Tensor]] = None) -> Tensor:
        if 'points' not in inputs:
            raise KeyError("the teacher needs inputs['points']: keep "
                           "'points' in PackOccInputs and in the "
                           "distiller's teacher_inputs.")
        lidar = self.extract_lidar_bev(inputs['points'])
        if not self.with_camera:
            return lidar
        img_feats = self.extract_img_feat(inputs)
        params = self.camera_params(data_samples, img_feats.device)
        camera = self.extract_camera_bev(img_feats, params, depths)
        return self.fuser([camera, lidar])
