"""Shared multi-view feature helpers: neck-level fusion and batched hard
voxelisation."""
import torch
from mmcv.ops import Voxelization
from torch import nn

from crossdistill.models import batch_voxelize, multiview_image_features


class TwoLevelNeck(nn.Module):
    """Returns the input and a 2x coarser copy of it times 10."""

    def forward(self, x):
        return [x, 10 * x[..., ::2, ::2]]


def test_multiview_image_features_adds_upsampled_coarse_levels():
    imgs = torch.arange(2 * 3 * 1 * 4 * 4, dtype=torch.float32).view(
        2, 3, 1, 4, 4)
    feats = multiview_image_features(nn.Identity(), TwoLevelNeck(), imgs)
    assert feats.shape == (2, 3, 1, 4, 4)
    coarse = 10 * imgs[..., ::2, ::2]
    expected = imgs + coarse.repeat_interleave(2, -2).repeat_interleave(2, -1)
    assert torch.equal(feats, expected)
    single = multiview_image_features(nn.Identity(), nn.Identity(), imgs)
    assert torch.equal(single, imgs)


def test_batch_voxelize_prefixes_the_sample_index():
    layer = Voxelization(voxel_size=[1.0, 1.0, 4.0],
                         point_cloud_range=[0, 0, -2, 4, 4, 2],
                         max_num_points=5,
                         max_voxels=100)
    first = torch.tensor([[0.5, 0.5, 0.0, 1.0], [0.6, 0.4, 0.1, 2.0],
                          [3.5, 2.5, 0.0, 3.0]])
    second = torch.tensor([[1.5, 3.5, 0.0, 4.0], [9.0, 9.0, 0.0, 5.0]])
    voxels, coors, num_points = batch_voxelize(layer, [first, second])
    assert voxels.shape == (3, 5, 4)
    # (batch, z, y, x); the point outside the range is dropped.
    assert sorted(coors.tolist()) == [[0, 0, 0, 0], [0, 0, 2, 3],
                                      [1, 0, 3, 1]]
    assert sorted(num_points.tolist()) == [1, 1, 2]
