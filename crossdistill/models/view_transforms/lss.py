"""LSS view transformer: multi-view image features -> voxel volume / BEV.

Lift-Splat (Philion & Fidler 2020) as used by BEVDet (RadOcc's student and
teacher camera branch, "view transform … forming a low-level volume
feature") and BEVFusion-C (SimDistill Eq. 2):

    F_bev = ρ( ψ(F_uv) ⊗ ϕ(F_uv) )

* ``ϕ`` — depth net: a softmax distribution over ``D`` depth bins per
  feature cell; ``ψ`` — context net: a ``C``-channel feature per cell. As in
  BEVDet / BEVFusion's ``LSSTransform`` both are one convolution on the image
  features with ``D + C`` outputs, optionally after a 3x3 conv-BN-ReLU
  (``mid_channels``). BEVDepth's camera-aware SE-MLP (intrinsics and
  extrinsics as an input of the depth net) and its ASPP are omitted: neither
  paper uses them (RadOcc: BEVDet; SimDistill: BEVFusion-C).
* ``⊗`` — per cell and bin, the context scaled by the bin's probability: a
  point of the frustum (:mod:`.geometry`) with that feature.
* ``ρ`` — voxel pooling (:mod:`.voxel_pooling`): sum per voxel of a
  (X, Y, Z) grid, or per BEV cell with ``collapse_z`` (BEVFusion keeps one
  z cell and flattens it; summing the column is the same).

Defaults are RadOcc's Occ3D grid (200 x 200 x 16 at 0.4 m over
``[-40, -40, -1, 40, 40, 5.4]``) with BEVDet-Occ's depth bins
``(1, 45, 0.5)``. SimDistill / BEVFusion-C: ``point_cloud_range=(-54, -54,
-5, 54, 54, 3)``, ``voxel_size=(0.6, 0.6, 8)``, ``collapse_z=True``,
``depth_bounds=(1, 60, 0.5)``, ``out_channels=80``, BEV 180 x 180, with
``lidar2ego`` given so that the BEV is in the LiDAR frame of the boxes.
"""
from typing import Dict, NamedTuple, Optional, Sequence

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from crossdistill.registry import MODELS
from .geometry import create_frustum, frustum_to_points, num_depth_bins
from .voxel_pooling import Size3, grid_shape, voxel_pooling


class LSSOutputs(NamedTuple):
    """Outputs of :class:`LSSViewTransformer`.

    Attributes:
        feats (Tensor): (B, C, X, Y, Z) volume or (B, C, X, Y) BEV.
        depth (Tensor): (B, N, D, h, w) depth distribution (softmax over D),
            for :class:`~.depth_loss.LSSDepthLoss`.
    """
    feats: Tensor
    depth: Tensor


def collect_camera_params(
        batch_input_metas: Sequence[dict],
        keys: Sequence[str] = ('cam2img', 'cam2ego', 'img_aug_matrix'),
        device: Optional[torch.device] = None) -> Dict[str, Tensor]:
    """Stack camera parameters of a batch's metainfo into tensors.

    ``transformer(feats, **collect_camera_params(metas))`` lifts into the
    ego frame (the Occ3D grid). Our pipeline's metainfo also holds
    ``lidar2ego``: add it to ``keys`` for a LiDAR-frame output (mmdet3d
    boxes, SimDistill). 3 x 3 intrinsics are padded to 4 x 4.

    Args:
        batch_input_metas (Sequence[dict]): per-sample metainfo with
            per-camera (N, 4, 4) arrays and per-sample (4, 4) ones.
        keys (Sequence[str]): keys to read, named as the arguments of
            :meth:`LSSViewTransformer.forward`.
        device (torch.device, optional): target device.

    Returns:
        dict[str, Tensor]: float32 (B, N, 4, 4) or (B, 4, 4) per key.
    """
    params = {}
    for key in keys:
        missing = [i for i, m in enumerate(batch_input_metas) if key not in m]
        if missing:
            raise KeyError(f'metainfo of samples {missing} has no {key!r}.')
        mats = torch.stack([
            torch.as_tensor(meta[key], dtype=torch.float32)
            for meta in batch_input_metas
        ]).to(device)
        if key == 'cam2img' and mats.shape[-2:] == (3, 3):
            padded = torch.eye(4, device=mats.device).repeat(
                *mats.shape[:-2], 1, 1)
            padded[..., :3, :3] = mats
            mats = padded
        params[key] = mats
    return params


