import math

import pytest
import torch

from crossdistill.registry import MODELS
from crossdistill.rendering import (Rays, VoxelVolumeRenderer,
                                    composite_weights, pixel_to_ray_transform,
                                    sample_along_rays, sample_rays)
from crossdistill.rendering.reference import (reference_pixel_ray,
                                              reference_render)

OCC3D_RANGE = (-40.0, -40.0, -1.0, 40.0, 40.0, 5.4)
SMALL_RANGE = (-2.0, -2.0, -1.0, 2.0, 2.0, 0.6)  # 10 x 10 x 4 voxels of 0.4 m
FREE = 17


def _rays(origins, directions):
    origins = torch.as_tensor(origins, dtype=torch.float32).view(1, -1, 3)
    directions = torch.as_tensor(
        directions, dtype=torch.float32).view(1, -1, 3)
    directions = directions / directions.norm(dim=-1, keepdim=True)
    num = origins.shape[1]
    return Rays(origins, directions, torch.zeros(1, num, dtype=torch.long),
                torch.zeros(1, num, 2))


def _empty_logits(grid=(200, 200, 16), channels=18, free=FREE):
    logits = torch.zeros(1, channels, *grid)
    logits[:, free] = 100.0  # p_free == 1 in float32, so sigma == 0 exactly
    return logits


def _front_camera():
    """nuScenes-like front camera: optical axis (cam z) along ego +x."""
    intrinsics = torch.tensor([[1266.4, 0.0, 816.3], [0.0, 1266.4, 491.5],
                               [0.0, 0.0, 1.0]])
    cam2ego = torch.eye(4)
    cam2ego[:3, :3] = torch.tensor([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0],
                                    [0.0, -1.0, 0.0]])
    cam2ego[:3, 3] = torch.tensor([1.7, 0.0, 1.5])
    return intrinsics, cam2ego


def _resize_crop_flip(scale=0.5, crop=(100.0, 50.0), width=704):
    """Augmentation: resize, then crop at ``crop``, then horizontal flip."""
    resize = torch.diag(torch.tensor([scale, scale, 1.0]))
    shift = torch.tensor([[1.0, 0.0, -crop[0]], [0.0, 1.0, -crop[1]],
                          [0.0, 0.0, 1.0]])
    flip = torch.tensor([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0],
                         [0.0, 0.0, 1.0]])
    return flip @ shift @ resize


@pytest.mark.parametrize('interpolation', ['trilinear', 'nearest'])
def test_single_occupied_voxel_renders_its_depth(interpolation):
    renderer = VoxelVolumeRenderer(
        OCC3D_RANGE, 0.4, interpolation=interpolation)
    logits = _empty_logits()
    # Voxel (125, 100, 5): centre (10.2, 0.2, 1.2); class 3 is "bus".
    logits[0, FREE, 125, 100, 5] = -10.0
    logits[0, 3, 125, 100, 5] = 10.0
    rays = _rays([[0.2, 0.2, 1.2]], [[1.0, 0.0, 0.0]])
    samples = sample_along_rays(rays, 256, near=0.0, far=20.0)
    out = renderer(logits, samples)
    assert out.opacity.item() == pytest.approx(1.0, abs=1e-4)
    # The ray enters the voxel at 9.8 m and its centre is at 10.0 m.
    assert abs(out.depth.item() / out.opacity.item() - 10.0) < 0.4
    peak = samples.depths[0, 0, out.weights[0, 0].argmax()]
    assert abs(peak.item() - 10.0) < 0.4
    assert out.semantics[0, 0].argmax().item() == 3


def test_partial_occupancy_opacity_equals_probability():
    """sigma = -log(p_free) / l: crossing one voxel gives opacity p_occ."""
    renderer = VoxelVolumeRenderer(OCC3D_RANGE, 0.4, interpolation='nearest')
    logits = _empty_logits()
    logits[0, FREE, 125, 100, 5] = 0.0  # p_free = 1 / (17 + 1)
    rays = _rays([[0.2, 0.2, 1.2]], [[1.0, 0.0, 0.0]])
    samples = sample_along_rays(rays, 200, near=0.0, far=20.0)  # 0.1 m steps
    out = renderer(logits, samples)
    assert out.opacity.item() == pytest.approx(17 / 18, abs=1e-4)


