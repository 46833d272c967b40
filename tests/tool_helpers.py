"""Running the command-line tools from tests: a subprocess in the repository
root, and a config that trains short epochs on a tiny generated set."""
import os
import os.path as osp
import subprocess
import sys
from typing import Optional

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run_tool(*args: str, timeout: int = 900) -> str:
    """Run a command in the repository root; its output, asserted to pass."""
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1',
               PYTHON=sys.executable)
    proc = subprocess.run(list(args), cwd=REPO, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


def tiny_config(tmp_path, base: str, data_root: str,
                val_ann_file: Optional[str], *extra: str,
                batch_size: Optional[int] = None, epochs: int = 1,
                evaluator_data_root: bool = False) -> str:
    """A config inheriting ``base`` (a path) that trains ``epochs`` short
    epochs on ``data_root``, then validates and saves a checkpoint;
    ``val_ann_file``: the evaluators' annotations under ``data_root``
    (``None``: keep ``base``'s evaluators), also given ``data_root`` with
    ``evaluator_data_root``; ``extra``: more config lines."""
    batch = '' if batch_size is None else f'batch_size={batch_size}, '
    lines = [
        f"_base_ = ['{base}']",
        f"data_root = '{data_root}/'",
        f'loader = dict({batch}num_workers=0, persistent_workers=False, '
        'dataset=dict(data_root=data_root))',
        'train_dataloader = loader',
        'val_dataloader = loader',
        'test_dataloader = loader',
    ]
    if val_ann_file is not None:
        root = 'data_root=data_root, ' if evaluator_data_root else ''
        lines += [
            f"val_evaluator = dict({root}ann_file=data_root + "
            f"'{val_ann_file}')",
            'test_evaluator = val_evaluator',
        ]
    lines += [
        f'train_cfg = dict(max_epochs={epochs}, val_interval={epochs})',
        f'default_hooks = dict(checkpoint=dict(interval={epochs}), '
        'logger=dict(interval=1))',
    ] + list(extra)
    path = tmp_path / f'tiny_{osp.basename(base)}'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)