@MODELS.register_module()
class LSSViewTransformer(BaseModule):
    """Lift multi-view image features into a voxel volume or a BEV map.

    Args:
        in_channels (int): image-feature channels.
        out_channels (int): context channels ``C`` of the output.
        image_size (Sequence[int]): ``(H, W)`` of the augmented input images;
            the feature stride is ``H / h``, ``W / w``.
        depth_bounds (Sequence[float]): ``(d_min, d_max, step)`` camera-depth
            bins (m).
        point_cloud_range (Sequence[float]): ``(x0, y0, z0, x1, y1, z1)`` of
            the grid in the target frame (ego, or LiDAR with ``lidar2ego``).
        voxel_size (float | Sequence[float]): voxel edges (m).
        collapse_z (bool): output a BEV map (sum over height).
        mid_channels (int, optional): a 3x3 conv-norm-ReLU before the
            depth/context projection; ``None``: a single 1x1 conv.
        norm_cfg (dict): norm of that conv.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 image_size: Sequence[int],
                 depth_bounds: Sequence[float] = (1.0, 45.0, 0.5),
                 point_cloud_range: Sequence[float] = (-40.0, -40.0, -1.0,
                                                       40.0, 40.0, 5.4),
                 voxel_size: Size3 = 0.4,
                 collapse_z: bool = False,
                 mid_channels: Optional[int] = None,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.out_channels = out_channels
        self.image_size = tuple(int(x) for x in image_size)
        self.depth_bounds = tuple(float(x) for x in depth_bounds)
        self.num_bins = num_depth_bins(depth_bounds)
        self.point_cloud_range = tuple(float(x) for x in point_cloud_range)
        self.voxel_size = voxel_size
        self.grid_shape = grid_shape(point_cloud_range, voxel_size)
        self.collapse_z = collapse_z
        layers = []
        if mid_channels is not None:
            layers.append(
                ConvModule(in_channels,
                           mid_channels,
                           3,
                           padding=1,
                           norm_cfg=norm_cfg,
                           act_cfg=dict(type='ReLU')))
            in_channels = mid_channels
        layers.append(nn.Conv2d(in_channels, self.num_bins + out_channels, 1))
        self.depth_net = nn.Sequential(*layers)

    def get_points(self, feature_size: Sequence[int], cam2img: Tensor,
                   cam2ego: Tensor, **geometry: Optional[Tensor]) -> Tensor:
        """(B, N, D, h, w, 3) frustum points in the target frame."""
        frustum = create_frustum(self.image_size, feature_size,
                                 self.depth_bounds, cam2img.device,
                                 cam2img.dtype)
        return frustum_to_points(frustum, cam2img, cam2ego, **geometry)

    def forward(self,
                img_feats: Tensor,
                cam2img: Tensor,
                cam2ego: Tensor,
                img_aug_matrix: Optional[Tensor] = None,
                lidar2ego: Optional[Tensor] = None,
                bev_aug_matrix: Optional[Tensor] = None) -> LSSOutputs:
        """Lift and splat.

        Args:
            img_feats (Tensor): (B, N, C_in, h, w), or (B * N, C_in, h, w)
                with ``N`` read from ``cam2img``.
            cam2img (Tensor): (B, N, 4, 4) / (B, N, 3, 3) original-image
                intrinsics.
            cam2ego (Tensor): (B, N, 4, 4) camera-to-ego.
            img_aug_matrix (Tensor, optional): (B, N, 4, 4) / (B, N, 3, 3),
                original -> augmented pixels.
            lidar2ego (Tensor, optional): (B, 4, 4): output in LiDAR frame.
            bev_aug_matrix (Tensor, optional): (B, 4, 4) / (B, 3, 3) BEV
                augmentation of the target frame.

        Returns:
            LSSOutputs: ``feats`` (B, C, X, Y, Z) or (B, C, X, Y) and
            ``depth`` (B, N, D, h, w).
        """
        batch, num_cams = cam2img.shape[:2]
        feat_h, feat_w = img_feats.shape[-2:]
        x = self.depth_net(
            img_feats.reshape(batch * num_cams, *img_feats.shape[-3:]))
        depth = x[:, :self.num_bins].softmax(dim=1)
        context = x[:, self.num_bins:].permute(0, 2, 3, 1)
        # (B·N, D, h, w, C): the context of each cell scaled by each bin.
        lifted = depth[..., None] * context[:, None]
        points = self.get_points((feat_h, feat_w),
                                 cam2img,
                                 cam2ego,
                                 img_aug_matrix=img_aug_matrix,
                                 lidar2ego=lidar2ego,
                                 bev_aug_matrix=bev_aug_matrix)
        feats = voxel_pooling(points.reshape(batch, -1, 3),
                              lifted.reshape(batch, -1, self.out_channels),
                              self.point_cloud_range, self.voxel_size,
                              self.collapse_z)
        return LSSOutputs(feats=feats,
                          depth=depth.view(batch, num_cams, self.num_bins,
                                           feat_h, feat_w))