def test_weights_are_bounded():
    gen = torch.Generator().manual_seed(0)
    renderer = VoxelVolumeRenderer(SMALL_RANGE, 0.4, free_index=4)
    logits = 3 * torch.randn(2, 5, 10, 10, 4, generator=gen)
    origins = torch.rand(2, 64, 3, generator=gen) * 2 - 1
    directions = torch.randn(2, 64, 3, generator=gen)
    rays = Rays(origins, directions / directions.norm(dim=-1, keepdim=True),
                torch.zeros(2, 64, dtype=torch.long), torch.zeros(2, 64, 2))
    out = renderer(logits, sample_along_rays(rays, 32, 0.0, 6.0))
    assert (out.weights >= 0).all()
    assert (out.opacity <= 1 + 1e-6).all()
    assert out.opacity.max() > 0.5


@pytest.mark.parametrize('semantic_type', ['logits', 'probs'])
def test_nearest_lookup_matches_the_whole_volume_fields(semantic_type):
    """Gathering the containing voxels' logits first (the nearest path of
    ``forward``) gives the values and gradients of sampling the fields of
    the whole volume with grid_sample, outside points included."""
    gen = torch.Generator().manual_seed(0)
    renderer = VoxelVolumeRenderer(SMALL_RANGE, 0.4, free_index=4,
                                   interpolation='nearest',
                                   semantic_type=semantic_type)
    logits = torch.randn(2, 5, 10, 10, 4, generator=gen,
                         dtype=torch.float64).requires_grad_()
    lo = torch.tensor(SMALL_RANGE[:3], dtype=torch.float64)
    hi = torch.tensor(SMALL_RANGE[3:], dtype=torch.float64)
    points = lo - 0.5 + (hi - lo + 1.0) * torch.rand(
        2, 16, 8, 3, generator=gen, dtype=torch.float64)
    whole = renderer.lookup(renderer.voxel_fields(logits), points)
    gathered = renderer.nearest_lookup(logits, points)
    assert (whole[0] == 0).any() and (whole[0] > 0).any()
    for a, b in zip(whole, gathered):
        torch.testing.assert_close(a, b)
    grads = [
        torch.autograd.grad(s.sum() + (m * torch.arange(4.0)).sum(), logits)[0]
        for s, m in (whole, gathered)
    ]
    torch.testing.assert_close(*grads)


def test_composite_weights_saturates_without_nan():
    sigmas = torch.tensor([[0.0, 1e4, 1e4, 0.0]])
    weights = composite_weights(sigmas, torch.full_like(sigmas, 0.5))
    assert torch.allclose(weights, torch.tensor([[0.0, 1.0, 0.0, 0.0]]))


def test_empty_volume_renders_nothing():
    renderer = VoxelVolumeRenderer(OCC3D_RANGE, 0.4)
    rays = _rays([[0.0, 0.0, 1.0], [5.0, -3.0, 0.0]],
                 [[1.0, 0.2, -0.1], [-0.3, 1.0, 0.4]])
    out = renderer(_empty_logits(), sample_along_rays(rays, 64, 0.5, 60.0))
    assert torch.count_nonzero(out.weights) == 0
    assert torch.count_nonzero(out.opacity) == 0
    assert torch.count_nonzero(out.depth) == 0
    assert torch.count_nonzero(out.semantics) == 0


def test_points_outside_range_have_zero_density():
    renderer = VoxelVolumeRenderer(SMALL_RANGE, 0.4, free_index=4)
    solid = torch.zeros(1, 5, 10, 10, 4)
    solid[:, 4] = -20.0  # every voxel occupied
    # Starts 1 m beyond x_max and points away from the volume.
    rays = _rays([[3.0, 0.0, 0.0]], [[1.0, 0.0, 0.0]])
    out = renderer(solid, sample_along_rays(rays, 32, 0.0, 10.0))
    assert torch.count_nonzero(out.weights) == 0


def test_aabb_clipping_keeps_samples_inside():
    rays = _rays([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]],
                 [[1.0, 1.0, 0.2], [1.0, 0.0, 0.0]])
    samples = sample_along_rays(rays, 16, 0.0, 100.0, aabb=SMALL_RANGE)
    lo = torch.tensor(SMALL_RANGE[:3]) - 1e-5
    hi = torch.tensor(SMALL_RANGE[3:]) + 1e-5
    inside = ((samples.points >= lo) & (samples.points <= hi)).all(-1)
    assert inside[0, 0].all()
    assert torch.count_nonzero(samples.deltas[0, 1]) == 0  # misses the box


