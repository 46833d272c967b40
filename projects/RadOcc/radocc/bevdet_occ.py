"""RadOcc's camera student (BEVDet-Occ) and its LiDAR + camera teacher.

Student (RadOcc Sec. "Architecture", camera branch): image backbone + neck
(mmdet ``ResNet`` / ``SwinTransformer`` + ``FPN``), depth net + LSS lift into a
3D volume (:class:`~crossdistill.models.LSSViewTransformer`, voxel pooling in
pure PyTorch), optional 3D volume encoder, and the SSC occupancy decoder
(:class:`.OccupancyDecoder`). Loss: cross-entropy on the Occ3D labels inside
the camera mask (the paper: "supervised by ground truth occupancy"; the loss
type is not given — BEVDet-Occ's masked CE), plus BEVDet-Occ's LiDAR depth
supervision of the depth net (``loss_depth``, optional).

Teacher (:class:`BEVFusionOcc`): the same camera branch plus a LiDAR branch
from mmdet3d modules — hard voxelisation into pillars (mmcv
``Voxelization``, CPU and CUDA), ``PillarFeatureNet``, ``PointPillarsScatter``,
``SECOND``, ``SECONDFPN`` — whose BEV map is lifted into the volume by a
channel-to-height projection (a 1x1 convolution to ``C_l · Z`` channels,
reshaped to ``Z`` height cells: the paper only says that SECOND/SECOND-FPN
give "volume features"); both volumes are concatenated and fused by a fully
convolutional network (BEVFusion's fuser in 3D), then decoded by the same
decoder. Points are moved from the LiDAR to the ego frame (``lidar2ego``)
before voxelisation, since the Occ3D grid is ego-frame.

Temporal fusion (BEVStereo-style history frames) is not implemented: every
model here sees the key frame only (see the project README).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import ConvModule
from mmcv.ops import Voxelization
from mmdet3d.models.detectors import Base3DDetector
from mmdet3d.structures import Det3DDataSample
from torch import Tensor, nn

from crossdistill.models.multiview_features import (batch_voxelize,
                                                    multiview_image_features)
from crossdistill.models.view_transforms import collect_camera_params
from crossdistill.registry import MODELS

CAMERA_KEYS = ('cam2img', 'cam2ego', 'img_aug_matrix')


def stack_gt_occ(data_samples: Sequence[Det3DDataSample],
                 key: str) -> Tensor:
    """(B, X, Y, Z) stack of ``data_sample.gt_occ.<key>``."""
    missing = [i for i, s in enumerate(data_samples) if 'gt_occ' not in s]
    if missing:
        raise KeyError(f'data samples {missing} have no gt_occ; the training '
                       "pipeline needs LoadOccupancyGT and PackOccInputs "
                       "keys 'voxel_semantics', 'mask_camera'.")
    return torch.stack([s.gt_occ.get(key) for s in data_samples])


@MODELS.register_module()
class BEVDetOcc(Base3DDetector):
    """Camera-only semantic occupancy network (RadOcc's student).

    Args:
        img_backbone (dict): image backbone (e.g. ``mmdet.ResNet``).
        img_neck (dict): neck (e.g. ``mmdet.FPN``), see
            :meth:`extract_img_feat`.
        view_transform (dict): ``LSSViewTransformer`` lifting into a volume.
        occ_head (dict): :class:`.OccupancyDecoder`.
        volume_encoder (dict, optional): 3D module on the lifted volume.
        loss_occ (dict): classification loss on the visible voxels.
        loss_depth (dict, optional): ``LSSDepthLoss`` on ``gt_depth``.
        use_camera_mask (bool): train only where ``mask_camera`` is set.
        data_preprocessor (dict, optional): ``Det3DDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 img_backbone: dict,
                 img_neck: dict,
                 view_transform: dict,
                 occ_head: dict,
                 volume_encoder: Optional[dict] = None,
                 loss_occ: dict = dict(type='mmdet.CrossEntropyLoss',
                                       use_sigmoid=False,
                                       loss_weight=1.0),
                 loss_depth: Optional[dict] = None,
                 use_camera_mask: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.img_backbone = MODELS.build(img_backbone)
        self.img_neck = MODELS.build(img_neck)
        self.view_transform = MODELS.build(view_transform)
        self.volume_encoder = (MODELS.build(volume_encoder)
                               if volume_encoder is not None else None)
        self.occ_head = MODELS.build(occ_head)
        self.loss_occ = MODELS.build(loss_occ)
        self.loss_depth = (MODELS.build(loss_depth)
                           if loss_depth is not None else None)
        self.use_camera_mask = use_camera_mask

    # ------------------------------------------------------------ features
    def extract_img_feat(self, imgs: Tensor) -> Tensor:
        """(B, N, 3, H, W) -> (B, N, C, h, w), see
        :func:`~crossdistill.models.multiview_image_features`."""
        return multiview_image_features(self.img_backbone, self.img_neck,
                                        imgs)

    def extract_camera_volume(
            self, inputs: Dict,
            data_samples: Sequence[Det3DDataSample]) -> Tuple[Tensor, Tensor]:
        """Camera volume (B, C, X, Y, Z) and depth (B, N, D, h, w)."""
        if 'imgs' not in inputs:
            raise KeyError("inputs has no 'imgs': the pipeline must load the "
                           'multi-view images (LoadMultiViewImageFromFiles).')
        imgs = inputs['imgs']
        params = collect_camera_params([s.metainfo for s in data_samples],
                                       CAMERA_KEYS, imgs.device)
        out = self.view_transform(self.extract_img_feat(imgs), **params)
        return out.feats, out.depth

    def extract_feat(self, inputs: Dict,
                     data_samples: Sequence[Det3DDataSample]
                     ) -> Tuple[Tensor, Tensor]:
        """The volume the decoder reads and the depth distribution."""
        volume, depth = self.extract_camera_volume(inputs, data_samples)
        if self.volume_encoder is not None:
            volume = self.volume_encoder(volume)
        return volume, depth

    def _forward(self, inputs: Dict,
                 data_samples: Sequence[Det3DDataSample]) -> Tensor:
        """(B, C + 1, X, Y, Z) occupancy logits on the label grid."""
        return self.occ_head(self.extract_feat(inputs, data_samples)[0])

    # -------------------------------------------------------------- losses
    def loss(self, inputs: Dict,
             data_samples: Sequence[Det3DDataSample]) -> Dict[str, Tensor]:
        volume, depth = self.extract_feat(inputs, data_samples)
        logits = self.occ_head(volume)
        losses = {'loss_occ': self.occupancy_loss(logits, data_samples)}
        if self.loss_depth is not None:
            gt_depth = torch.stack([s.gt_depth for s in data_samples])
            losses['loss_depth'] = self.loss_depth(depth, gt_depth)
        return losses

    def occupancy_loss(self, logits: Tensor,
                       data_samples: Sequence[Det3DDataSample]) -> Tensor:
        """``loss_occ`` over the voxels of the camera mask."""
        labels = stack_gt_occ(data_samples, 'voxel_semantics').long()
        if labels.shape[1:] != logits.shape[2:]:
            raise ValueError(
                f'occupancy logits have grid {tuple(logits.shape[2:])} but '
                f'the labels {tuple(labels.shape[1:])}; set the decoder '
                '`upsample` so that the volume reaches the label grid.')
        scores = logits.permute(0, 2, 3, 4, 1)
        if self.use_camera_mask:
            keep = stack_gt_occ(data_samples, 'mask_camera').bool()
            scores, labels = scores[keep], labels[keep]
        else:
            scores, labels = scores.flatten(0, 3), labels.flatten()
        return self.loss_occ(scores, labels, avg_factor=max(labels.numel(),
                                                            1))

    # ------------------------------------------------------------- predict
    def predict(self, inputs: Dict,
                data_samples: List[Det3DDataSample]) -> List[Det3DDataSample]:
        """Set ``data_sample.pred_occ`` (X, Y, Z) uint8 class indices."""
        logits = self._forward(inputs, data_samples)
        for sample, pred in zip(data_samples, logits.argmax(dim=1)):
            sample.pred_occ = pred.to(torch.uint8).cpu()
        return data_samples


@MODELS.register_module()
class BEVFusionOcc(BEVDetOcc):
    """LiDAR + camera occupancy teacher (RadOcc's multi-modal teacher).

    Args:
        pts_voxel_layer (dict): ``mmcv.ops.Voxelization`` arguments (ego
            frame; pillars: one voxel over the whole height).
        pts_voxel_encoder (dict): e.g. ``mmdet3d.PillarFeatureNet``.
        pts_middle_encoder (dict): e.g. ``mmdet3d.PointPillarsScatter``.
        pts_backbone (dict): e.g. ``mmdet3d.SECOND``.
        pts_neck (dict): e.g. ``mmdet3d.SECONDFPN``; its output must have the
            volume's (X, Y) size.
        lidar_channels (int): BEV channels of ``pts_neck``.
        lidar_volume_channels (int): channels per height cell after the
            channel-to-height projection.
        fuser_channels (int): output channels of the fuser (= the camera
            volume's, so that the decoder is the student's).
        **kwargs: :class:`BEVDetOcc` arguments.
    """

    def __init__(self,
                 pts_voxel_layer: dict,
                 pts_voxel_encoder: dict,
                 pts_middle_encoder: dict,
                 pts_backbone: dict,
                 pts_neck: dict,
                 lidar_channels: int,
                 lidar_volume_channels: int,
                 fuser_channels: int,
                 norm_cfg: dict = dict(type='BN3d'),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.pts_voxel_layer = Voxelization(**pts_voxel_layer)
        self.pts_voxel_encoder = MODELS.build(pts_voxel_encoder)
        self.pts_middle_encoder = MODELS.build(pts_middle_encoder)
        self.pts_backbone = MODELS.build(pts_backbone)
        self.pts_neck = MODELS.build(pts_neck)
        self.num_height = self.view_transform.grid_shape[2]
        self.lidar_volume_channels = lidar_volume_channels
        self.height_projection = nn.Conv2d(
            lidar_channels, lidar_volume_channels * self.num_height, 1)
        conv = dict(conv_cfg=dict(type='Conv3d'), norm_cfg=norm_cfg)
        self.fuser = nn.Sequential(
            ConvModule(self.view_transform.out_channels +
                       lidar_volume_channels,
                       fuser_channels,
                       3,
                       padding=1,
                       **conv),
            ConvModule(fuser_channels, fuser_channels, 3, padding=1, **conv))

    @torch.no_grad()
    def voxelize(self, points: Sequence[Tensor],
                 data_samples: Sequence[Det3DDataSample]
                 ) -> Tuple[Tensor, Tensor, Tensor]:
        """Hard-voxelise ego-frame points; coors are (batch, z, y, x)."""
        ego_points = []
        for pts, sample in zip(points, data_samples):
            lidar2ego = pts.new_tensor(sample.metainfo['lidar2ego'])
            xyz = pts[:, :3] @ lidar2ego[:3, :3].T + lidar2ego[:3, 3]
            ego_points.append(torch.cat([xyz, pts[:, 3:]], dim=1))
        return batch_voxelize(self.pts_voxel_layer, ego_points)

    def extract_lidar_volume(
            self, points: Sequence[Tensor],
            data_samples: Sequence[Det3DDataSample]) -> Tensor:
        """LiDAR volume (B, C_l, X, Y, Z) from pillars, SECOND, SECONDFPN."""
        voxels, coors, num_points = self.voxelize(points, data_samples)
        feats = self.pts_voxel_encoder(voxels, num_points, coors)
        bev = self.pts_middle_encoder(feats, coors, len(points))
        bev = self.pts_neck(self.pts_backbone(bev))
        bev = bev[0] if isinstance(bev, (list, tuple)) else bev
        # Scatter output is (B, C, Y, X); the volume is indexed [x, y, z].
        bev = self.height_projection(bev.transpose(-1, -2))
        batch, _, size_x, size_y = bev.shape
        return bev.view(batch, self.lidar_volume_channels, self.num_height,
                        size_x, size_y).permute(0, 1, 3, 4, 2)

    def extract_feat(self, inputs: Dict,
                     data_samples: Sequence[Det3DDataSample]
                     ) -> Tuple[Tensor, Tensor]:
        if 'points' not in inputs:
            raise KeyError("the teacher needs inputs['points']: keep "
                           "'points' in PackOccInputs and in the "
                           "distiller's teacher_inputs.")
        camera, depth = self.extract_camera_volume(inputs, data_samples)
        lidar = self.extract_lidar_volume(inputs['points'], data_samples)
        if lidar.shape[2:] != camera.shape[2:]:
            raise ValueError(
                f'LiDAR volume {tuple(lidar.shape[2:])} and camera volume '
                f'{tuple(camera.shape[2:])} differ; match the pillar grid, '
                'SECOND strides and SECONDFPN upsampling to the volume.')
        volume = self.fuser(torch.cat([camera, lidar], dim=1))
        if self.volume_encoder is not None:
            volume = self.volume_encoder(volume)
        return volume, depth
