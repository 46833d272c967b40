"""Each generic loss against hand-computed values; zero when the teacher
equals the student."""
import math

import pytest
import torch

from crossdistill.losses import (CosineAffinityLoss, InfoNCELoss,
                                 KLDivergenceLoss, MaskedFeatureMSELoss)
from crossdistill.registry import MODELS


def test_masked_mse_hand_values():
    s = torch.zeros(1, 2, 1, 2)
    t = torch.tensor([[[[1., 2.]], [[3., 4.]]]])
    loss = MaskedFeatureMSELoss()
    assert loss(s, t).item() == pytest.approx(7.5)  # (1+4+9+16)/4
    mask = torch.tensor([[[1., 0.]]])  # (N, H, W): first position only
    assert loss(s, t, mask).item() == pytest.approx(5.0)  # (1+9)/2
    assert loss(s, t, torch.zeros(1, 1, 1, 2)).item() == 0.0
    weighted = MaskedFeatureMSELoss(loss_weight=0.5)
    assert weighted([s, s], [t, t]).item() == pytest.approx(7.5)


def test_masked_mse_shape_mismatch_names_connector():
    with pytest.raises(ValueError, match='connector'):
        MaskedFeatureMSELoss()(torch.zeros(1, 2, 3, 3),
                               torch.zeros(1, 4, 3, 3))


def test_kl_softmax_hand_values():
    s = torch.zeros(1, 2)
    t = torch.tensor([[0., math.log(3.)]])
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert KLDivergenceLoss(tau=1.)(s, t).item() == pytest.approx(
        expected, rel=1e-5)
    p = 1 / (1 + math.sqrt(3))  # softmax([0, ln3 / 2])
    expected_t2 = 4 * (p * math.log(2 * p) + (1 - p) * math.log(2 * (1 - p)))
    assert KLDivergenceLoss(tau=2.)(s, t).item() == pytest.approx(
        expected_t2, rel=1e-5)


def test_kl_sigmoid_hand_values_and_weight():
    s = torch.zeros(2, 1)
    t = torch.tensor([[math.log(3.)], [0.]])  # p_T = 0.75, 0.5; p_S = 0.5
    kl_first = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    loss = KLDivergenceLoss(use_sigmoid=True)
    assert loss(s, t).item() == pytest.approx(kl_first / 2, rel=1e-5)
    weight = torch.tensor([1., 0.])
    assert loss(s, t, weight).item() == pytest.approx(kl_first, rel=1e-5)


def test_cosine_affinity_hand_values_and_invariances():
    s = torch.tensor([[[1., 0.], [0., 1.]]])  # (1, C=2, P=2): a=(1,0) b=(0,1)
    t = torch.tensor([[[1., 1.], [0., 0.]]])  # a=(1,0) b=(1,0)
    loss = CosineAffinityLoss()
    assert loss(s, t).item() == pytest.approx(0.5)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 8, 4, 4, generator=g)
    y = torch.randn(2, 3, 4, 4, generator=g)  # channels may differ
    base = loss(x, y)
    assert loss(3.0 * x, 0.5 * y).item() == pytest.approx(base.item(),
                                                          rel=1e-5)
    perm = torch.randperm(16, generator=g)
    px = x.flatten(2)[..., perm]
    py = y.flatten(2)[..., perm]
    assert loss(px, py).item() == pytest.approx(base.item(), rel=1e-5)


def test_info_nce_hand_value():
    q = torch.eye(2)
    loss = InfoNCELoss(temperature=1.0)
    expected = math.log(1 + math.exp(-1))  # -log(e / (e + 1))
    assert loss(q, q).item() == pytest.approx(expected, rel=1e-6)
    # Aligned pairs give a lower loss than swapped ones.
    assert loss(q, q) < loss(q, q.flip(0))
    with pytest.raises(ValueError, match='paired'):
        loss(q, torch.eye(3))


@pytest.mark.parametrize('cfg', [
    dict(type='MaskedFeatureMSELoss'),
    dict(type='KLDivergenceLoss', tau=4.0),
    dict(type='KLDivergenceLoss', use_sigmoid=True),
    dict(type='CosineAffinityLoss'),
])
def test_zero_when_teacher_equals_student_positive_otherwise(cfg):
    loss = MODELS.build(cfg)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 3, 3, generator=g)
    assert loss(x, x.clone()).abs().item() < 1e-6
    assert loss(x, torch.randn(2, 5, 3, 3, generator=g)).item() > 1e-3


def test_gradient_reaches_student_only():
    s = torch.randn(2, 4, 3, 3, requires_grad=True)
    t = torch.randn(2, 4, 3, 3, requires_grad=True)
    KLDivergenceLoss()(s, t.detach()).backward()
    assert s.grad is not None and s.grad.abs().sum() > 0
    assert t.grad is None