def test_principal_point_maps_to_optical_axis():
    intrinsics, cam2ego = _front_camera()
    pix2dir, centre = pixel_to_ray_transform(intrinsics, cam2ego)
    direction = pix2dir @ torch.tensor([816.3, 491.5, 1.0])
    direction = direction / direction.norm()
    assert torch.allclose(direction, torch.tensor([1.0, 0.0, 0.0]), atol=1e-6)
    assert torch.allclose(centre, torch.tensor([1.7, 0.0, 1.5]))


def test_known_augmentation_maps_back_to_original_pixel():
    intrinsics, cam2ego = _front_camera()
    aug = _resize_crop_flip()
    # Original (1000, 500) -> resize (500, 250) -> crop (400, 200)
    # -> flip in a 704 wide image (703 - 400, 200) = (303, 200).
    aug_pixel = torch.tensor([303.0, 200.0, 1.0])
    expected = cam2ego[:3, :3] @ torch.linalg.solve(
        intrinsics, torch.tensor([1000.0, 500.0, 1.0]))
    expected = expected / expected.norm()
    post_rots = torch.eye(3)
    post_rots[:2, :2] = aug[:2, :2]
    post_trans = torch.tensor([aug[0, 2], aug[1, 2], 0.0])
    aug4 = torch.eye(4)
    aug4[:2, :2] = aug[:2, :2]
    aug4[:2, 3] = aug[:2, 2]
    forms = [aug, aug4, (post_rots, post_trans)]
    for img_aug in forms:
        pix2dir, _ = pixel_to_ray_transform(
            intrinsics, (cam2ego[:3, :3], cam2ego[:3, 3]), img_aug)
        direction = pix2dir @ aug_pixel
        assert torch.allclose(direction / direction.norm(), expected,
                              atol=1e-6)
    _, ref_dir = reference_pixel_ray(303.0, 200.0, intrinsics, cam2ego, aug)
    assert torch.allclose(ref_dir, expected, atol=1e-6)


def _six_cameras(batch=2):
    intrinsics, front = _front_camera()
    cams = []
    for k in range(6):
        yaw = torch.tensor(k * math.pi / 3)
        rot_z = torch.tensor([[torch.cos(yaw), -torch.sin(yaw), 0.0],
                              [torch.sin(yaw), torch.cos(yaw), 0.0],
                              [0.0, 0.0, 1.0]])
        cam2ego = front.clone()
        cam2ego[:3, :3] = rot_z @ front[:3, :3]
        cam2ego[:3, 3] = rot_z @ front[:3, 3]
        cams.append(cam2ego)
    cam2ego = torch.stack(cams).expand(batch, 6, 4, 4)
    aug = _resize_crop_flip().expand(batch, 6, 3, 3)
    return intrinsics.expand(batch, 6, 3, 3), cam2ego, aug


def test_sample_rays_matches_per_pixel_reference():
    intrinsics, cam2ego, aug = _six_cameras()
    gen = torch.Generator().manual_seed(3)
    rays = sample_rays(intrinsics, cam2ego, (384, 704), aug, num_rays=50,
                       generator=gen)
    assert rays.directions.shape == (2, 50, 3)
    for b in range(2):
        for r in range(0, 50, 7):
            cam = rays.cam_ids[b, r]
            u, v = rays.pixels[b, r].tolist()
            origin, direction = reference_pixel_ray(u, v, intrinsics[b, cam],
                                                    cam2ego[b, cam],
                                                    aug[b, cam])
            assert torch.allclose(rays.origins[b, r], origin)
            assert torch.allclose(rays.directions[b, r], direction, atol=1e-6)


def test_stride_mode_is_dense_and_ordered():
    intrinsics, cam2ego, aug = _six_cameras(batch=1)
    rays = sample_rays(intrinsics, cam2ego, (384, 704), aug, stride=16)
    assert rays.cam_ids.shape == (1, 6 * 24 * 44)
    pixels = rays.pixels.view(1, 6, 24, 44, 2)
    assert torch.equal(pixels[0, 2, 3, 5], torch.tensor([80.0, 48.0]))
    assert (rays.cam_ids.view(1, 6, -1)[0, 4] == 4).all()


