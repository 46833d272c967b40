"""Occupancy decoder of RadOcc's student and teacher.

RadOcc (Sec. "Architecture") decodes the (temporally fused) volume feature
with the semantic scene completion module of JS3C-Net (Yan et al. 2021):
"several 3D convolutional blocks learn local geometry; the features from the
different blocks are concatenated; a linear projection maps them to C + 1
channels". Hand-written because neither mmdet3d nor mmdet has a 3D-conv
occupancy decoder; each block is mmcv's ``ConvModule`` with ``Conv3d``.

Choices where the paper is silent:

* Each block is two 3x3x3 conv-BN-ReLU layers with a residual connection
  (JS3C-Net's SSC blocks are residual); ``num_blocks`` and ``channels`` are
  configuration.
* ``upsample``: when the volume is coarser than the label grid (our CPU demo
  lifts into 100 x 100 x 8 voxels of 0.8 m), the C + 1 logits are upsampled
  trilinearly by that factor to the Occ3D grid (200 x 200 x 16), so losses,
  metric and renderer always see the label grid. The paper setting uses
  ``upsample=1`` (BEVDet-Occ lifts directly into 200 x 200 x 16).
"""
from typing import Optional

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from crossdistill.registry import MODELS


class ResidualBlock3D(BaseModule):
    """Two 3x3x3 conv-norm-ReLU layers with an identity shortcut."""

    def __init__(self, channels: int, norm_cfg: dict) -> None:
        super().__init__()
        conv = dict(conv_cfg=dict(type='Conv3d'), norm_cfg=norm_cfg)
        self.conv1 = ConvModule(channels, channels, 3, padding=1, **conv)
        self.conv2 = ConvModule(channels, channels, 3, padding=1,
                                act_cfg=None, **conv)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x + self.conv2(self.conv1(x)))


@MODELS.register_module()
class OccupancyDecoder(BaseModule):
    """Volume feature -> per-voxel logits over C + 1 classes.

    ``logits = Linear(concat(b_1(x), b_2(b_1(x)), …))`` with residual 3D
    blocks ``b_k``; the linear projection is a 1x1x1 convolution.

    Args:
        in_channels (int): channels of the input volume.
        channels (int): width of the blocks.
        num_blocks (int): number of residual 3D blocks.
        num_classes (int): C + 1 (Occ3D: 17 semantic + free = 18).
        upsample (int): trilinear upsampling factor of the logits.
        norm_cfg (dict): norm of the blocks.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int = 32,
                 num_blocks: int = 3,
                 num_classes: int = 18,
                 upsample: int = 1,
                 norm_cfg: dict = dict(type='BN3d'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.num_classes = num_classes
        self.upsample = upsample
        self.stem = ConvModule(in_channels,
                               channels,
                               3,
                               padding=1,
                               conv_cfg=dict(type='Conv3d'),
                               norm_cfg=norm_cfg)
        self.blocks = nn.ModuleList(
            ResidualBlock3D(channels, norm_cfg) for _ in range(num_blocks))
        self.classifier = nn.Conv3d(channels * num_blocks, num_classes, 1)

    def forward(self, volume: Tensor) -> Tensor:
        """(B, C_in, X, Y, Z) -> (B, C + 1, X·u, Y·u, Z·u) logits."""
        x = self.stem(volume)
        outs = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        logits = self.classifier(torch.cat(outs, dim=1))
        if self.upsample != 1:
            logits = F.interpolate(logits,
                                   scale_factor=self.upsample,
                                   mode='trilinear',
                                   align_corners=False)
        return logits
