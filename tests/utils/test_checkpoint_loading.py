"""Runner-style checkpoints load with torch's default weights_only=True."""
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

import crossdistill  # noqa: F401  (registers the allow-list)


def test_runner_style_checkpoint_loads_safely(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(np.float64(0.5))
    ckpt = dict(
        meta=dict(seed=np.int64(3), epoch=2, hist=np.array([1.0, 2.0])),
        state_dict=OrderedDict(w=torch.ones(2)),
        message_hub=dict(log_scalars={'train/loss': buffer}))
    path = tmp_path / 'ckpt.pth'
    torch.save(ckpt, path)
    loaded = torch.load(path)  # weights_only=True on torch >= 2.6
    assert loaded['meta']['seed'] == 3
    np.testing.assert_array_equal(loaded['meta']['hist'], [1.0, 2.0])
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 0.5


class NotAllowed:
    """A class outside the allow-list."""


def test_arbitrary_pickles_stay_blocked(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(dict(x=NotAllowed()), path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
