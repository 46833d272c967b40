import pytest
import torch
from torch import nn

from crossdistill.distillers.recorders import (MethodOutputsRecorder,
                                               ModuleInputsRecorder,
                                               ModuleOutputsRecorder)


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.body(x))


def test_module_outputs_and_inputs():
    net = Net()
    out_rec = ModuleOutputsRecorder('body')
    in_rec = ModuleInputsRecorder('head')
    out_rec.attach(net)
    in_rec.attach(net)
    x = torch.randn(5, 3)
    net(x)
    expected = net.body(x)
    assert torch.equal(out_rec.get(), expected)
    assert torch.equal(in_rec.get(data_idx=0), expected)
    net(x)
    assert len(out_rec.data) == 3  # the explicit body call recorded too
    out_rec.reset()
    assert out_rec.data == []


def test_method_outputs_wraps_instance_only_and_detaches():
    net, other = Net(), Net()
    rec = MethodOutputsRecorder('head.forward')
    rec.attach(net)
    x = torch.randn(2, 4)
    y = net.head.forward(x)  # direct method call, bypassing hooks
    assert torch.equal(rec.get(), y)
    other.head.forward(x)
    assert len(rec.data) == 1
    rec.detach()
    net.head.forward(x)
    assert len(rec.data) == 1
    assert 'forward' not in net.head.__dict__


def test_errors_are_actionable():
    net = Net()
    with pytest.raises(KeyError, match='No module "neck"'):
        ModuleOutputsRecorder('neck').attach(net)
    with pytest.raises(KeyError, match='no method'):
        MethodOutputsRecorder('head.nope').attach(net)
    rec = ModuleOutputsRecorder('body')
    rec.attach(net)
    with pytest.raises(RuntimeError, match='recorded nothing'):
        rec.get()
