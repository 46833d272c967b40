"""End to end through the command-line tools on a tiny generated set:
teacher -> distiller (2 iterations) -> checkpoint -> extract student ->
tools/test.py; a 2-process CPU (gloo) tools/dist_train.sh run with --resume."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from tool_helpers import REPO, run_tool
from tool_helpers import tiny_config as shared_tiny_config

EXAMPLE = osp.join(REPO, 'configs', 'example')


def run(*args: str) -> str:
    return run_tool(*args, timeout=600)


def tiny_config(tmp_path, base: str, data_root: str, *extra: str) -> str:
    """An example config trained 1 short epoch on the tiny shapes set."""
    return shared_tiny_config(tmp_path, osp.join(EXAMPLE, base), data_root,
                              'annotations/instances_val.json', *extra)


@pytest.fixture(scope='module')
def trained_teacher(shapes_root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('teacher')
    cfg = tiny_config(tmp, 'retinanet_r18-w128_fpn_24e_synth-shapes.py',
                      shapes_root)
    run(sys.executable, 'tools/train.py', cfg, '--work-dir', str(tmp / 'w'))
    return str(tmp / 'w' / 'epoch_1.pth')


def test_train_checkpoint_extract_test_round_trip(shapes_root,
                                                  trained_teacher, tmp_path):
    # An untrained detector scores about 0.01 (focal-loss prior): keep all.
    kd = tiny_config(
        tmp_path, 'kd_retinanet_r18_retinanet_r18-w128_24e_synth-shapes.py',
        shapes_root, 'model = dict(student=dict(test_cfg=dict(score_thr=0)))')
    student = tiny_config(tmp_path, 'retinanet_r18_fpn_24e_synth-shapes.py',
                          shapes_root,
                          'model = dict(test_cfg=dict(score_thr=0))')
    work = tmp_path / 'kd'
    log = run(sys.executable, 'tools/train.py', kd, '--work-dir', str(work),
              '--cfg-options', f'model.teacher_ckpt={trained_teacher}')
    assert 'distill.loss_fpn' in log and 'distill.loss_logits' in log
    ckpt = work / 'epoch_1.pth'
    state = torch.load(ckpt)['state_dict']
    assert any(k.startswith('teacher.') for k in state)

    student_ckpt = tmp_path / 'student.pth'
    run(sys.executable, 'tools/model_converters/extract_student.py',
        str(ckpt), str(student_ckpt))
    out = run(sys.executable, 'tools/test.py', student, str(student_ckpt),
              '--work-dir', str(tmp_path / 'eval_student'))
    student_map = re.search(r'coco/bbox_mAP: (\S+)', out).group(1)
    # The distiller config evaluates the same student weights.
    out_kd = run(sys.executable, 'tools/test.py', kd, str(ckpt),
                 '--work-dir', str(tmp_path / 'eval_kd'),
                 '--cfg-options', f'model.teacher_ckpt={trained_teacher}')
    assert re.search(r'coco/bbox_mAP: (\S+)', out_kd).group(1) == student_map


def test_teacher_checkpoint_mismatch_message(shapes_root, trained_teacher,
                                             tmp_path):
    kd = tiny_config(tmp_path, 'kd_retinanet_r18_retinanet_r18-w128_24e_'
                     'synth-shapes.py', shapes_root)
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', kd, '--work-dir',
         str(tmp_path / 'w'), '--cfg-options',
         'model.teacher=configs/example/retinanet_r18_fpn_24e_synth-shapes.py',
         f'model.teacher_ckpt={trained_teacher}'],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    assert proc.returncode != 0
    assert 'does not fit teacher config' in proc.stdout
    assert trained_teacher in proc.stdout


def test_two_process_cpu_dist_train_and_resume(shapes_root, trained_teacher,
                                               tmp_path):
    kd = tiny_config(tmp_path, 'kd_retinanet_r18_retinanet_r18-w128_24e_'
                     'synth-shapes.py', shapes_root)
    work = tmp_path / 'dist'
    env_args = ['--work-dir', str(work), '--cfg-options',
                f'model.teacher_ckpt={trained_teacher}']
    log = run('bash', 'tools/dist_train.sh', kd, '2', *env_args)
    assert 'Distributed training: True' in log
    # 16 images, batch 8 per process: 1 iteration per epoch with 2 processes.
    assert torch.load(work / 'epoch_1.pth')['meta']['iter'] == 1
    log = run('bash', 'tools/dist_train.sh', kd, '2', *env_args,
              'train_cfg.max_epochs=2', '--resume')
    assert 'resumed epoch: 1' in log
    assert (work / 'epoch_2.pth').exists()
    meta = torch.load(work / 'epoch_2.pth')['meta']
    assert meta['epoch'] == 2 and meta['iter'] == 2


def test_benchmark_tool_reports_distill_step(shapes_root, trained_teacher,
                                             tmp_path):
    kd = tiny_config(tmp_path, 'kd_retinanet_r18_retinanet_r18-w128_24e_'
                     'synth-shapes.py', shapes_root)
    out = run(sys.executable, 'tools/analysis_tools/benchmark.py', kd,
              '--samples', '2', '--warmup', '1', '--cfg-options',
              f'model.teacher_ckpt={trained_teacher}')
    for line in ('parameters (student):', 'parameters (teacher):', 'FLOPs:',
                 'latency:', 'distill / (student + teacher):'):
        assert line in out, out[-3000:]
    ratio = float(re.search(r'distill / \(student \+ teacher\):\s+(\S+)',
                            out).group(1))
    assert ratio > 0
