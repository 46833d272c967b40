"""Connectors: small trainable adapters between student and teacher features.

They map a recorded student value to the teacher's shape before a
distillation loss compares them; they are trained with the student and
dropped when the student is exported.  A connector applied to a tuple/list
(e.g. FPN levels) maps each element.
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import nn

from crossdistill.registry import MODELS

Features = Union[torch.Tensor, Sequence[torch.Tensor]]


class _PerLevel(BaseModule):
    """Applies :meth:`forward_single` to a tensor or to each element."""

    def forward(self, x: Features) -> Features:
        if isinstance(x, (list, tuple)):
            return type(x)(self.forward_single(t) for t in x)
        return self.forward_single(x)

    def forward_single(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


@MODELS.register_module()
class ConvConnector(_PerLevel):
    """``k x k`` convolution (default 1x1) with optional norm/activation,
    mapping ``in_channels`` to ``out_channels`` (2D or 3D features)."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.conv = ConvModule(
            in_channels,
            out_channels,
            kernel_size,
            padding=kernel_size // 2,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward_single(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


@MODELS.register_module()
class LinearConnector(_PerLevel):
    """Linear map of the last dimension (token or embedding features)."""

    def __init__(self,
                 in_features: int,
                 out_features: int,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.linear = nn.Linear(in_features, out_features)

    def forward_single(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


@MODELS.register_module()
class ResizeConnector(_PerLevel):
    """Resamples spatial features by ``scale_factor`` (e.g. the 2x nearest
    upsampling of ZoomInNet's layer adaption); no parameters."""

    def __init__(self,
                 scale_factor: float = 2.0,
                 mode: str = 'nearest',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.scale_factor = scale_factor
        self.mode = mode

    def forward_single(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=self.scale_factor,
                             mode=self.mode)
