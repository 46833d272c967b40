"""Geometry Compensation Module (GCM) of SimDistill (Sec. "Simulated
Multi-Modal Student", Eq. 5).

Deformable self-attention (Deformable DETR) on a dense feature map: every
cell ``q`` of a uniform grid is a query whose reference point ``p_q`` is the
cell centre; per head ``m`` it samples ``K`` points at learned offsets
``Δp_mqk`` and mixes them with learned weights ``A_mqk``:

    DeformAttn(z_q, p_q, x) = Σ_m W_m [ Σ_k A_mqk · W'_m x(p_q + Δp_mqk) ]
    GC(x)_q = x_q + DeformAttn(x_q + e_q, p_q, x)

``z_q = x_q + e_q`` adds a learned row/column embedding ``e``
(mmdet ``LearnedPositionalEncoding``), the sum is the residual of the public
code's BEV GCM (no FFN, no LayerNorm). The attention is mmcv's
``MultiScaleDeformableAttention`` with one level (its pure-PyTorch path runs
on CPU, the CUDA kernel on GPU). Used on the per-camera image features
(``GC_uv``) and on the lifted BEV (``GC_bev``) of the simulated-LiDAR
branch; the paper gives no layer count, heads or points (see the project
README for the values chosen).
"""
from typing import Optional, Sequence

import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmdet.models.layers import LearnedPositionalEncoding
from mmengine.model import BaseModule
from torch import Tensor, nn

from crossdistill.registry import MODELS


def grid_reference_points(height: int, width: int,
                          device: torch.device) -> Tensor:
    """(H·W, 2) normalised ``(x, y)`` cell centres, row-major."""
    ys, xs = torch.meshgrid(
        (torch.arange(height, device=device) + 0.5) / height,
        (torch.arange(width, device=device) + 0.5) / width,
        indexing='ij')
    return torch.stack([xs.flatten(), ys.flatten()], dim=-1)


@MODELS.register_module()
class GeometryCompensation(BaseModule):
    """Stacked residual deformable self-attention over a feature map.

    Args:
        embed_dims (int): channels ``C`` of the map (divisible by
            ``num_heads``; even, for the positional embedding).
        num_heads (int): attention heads ``M``, each with its own offsets.
        num_points (int): sampling points ``K`` per head and query.
        num_layers (int): stacked attention layers.
        max_shape (Sequence[int]): largest ``(H, W)`` the learned positional
            embedding covers.
        dropout (float): dropout on the attention output.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int = 8,
                 num_points: int = 4,
                 num_layers: int = 1,
                 max_shape: Sequence[int] = (200, 200),
                 dropout: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if embed_dims % 2:
            raise ValueError(f'embed_dims must be even, got {embed_dims}.')
        self.max_shape = tuple(int(s) for s in max_shape)
        self.positional_encoding = LearnedPositionalEncoding(
            embed_dims // 2, *self.max_shape)
        self.layers = nn.ModuleList(
            MultiScaleDeformableAttention(embed_dims=embed_dims,
                                          num_heads=num_heads,
                                          num_levels=1,
                                          num_points=num_points,
                                          dropout=dropout,
                                          batch_first=True)
            for _ in range(num_layers))

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H, W)."""
        batch, channels, height, width = x.shape
        if height > self.max_shape[0] or width > self.max_shape[1]:
            raise ValueError(f'feature map {height}x{width} exceeds '
                             f'max_shape {self.max_shape}; raise it.')
        pos = self.positional_encoding(x.new_zeros(batch, height, width))
        pos = pos.flatten(2).transpose(1, 2)
        query = x.flatten(2).transpose(1, 2)
        reference = grid_reference_points(height, width, x.device)
        reference = reference[None, :, None].expand(batch, -1, 1, -1)
        shapes = torch.tensor([[height, width]], device=x.device)
        start = shapes.new_zeros(1)
        for layer in self.layers:
            query = layer(query,
                          query_pos=pos,
                          reference_points=reference,
                          spatial_shapes=shapes,
                          level_start_index=start)
        return query.transpose(1, 2).reshape(batch, channels, height, width)
