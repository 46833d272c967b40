import math

import pytest
import torch

from crossdistill.losses.kl_divergence import KLDivergenceLoss
from crossdistill.losses.rendering_distill import (
    RenderedDepthConsistencyLoss, RenderedSemanticKLLoss,
    SegmentGuidedAffinityLoss, SILogLoss, segments_at_rays)
from crossdistill.registry import MODELS
from crossdistill.rendering import (Rays, VoxelVolumeRenderer,
                                    composite_weights, sample_along_rays)

LN2 = math.log(2)


def _ray_weights(*shape, seed=0):
    gen = torch.Generator().manual_seed(seed)
    sigmas = torch.rand(*shape, generator=gen) * 2
    return composite_weights(sigmas, torch.full(shape, 0.4))


def _check_student_only_gradient(loss_fn, student, teacher, *args):
    student = student.clone().requires_grad_()
    teacher = teacher.clone().requires_grad_()
    loss = loss_fn(student, teacher, *args)
    loss.backward()
    assert teacher.grad is None
    assert student.grad is not None and student.grad.abs().sum() > 0
    return loss


@pytest.mark.parametrize('name', [
    'RenderedDepthConsistencyLoss', 'SegmentGuidedAffinityLoss',
    'RenderedSemanticKLLoss', 'SILogLoss'
])
def test_registered(name):
    assert MODELS.get(name) is not None


# ---------------------------------------------------------------- RDC


@pytest.mark.parametrize('normalize', ['background', 'ray'])
def test_rdc_zero_for_equal_positive_otherwise(normalize):
    loss_fn = RenderedDepthConsistencyLoss(normalize, min_teacher_opacity=0)
    teacher, student = _ray_weights(2, 5, 8), _ray_weights(2, 5, 8, seed=1)
    assert loss_fn(teacher, teacher) == 0
    assert _check_student_only_gradient(loss_fn, student, teacher) > 0


def test_rdc_background_hand_computed():
    # Teacher terminates w.p. (1/2, 1/4), escapes 1/4; student (1/4, 1/4),
    # escapes 1/2: KL = 1/2 ln 2 + 0 + 1/4 ln(1/2) = 1/4 ln 2.
    loss_fn = RenderedDepthConsistencyLoss('background',
                                           eps=0.0,
                                           loss_weight=2.0)
    teacher = torch.tensor([[[0.5, 0.25]]])
    student = torch.tensor([[[0.25, 0.25]]])
    assert loss_fn(student, teacher).item() == pytest.approx(0.5 * LN2)


def test_rdc_ray_normalised_hand_computed_and_masking():
    loss_fn = RenderedDepthConsistencyLoss('ray',
                                           min_teacher_opacity=0.1,
                                           eps=0.0)
    # Ray 0: p = (2/3, 1/3), q = (1/2, 1/2). Ray 1: teacher nearly empty,
    # ignored however different the student is.
    teacher = torch.tensor([[[0.5, 0.25], [0.01, 0.0]]])
    student = torch.tensor([[[0.25, 0.25], [0.0, 0.9]]])
    expected = 2 / 3 * math.log(4 / 3) + 1 / 3 * math.log(2 / 3)
    assert loss_fn(student, teacher).item() == pytest.approx(expected)
    # A per-ray weight that drops ray 0 leaves nothing: zero.
    assert loss_fn(student, teacher, torch.tensor([[0.0, 1.0]])) == 0
    # Ray normalisation ignores the overall opacity.
    assert loss_fn(teacher * 0.5, teacher).item() == pytest.approx(0, abs=1e-7)


def test_rdc_smoothing_keeps_gradient_where_student_is_empty():
    loss_fn = RenderedDepthConsistencyLoss('background')
    teacher = torch.tensor([[[0.0, 0.9, 0.0]]])
    student = torch.zeros(1, 1, 3, requires_grad=True)
    loss_fn(student, teacher).backward()
    assert student.grad[0, 0, 1] < 0  # raising w_1 lowers the loss