def test_valid_mask_restricts_rays():
    intrinsics, cam2ego, aug = _six_cameras(batch=2)
    mask = torch.zeros(2, 6, 32, 64, dtype=torch.bool)
    mask[0, 1, 5:9, 10:20] = True  # 40 pixels
    mask[1, 5, 0, :] = True  # 64 pixels
    gen = torch.Generator().manual_seed(0)
    rays = sample_rays(intrinsics, cam2ego, (32, 64), aug, num_rays=40,
                       valid_mask=mask, generator=gen)
    u, v = rays.pixels.long().unbind(-1)
    batch_ids = torch.arange(2)[:, None]
    assert mask[batch_ids, rays.cam_ids, v, u].all()
    assert len(set(zip(u[0].tolist(), v[0].tolist()))) == 40  # no repeats
    with pytest.raises(ValueError, match='replacement=True'):
        sample_rays(intrinsics, cam2ego, (32, 64), aug, num_rays=41,
                    valid_mask=mask, generator=gen)
    rays = sample_rays(intrinsics, cam2ego, (32, 64), aug, num_rays=100,
                       valid_mask=mask, replacement=True, generator=gen)
    u, v = rays.pixels.long().unbind(-1)
    assert mask[batch_ids, rays.cam_ids, v, u].all()


def test_seeded_generator_is_deterministic():
    intrinsics, cam2ego, aug = _six_cameras()

    def draw(seed):
        gen = torch.Generator().manual_seed(seed)
        rays = sample_rays(intrinsics, cam2ego, (384, 704), aug,
                           num_rays=256, generator=gen)
        return sample_along_rays(rays, 32, 0.5, 60.0, jitter=True,
                                 generator=gen)

    first, again, other = draw(7), draw(7), draw(8)
    assert torch.equal(first.points, again.points)
    assert torch.equal(first.deltas, again.deltas)
    assert not torch.equal(first.points, other.points)
    fixed = sample_along_rays(
        _rays([[0.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]]), 8, 1.0, 9.0)
    assert torch.allclose(fixed.depths[0, 0], torch.arange(8) + 1.5)
    assert torch.allclose(fixed.deltas, torch.ones_like(fixed.deltas))


@pytest.mark.parametrize('interpolation,semantic_type',
                         [('trilinear', 'logits'), ('trilinear', 'probs'),
                          ('nearest', 'logits')])
def test_vectorised_matches_reference(interpolation, semantic_type):
    gen = torch.Generator().manual_seed(1)
    logits = 3 * torch.randn(2, 5, 10, 10, 4, generator=gen)
    origins = torch.rand(2, 12, 3, generator=gen) * 3 - 1.5
    directions = torch.randn(2, 12, 3, generator=gen)
    rays = Rays(origins, directions / directions.norm(dim=-1, keepdim=True),
                torch.zeros(2, 12, dtype=torch.long), torch.zeros(2, 12, 2))
    samples = sample_along_rays(rays, 24, 0.1, 5.0, jitter=True,
                                generator=gen)
    renderer = VoxelVolumeRenderer(SMALL_RANGE, 0.4, free_index=4,
                                   interpolation=interpolation,
                                   semantic_type=semantic_type)
    out = renderer(logits, samples)
    ref = reference_render(logits, samples, SMALL_RANGE, 0.4, free_index=4,
                           interpolation=interpolation,
                           semantic_type=semantic_type)
    for name in out._fields:
        assert torch.allclose(getattr(out, name), getattr(ref, name),
                              atol=1e-5, rtol=1e-4), name


def test_gradients_flow_to_volume():
    gen = torch.Generator().manual_seed(2)
    logits = torch.randn(1, 5, 10, 10, 4, generator=gen, requires_grad=True)
    rays = _rays([[0.0, 0.0, -0.2], [1.0, -1.0, 0.0]],
                 [[1.0, 0.3, 0.1], [-1.0, 1.0, 0.0]])
    out = VoxelVolumeRenderer(SMALL_RANGE, 0.4, free_index=4)(
        logits, sample_along_rays(rays, 32, 0.0, 4.0))
    loss = out.depth.sum() + out.semantics.sum() + out.weights.pow(2).sum()
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    assert logits.grad.abs().sum() > 0
    assert logits.grad[:, 4].abs().sum() > 0  # through the density


def test_registered_and_checks_grid():
    renderer = MODELS.build(dict(type='VoxelVolumeRenderer'))
    assert renderer.grid_shape == (200, 200, 16)
    rays = _rays([[0.0, 0.0, 0.0]], [[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match='grid'):
        renderer(torch.zeros(1, 18, 100, 100, 8),
                 sample_along_rays(rays, 4, 0.0, 1.0))
