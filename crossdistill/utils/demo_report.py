"""Reading what the demos' tool runs wrote, for their results tables.

``tools/test.py --work-dir DIR`` leaves its metrics in
``DIR/<timestamp>/<timestamp>.json`` (and with ``--out DIR/preds.pkl`` its
predictions); ``tools/analysis_tools/benchmark.py``
prints parameters, FLOPs and latency, which the demos redirect to a text
file.
"""
import glob
import json
import os.path as osp
import pickle
import re
import statistics
from typing import Dict, List, Optional

FLOP_UNITS = {'': 1e-9, 'K': 1e-6, 'M': 1e-3, 'G': 1.0, 'T': 1e3}


def latest_metrics(eval_dir: str) -> Optional[dict]:
    """Metrics of the latest ``tools/test.py`` run in ``eval_dir``, or
    ``None`` if it holds none."""
    files = sorted(glob.glob(osp.join(eval_dir, '*', '*.json')))
    if not files:
        return None
    with open(files[-1]) as f:
        return json.load(f)


def seed_metrics(work_dir: str, row: str) -> Dict[str, dict]:
    """``{eval dir name: metrics}`` over ``WORK_DIR/eval_<row>_s<seed>``."""
    found = {}
    for eval_dir in sorted(glob.glob(osp.join(work_dir, f'eval_{row}_s*'))):
        metrics = latest_metrics(eval_dir)
        if metrics is not None:
            found[osp.basename(eval_dir)] = metrics
    return found


def first_prediction(work_dir: str, row: str) -> Optional[dict]:
    """The first sample of ``WORK_DIR/eval_<row>_s<seed>/preds.pkl`` (the
    first seed found), or ``None`` if no such dump exists."""
    files = sorted(
        glob.glob(osp.join(work_dir, f'eval_{row}_s*', 'preds.pkl')))
    if not files:
        return None
    with open(files[0], 'rb') as f:
        return pickle.load(f)[0]


def parse_benchmark(path: str) -> Dict[str, Optional[float]]:
    """GFLOPs, latency (ms/sample) and parameters (M) printed by
    ``benchmark.py`` into ``path``; ``None`` where absent."""
    text = open(path).read() if osp.isfile(path) else ''
    flops = re.search(r'FLOPs: ([\d.]+)([KMGT]?)', text)
    latency = re.search(r'latency: ([\d.]+) ms', text)
    params = re.search(r'parameters \((?:model|student)\): ([\d.]+) M', text)
    return dict(
        gflops=float(flops.group(1)) * FLOP_UNITS[flops.group(2)]
        if flops else None,
        latency=float(latency.group(1)) if latency else None,
        params=float(params.group(1)) if params else None)


def gap_closed(value: float, baseline: float,
               teacher: float) -> Optional[float]:
    """Share of the teacher-baseline gap that ``value`` closes (1: the
    teacher's score), ``None`` where teacher and baseline tie."""
    if teacher == baseline:
        return None
    return (value - baseline) / (teacher - baseline)


def mean_std(values: List[float], digits: int = 3) -> str:
    """``'m'`` for one value, ``'m ± s'`` (sample std) for several."""
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return (f'{statistics.mean(values):.{digits}f} ± '
            f'{statistics.stdev(values):.{digits}f}')