def test_rdc_on_rendered_volumes_reaches_student_logits_only():
    renderer = VoxelVolumeRenderer((-2.0, -2.0, -1.0, 2.0, 2.0, 0.6), 0.4)
    gen = torch.Generator().manual_seed(0)
    teacher = torch.randn(1, 18, 10, 10, 4, generator=gen, requires_grad=True)
    student = torch.randn(1, 18, 10, 10, 4, generator=gen, requires_grad=True)
    directions = torch.randn(1, 6, 3, generator=gen)
    rays = Rays(torch.zeros(1, 6, 3),
                directions / directions.norm(dim=-1, keepdim=True),
                torch.zeros(1, 6, dtype=torch.long), torch.zeros(1, 6, 2))
    samples = sample_along_rays(rays,
                                16,
                                0.1,
                                4.0,
                                aabb=renderer.point_cloud_range)
    out_t, out_s = renderer(teacher, samples), renderer(student, samples)
    loss = RenderedDepthConsistencyLoss()(out_s.weights, out_t.weights)
    loss.backward()
    assert loss > 0 and teacher.grad is None and student.grad.abs().sum() > 0


# ---------------------------------------------------------------- SAD


def _sad_inputs(seed=0, rays=40, channels=5):
    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(2, rays, channels, generator=gen)
    student = torch.randn(2, rays, channels, generator=gen)
    segments = torch.randint(0, 7, (2, rays), generator=gen)  # 0: none
    cam_ids = torch.randint(0, 2, (2, rays), generator=gen)
    return student, teacher, segments, cam_ids


def test_sad_hand_computed():
    # Teacher segment embeddings (1, 0), (0, 1); student (3, 4) (mean of two
    # rays) and (0, 1). C^T: diag (1,0) / (0,1), off-diagonal 0. C^S:
    # (.36, .64), (0, 1), off-diagonal (0, .8). Squared error 0.8192 + 2 *
    # 0.64 = 2.0992, divided by C M^2 = 8.
    teacher = torch.tensor([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [9.0, 9.0]]])
    student = torch.tensor([[[2.0, 4.0], [4.0, 4.0], [0.0, 1.0], [1.0, 0.0]]])
    segments = torch.tensor([[1, 1, 2, 0]])  # 0: no segment, ignored
    loss = SegmentGuidedAffinityLoss()(student, teacher, segments)
    assert loss.item() == pytest.approx(2.0992 / 8)


def test_sad_zero_for_equal_positive_otherwise():
    student, teacher, segments, cam_ids = _sad_inputs()
    loss_fn = SegmentGuidedAffinityLoss()
    assert loss_fn(teacher, teacher, segments, cam_ids) == 0
    loss = _check_student_only_gradient(loss_fn, student, teacher, segments,
                                        cam_ids)
    assert loss > 0


