import math

import numpy as np
import pytest
import torch

from crossdistill.models.view_transforms import (
    LSSDepthLoss, LSSOutputs, LSSViewTransformer, cam_to_target_matrix,
    collect_camera_params, create_frustum, frustum_to_points,
    min_depth_pooling, voxel_pooling)
from crossdistill.registry import MODELS
from crossdistill.rendering import sample_rays

RANGE = (-4.0, -4.0, -1.0, 4.0, 4.0, 1.4)  # 10 x 10 x 3 voxels of 0.8 m


def _rot(axis: str, angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    mats = dict(x=[[1, 0, 0], [0, c, -s], [0, s, c]],
                y=[[c, 0, s], [0, 1, 0], [-s, 0, c]],
                z=[[c, -s, 0], [s, c, 0], [0, 0, 1]])
    return torch.tensor(mats[axis], dtype=torch.float64)


def _cam2ego() -> torch.Tensor:
    """Camera looking along ego +x, yawed 30 degrees, off the origin."""
    mat = torch.eye(4, dtype=torch.float64)
    optical = torch.tensor(
        [[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]],
        dtype=torch.float64)
    mat[:3, :3] = _rot('z', math.pi / 6) @ _rot('x', 0.05) @ optical
    mat[:3, 3] = torch.tensor([1.5, -0.3, 1.6], dtype=torch.float64)
    return mat


def _intrinsics(cx: float, cy: float, focal: float = 100.0) -> torch.Tensor:
    mat = torch.eye(4, dtype=torch.float64)
    mat[0, 0] = mat[1, 1] = focal
    mat[0, 2], mat[1, 2] = cx, cy
    return mat


def _aug_4x4(scale=0.5, crop=(20.0, 10.0), width=96) -> torch.Tensor:
    """Resize, crop and horizontal flip as one BEVFusion-style 4x4 matrix."""
    resize = torch.diag(torch.tensor([scale, scale, 1.0], dtype=torch.float64))
    shift = torch.tensor([[1.0, 0, -crop[0]], [0, 1, -crop[1]], [0, 0, 1]],
                         dtype=torch.float64)
    flip = torch.tensor([[-1.0, 0, width - 1], [0, 1, 0], [0, 0, 1]],
                        dtype=torch.float64)
    aug2d = flip @ shift @ resize
    mat = torch.eye(4, dtype=torch.float64)
    mat[:2, :2] = aug2d[:2, :2]
    mat[:2, 3] = aug2d[:2, 2]
    return mat


def test_frustum_uses_cell_centres_and_bin_centres():
    frustum = create_frustum((8, 16), (2, 4), (1.0, 3.0, 1.0))
    assert frustum.shape == (2, 2, 4, 3)
    torch.testing.assert_close(frustum[0, 0, :, 0],
                               torch.tensor([1.5, 5.5, 9.5, 13.5]))
    torch.testing.assert_close(frustum[0, :, 0, 1], torch.tensor([1.5, 5.5]))
    torch.testing.assert_close(frustum[:, 0, 0, 2], torch.tensor([1.5, 2.5]))


def test_principal_point_lifts_to_cam2ego_of_optical_axis():
    # Stride 4: cell (row 2, col 5) is centred on pixel (21.5, 9.5).
    cam2img, cam2ego = _intrinsics(21.5, 9.5), _cam2ego()
    frustum = create_frustum((16, 32), (4, 8), (2.0, 10.0, 2.0),
                             dtype=torch.float64)
    points = frustum_to_points(frustum, cam2img[None, None], cam2ego[None,
                                                                     None])
    assert points.shape == (1, 1, 4, 4, 8, 3)
    for k, depth in enumerate([3.0, 5.0, 7.0, 9.0]):
        expected = cam2ego @ torch.tensor([0.0, 0.0, depth, 1.0],
                                          dtype=torch.float64)
        torch.testing.assert_close(points[0, 0, k, 2, 5], expected[:3])


def test_augmented_pixel_lifts_like_its_original_pixel():
    cam2img, cam2ego, aug = _intrinsics(70.0, 40.0), _cam2ego(), _aug_4x4()
    frustum = create_frustum((32, 96), (8, 24), (1.0, 5.0, 2.0),
                             dtype=torch.float64)
    lifted = frustum_to_points(frustum, cam2img[None, None],
                               cam2ego[None, None], aug[None, None])
    # Original pixels of the augmented frustum, lifted without augmentation.
    aug2d = torch.eye(3, dtype=torch.float64)
    aug2d[:2, :2], aug2d[:2, 2] = aug[:2, :2], aug[:2, 3]
    uv1 = torch.cat([frustum[..., :2], torch.ones_like(frustum[..., :1])], -1)
    orig_uv = (uv1 @ torch.linalg.inv(aug2d).T)[..., :2]
    orig = torch.cat([orig_uv, frustum[..., 2:]], dim=-1)
    expected = frustum_to_points(orig, cam2img[None, None], cam2ego[None,
                                                                    None])
    torch.testing.assert_close(lifted, expected)
    # The flip mirrors columns: the first augmented column comes from the
    # right part of the crop.
    assert orig_uv[0, 0, 0, 0] > orig_uv[0, 0, -1, 0]


def test_lifted_points_lie_on_renderer_rays():
    cam2img, cam2ego, aug = _intrinsics(70.0, 40.0), _cam2ego(), _aug_4x4()
    pixels = torch.tensor([[3.0, 5.0], [50.0, 17.0]], dtype=torch.float64)
    frustum = torch.cat(
        [pixels, torch.full((2, 1), 4.0, dtype=torch.float64)], dim=-1)
    points = frustum_to_points(frustum, cam2img[None, None],
                               cam2ego[None, None], aug[None, None])[0, 0]
    rays = sample_rays(cam2img[None, None],
                       cam2ego[None, None], (32, 96),
                       aug[None, None],
                       stride=1)
    flat = (pixels[:, 1] * 96 + pixels[:, 0]).long()
    directions = rays.directions[0, flat]
    offsets = points - rays.origins[0, flat]
    torch.testing.assert_close(offsets / offsets.norm(dim=-1, keepdim=True),
                               directions)


def test_lidar_frame_and_bev_augmentation():
    cam2ego = _cam2ego()[None, None]
    lidar2ego = torch.eye(4, dtype=torch.float64)
    lidar2ego[:3, :3] = _rot('z', math.pi / 2)
    lidar2ego[:3, 3] = torch.tensor([0.9, 0.0, 1.8], dtype=torch.float64)
    bev_aug = torch.eye(4, dtype=torch.float64)
    bev_aug[:3, :3] = 1.1 * _rot('z', 0.3)
    bev_aug[:3, 3] = torch.tensor([0.2, -0.1, 0.0], dtype=torch.float64)
    mat = cam_to_target_matrix(cam2ego, lidar2ego[None], bev_aug[None])
    torch.testing.assert_close(
        mat[0, 0], bev_aug @ torch.linalg.inv(lidar2ego) @ cam2ego[0, 0])
    # A 3x3 BEV rotation (BEVDet's bda) is the same as its 4x4 form.
    rot_only = bev_aug.clone()
    rot_only[:3, 3] = 0
    torch.testing.assert_close(
        cam_to_target_matrix(cam2ego, None, bev_aug[None, :3, :3]),
        cam_to_target_matrix(cam2ego, None, rot_only[None]))


def _naive_voxel_pooling(points, feats, pc_range, voxel, collapse_z=False):
    shape = [round((pc_range[i + 3] - pc_range[i]) / voxel) for i in range(3)]
    batch, _, channels = feats.shape
    out = torch.zeros(batch, channels, *shape, dtype=feats.dtype)
    for b in range(batch):
        for point, feat in zip(points[b].tolist(), feats[b]):
            idx = [
                math.floor((point[i] - pc_range[i]) / voxel) for i in range(3)
            ]
            if all(0 <= idx[i] < shape[i] for i in range(3)):
                out[b, :, idx[0], idx[1], idx[2]] += feat
    return out.sum(-1) if collapse_z else out


def test_voxel_pooling_matches_naive_reference():
    gen = torch.Generator().manual_seed(0)
    # Many points per voxel and ~1/3 of them outside the range.
    points = (torch.rand(2, 500, 3, generator=gen) * 2 - 1) * torch.tensor(
        [5.0, 5.0, 1.8]) + torch.tensor([0.0, 0.0, 0.2])
    feats = torch.randn(2, 500, 3, generator=gen, dtype=torch.float64)
    volume = voxel_pooling(points, feats, RANGE, 0.8)
    assert volume.shape == (2, 3, 10, 10, 3)
    torch.testing.assert_close(volume,
                               _naive_voxel_pooling(points, feats, RANGE, 0.8))
    bev = voxel_pooling(points, feats, RANGE, 0.8, collapse_z=True)
    assert bev.shape == (2, 3, 10, 10)
    torch.testing.assert_close(bev, volume.sum(-1))


def test_voxel_pooling_drops_points_outside_the_range():
    points = torch.tensor([[
        [-4.0, -4.0, -1.0],  # lower corner: inside
        [3.9, 3.9, 1.39],  # upper voxel: inside
        [4.0, 0.0, 0.0],  # on the upper x face
        [0.0, -4.01, 0.0],  # below y
        [0.0, 0.0, 1.4],  # on the upper z face
        [0.0, 0.0, -1.2]
    ]])  # below z (also in BEV)
    feats = torch.arange(1.0, 7.0).view(1, 6, 1).requires_grad_()
    volume = voxel_pooling(points, feats, RANGE, 0.8)
    assert volume.sum() == 3.0
    assert volume[0, 0, 0, 0, 0] == 1.0 and volume[0, 0, 9, 9, 2] == 2.0
    bev = voxel_pooling(points, feats, RANGE, 0.8, collapse_z=True)
    assert bev.sum() == 3.0
    bev.sum().backward()
    torch.testing.assert_close(feats.grad.flatten(),
                               torch.tensor([1.0, 1, 0, 0, 0, 0]))


def _camera_batch(batch=2, num_cams=2):
    cam2img = _intrinsics(15.5, 7.5,
                          focal=16.0).float().repeat(batch, num_cams, 1, 1)
    cam2ego = torch.eye(4).repeat(batch, num_cams, 1, 1)
    for n in range(num_cams):
        cam2ego[:, n] = _cam2ego().float()
        cam2ego[:, n, :3, :3] = (
            _rot('z', math.pi * n).float() @ cam2ego[:, n, :3, :3])
    return cam2img, cam2ego


def test_lss_view_transformer_volume_bev_and_depth():
    torch.manual_seed(0)
    cfg = dict(type='LSSViewTransformer',
               in_channels=6,
               out_channels=4,
               image_size=(16, 32),
               depth_bounds=(1.0, 5.0, 1.0),
               point_cloud_range=RANGE,
               voxel_size=0.8,
               mid_channels=8)
    volume_vt = MODELS.build(cfg)
    bev_vt = MODELS.build(dict(cfg, collapse_z=True))
    bev_vt.load_state_dict(volume_vt.state_dict())
    volume_vt.eval(), bev_vt.eval()
    feats = torch.randn(2, 2, 6, 4, 8, requires_grad=True)
    cam2img, cam2ego = _camera_batch()

    out = volume_vt(feats, cam2img, cam2ego)
    assert isinstance(out, LSSOutputs)
    assert out.feats.shape == (2, 4, 10, 10, 3)
    assert out.depth.shape == (2, 2, 4, 4, 8)
    torch.testing.assert_close(out.depth.sum(2), torch.ones(2, 2, 4, 8))
    assert out.feats.abs().sum() > 0
    bev = bev_vt(feats.flatten(0, 1), cam2img, cam2ego).feats  # (B*N, ...)
    assert bev.shape == (2, 4, 10, 10)
    torch.testing.assert_close(bev, out.feats.sum(-1))

    out.feats.sum().backward()
    assert feats.grad.abs().sum() > 0
    assert all(p.grad is not None for p in volume_vt.parameters())


def test_lss_lift_is_depth_times_context_at_frustum_points():
    """One camera, one cell: the pooled volume equals depth x context put at
    the lifted points of the cell's bins."""
    vt = LSSViewTransformer(3, 2, (4, 4), (1.0, 4.0, 1.0), RANGE, 0.8)
    feats = torch.randn(1, 1, 3, 1, 1)
    cam2img = _intrinsics(1.5, 1.5, focal=4.0).float()[None, None]
    cam2ego = _cam2ego().float()[None, None]
    out = vt(feats, cam2img, cam2ego)
    logits = vt.depth_net(feats[0])[0, :, 0, 0]
    depth, context = logits[:3].softmax(0), logits[3:]
    points = vt.get_points((1, 1), cam2img, cam2ego).view(1, 3, 3)
    expected = _naive_voxel_pooling(points, (depth[:, None] * context)[None],
                                    RANGE, 0.8)
    torch.testing.assert_close(out.feats, expected)


def test_min_depth_pooling_ignores_empty_pixels():
    gt = torch.tensor([[0.0, 5.0, 0.0, 0.0], [3.0, 7.0, 0.0, 0.0]])
    pooled = min_depth_pooling(gt.view(1, 1, 2, 4), (1, 2))
    torch.testing.assert_close(pooled, torch.tensor([[[[3.0, 0.0]]]]))


@pytest.mark.parametrize('loss_type', ['bce', 'ce'])
def test_depth_loss_zero_for_perfect_one_hot(loss_type):
    loss_fn = LSSDepthLoss((1.0, 5.0, 1.0), loss_type=loss_type)
    gt = torch.zeros(1, 2, 4, 4)
    gt[0, 0, :2, :2] = torch.tensor([[2.2, 0.0], [3.9, 0.0]])  # min 2.2: bin 1
    gt[0, 1, 2:, 2:] = 4.5  # bin 3
    gt[0, 1, :2, 2:] = 9.0  # beyond: ignored
    targets = loss_fn.get_targets(gt, (2, 2))
    torch.testing.assert_close(
        targets, torch.tensor([[[[1, -1], [-1, -1]], [[-1, -1], [-1, 3]]]]))
    probs = torch.full((1, 2, 4, 2, 2), 0.25)
    probs[0, 0, :, 0, 0] = torch.tensor([0.0, 1.0, 0.0, 0.0])
    probs[0, 1, :, 1, 1] = torch.tensor([0.0, 0.0, 0.0, 1.0])
    assert loss_fn(probs, gt) == 0
    # Uniform prediction everywhere: per supervised cell -log(1/4), plus
    # -3 log(3/4) for BCE's three negative bins.
    uniform = torch.full((1, 2, 4, 2, 2), 0.25, requires_grad=True)
    expected = math.log(4) + (3 * -math.log(0.75) if loss_type == 'bce' else 0)
    loss = loss_fn(uniform, gt)
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    loss.backward()
    assert uniform.grad[0, 0, :, 0, 1].abs().sum() == 0  # unsupervised cell


def test_collect_camera_params_pads_intrinsics():
    metas = [
        dict(cam2img=np.eye(3)[None].repeat(2, 0) * 2,
             cam2ego=np.eye(4)[None].repeat(2, 0),
             img_aug_matrix=np.eye(4)[None].repeat(2, 0),
             lidar2ego=np.eye(4),
             token='ignored') for _ in range(3)
    ]
    params = collect_camera_params(metas)
    assert set(params) == {'cam2img', 'cam2ego', 'img_aug_matrix'}
    assert params['cam2img'].shape == (3, 2, 4, 4)
    assert params['cam2img'][0, 0, 3, 3] == 1
    assert params['cam2img'][0, 0, 0, 0] == 2
    lidar = collect_camera_params(metas, ('cam2img', 'cam2ego', 'lidar2ego'))
    assert lidar['lidar2ego'].shape == (3, 4, 4)
    with pytest.raises(KeyError, match='bev_aug_matrix'):
        collect_camera_params(metas, ('bev_aug_matrix', ))
