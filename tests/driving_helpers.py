"""Shared by the driving tests (nuScenes + Occ3D, RadOcc, SimDistill): the
tiny synthetic nuScenes set, building a model and a batch, and the
train -> distill -> extract -> test round trip of a project's tiny
configs (see ``tool_helpers.tiny_config``)."""
import copy
import sys
from typing import Callable, Iterable

import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from torch import nn

from crossdistill.registry import MODELS
from tool_helpers import run_tool

# The tiny set of the ``nusc_root`` fixture (conftest.py): 1 train
# (mini_train) and 1 val (mini_val) sample of 6 x 160x90 images.
TINY = dict(num_scenes=2,
            samples_per_scene=1,
            image_size=(160, 90),
            sweeps=1,
            lidar_azimuths=512,
            seed=7)


def tiny_nuscenes(tmp_path_factory, **settings) -> str:
    """A fresh tiny synthetic nuScenes set (``TINY`` updated with
    ``settings``) and its info files; its root."""
    from crossdistill.datasets.converters.nuscenes import \
        create_nuscenes_occ_infos
    from crossdistill.synth.driving import generate_synth_nuscenes
    root = str(tmp_path_factory.mktemp('synth-nus') / 'data')
    generate_synth_nuscenes(root, progress=False, **dict(TINY, **settings))
    create_nuscenes_occ_infos(root, 'v1.0-mini')
    return root


def build(model_cfg, seed: int = 0) -> nn.Module:
    """The model of ``model_cfg`` (not changed) initialised with ``seed``."""
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('crossdistill'):
        return MODELS.build(copy.deepcopy(model_cfg))


def preprocess(model: nn.Module, samples, training: bool = True) -> dict:
    return model.data_preprocessor(pseudo_collate(copy.deepcopy(samples)),
                                   training)


def train_teacher(tmp_path, config: str, scores: Callable[[str], object]) \
        -> str:
    """Train the 2-iteration ``config`` in ``tmp_path / 'work'``; ``scores``
    checks the validation in its log. The last checkpoint."""
    log = run_tool(sys.executable, 'tools/train.py', config, '--work-dir',
                   str(tmp_path / 'work'))
    scores(log)
    ckpt = tmp_path / 'work' / 'epoch_2.pth'
    assert torch.load(ckpt, map_location='cpu')['meta']['iter'] == 2
    return str(ckpt)


def distill_extract_test(tmp_path, kd: str, student: str, teacher_ckpt: str,
                         losses: Iterable[str], student_key: str,
                         scores: Callable[[str], object]):
    """Distil with the 2-iteration ``kd`` config from ``teacher_ckpt``
    (its log shows ``losses``), extract the student (it has
    ``student_key``) and test it with the ``student`` config: the scores
    (``scores`` reads them from a log) equal those of testing the distiller
    checkpoint with ``kd``. The student's scores."""
    work = tmp_path / 'kd'
    log = run_tool(sys.executable, 'tools/train.py', kd, '--work-dir',
                   str(work), '--cfg-options',
                   f'model.teacher_ckpt={teacher_ckpt}')
    for name in losses:
        assert name in log, name
    ckpt = work / 'epoch_2.pth'
    checkpoint = torch.load(ckpt, map_location='cpu')
    assert checkpoint['meta']['iter'] == 2
    state = checkpoint['state_dict']
    teacher_state = torch.load(teacher_ckpt, map_location='cpu')['state_dict']
    # The frozen teacher is saved unchanged.
    for key, value in teacher_state.items():
        assert torch.equal(state['teacher.' + key], value), key

    student_ckpt = tmp_path / 'student.pth'
    run_tool(sys.executable, 'tools/model_converters/extract_student.py',
             str(ckpt), str(student_ckpt))
    extracted = torch.load(student_ckpt, map_location='cpu')['state_dict']
    assert set(extracted) == {k[len('student.'):] for k in state
                              if k.startswith('student.')}
    assert student_key in extracted
    out = run_tool(sys.executable, 'tools/test.py', student,
                   str(student_ckpt), '--work-dir',
                   str(tmp_path / 'eval_student'))
    student_scores = scores(out)
    out_kd = run_tool(sys.executable, 'tools/test.py', kd, str(ckpt),
                      '--work-dir', str(tmp_path / 'eval_kd'),
                      '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}')
    assert scores(out_kd) == student_scores
    return student_scores