def test_sad_invariant_to_segment_relabelling_and_ray_order():
    student, teacher, segments, cam_ids = _sad_inputs()
    loss_fn = SegmentGuidedAffinityLoss()
    ref = loss_fn(student, teacher, segments, cam_ids)
    relabel = torch.tensor([0, 40, 7, 3, 12, 1, 5])  # 0 stays 'no segment'
    perm = torch.randperm(segments.shape[1],
                          generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(
        loss_fn(student[:, perm], teacher[:, perm], relabel[segments][:, perm],
                cam_ids[:, perm]), ref)


def test_sad_is_mean_over_views():
    student, teacher, segments, cam_ids = _sad_inputs()
    loss_fn = SegmentGuidedAffinityLoss()
    per_view = []
    for b in range(2):
        for cam in range(2):
            keep = cam_ids[b] == cam
            per_view.append(
                loss_fn(student[b:b + 1, keep], teacher[b:b + 1, keep],
                        segments[b:b + 1, keep]))
    torch.testing.assert_close(loss_fn(student, teacher, segments, cam_ids),
                               torch.stack(per_view).mean())


def test_sad_no_segment_gives_zero_with_graph():
    student = torch.randn(1, 3, 2, requires_grad=True)
    loss = SegmentGuidedAffinityLoss()(student, student.detach(),
                                       torch.tensor([[0, -1, 0]]))
    assert loss == 0 and loss.requires_grad


def test_segments_at_rays():
    maps = torch.arange(2 * 3 * 4 * 5).view(2, 3, 4, 5)
    cam_ids = torch.tensor([[0, 2], [1, 1]])
    pixels = torch.tensor([[[4.0, 3.0], [0.0, 1.0]], [[2.0, 2.0], [1.0, 0.0]]])
    torch.testing.assert_close(
        segments_at_rays(maps, cam_ids, pixels),
        torch.stack([
            torch.stack([maps[0, 0, 3, 4], maps[0, 2, 1, 0]]),
            torch.stack([maps[1, 1, 2, 2], maps[1, 1, 0, 1]])
        ]))


# ---------------------------------------------------------------- RSC KL


def test_semantic_kl_logits_hand_computed_and_matches_generic_kl():
    # p = softmax(0, ln 3) = (1/4, 3/4), q = (1/2, 1/2).
    teacher = torch.tensor([[[0.0, math.log(3)]]])
    student = torch.zeros(1, 1, 2)
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    loss_fn = RenderedSemanticKLLoss(loss_weight=0.5)
    assert loss_fn(student, teacher).item() == pytest.approx(0.5 * expected)
    gen = torch.Generator().manual_seed(0)
    student, teacher = torch.randn(2, 7, 4,
                                   generator=gen), torch.randn(2,
                                                               7,
                                                               4,
                                                               generator=gen)
    torch.testing.assert_close(
        RenderedSemanticKLLoss(tau=2.0)(student, teacher),
        KLDivergenceLoss(tau=2.0, dim=-1)(student, teacher))


def test_semantic_kl_probs_normalises_by_opacity():
    # Teacher (0.1, 0.3): opacity 0.4, p = (1/4, 3/4); student (0.2, 0.2).
    loss_fn = RenderedSemanticKLLoss('probs', eps=0.0)
    loss = loss_fn(torch.tensor([[[0.2, 0.2]]]), torch.tensor([[[0.1, 0.3]]]))
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert loss.item() == pytest.approx(expected)


@pytest.mark.parametrize('input_type', ['logits', 'probs'])
def test_semantic_kl_zero_for_equal_weighted_student_gradient(input_type):
    gen = torch.Generator().manual_seed(1)
    teacher, student = torch.rand(2, 6, 4,
                                  generator=gen), torch.rand(2,
                                                             6,
                                                             4,
                                                             generator=gen)
    loss_fn = RenderedSemanticKLLoss(input_type)
    assert loss_fn(teacher, teacher) == 0
    assert _check_student_only_gradient(loss_fn, student, teacher) > 0
    # Ray weights: a weighted mean of the per-ray KLs.
    weight = torch.zeros(2, 6)
    weight[0, 2] = 1.0
    torch.testing.assert_close(loss_fn(student, teacher, weight),
                               loss_fn(student[:1, 2:3], teacher[:1, 2:3]))


# ---------------------------------------------------------------- SILog


def test_silog_hand_computed():
    loss_fn = SILogLoss()
    # g = (ln 2, ln 2): ln²2 - 0.5 ln²2.
    assert loss_fn(torch.tensor([[2.0, 2.0]]), torch.ones(1, 2)).item() == \
        pytest.approx(0.5 * LN2**2)
    # g = (ln 2, 0), third ray has no teacher depth: ln²2/2 - 0.5 ln²2/4.
    assert loss_fn(torch.tensor([[2.0, 1.0, 5.0]]),
                   torch.tensor([[1.0, 1.0, 0.0]])).item() == \
        pytest.approx(0.375 * LN2**2)
    # Per-sample, then averaged: a sample without valid rays does not count.
    two = loss_fn(torch.tensor([[2.0, 2.0], [3.0, 3.0]]),
                  torch.tensor([[1.0, 1.0], [0.0, 0.0]]))
    assert two.item() == pytest.approx(0.5 * LN2**2)
    # lambda = 1 is scale invariant.
    assert SILogLoss(lambd=1.0)(torch.tensor([[2.0, 6.0]]),
                                torch.tensor([[1.0, 3.0]])).item() == \
        pytest.approx(0.0, abs=1e-6)


def test_silog_zero_for_equal_student_gradient_and_mask():
    gen = torch.Generator().manual_seed(2)
    teacher = torch.rand(2, 9, generator=gen) * 30 + 1
    student = torch.rand(2, 9, generator=gen) * 30 + 1
    loss_fn = SILogLoss()
    assert loss_fn(teacher, teacher) == 0
    assert _check_student_only_gradient(loss_fn, student, teacher) > 0
    mask = torch.zeros(2, 9, dtype=torch.bool)
    assert loss_fn(student, teacher, mask) == 0
