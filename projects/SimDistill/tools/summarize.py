"""Results table, benchmarks and BEV boxes of the SimDistill demo.

    python projects/SimDistill/tools/summarize.py WORK_DIR [--score-thr 0.3]

Reads, for every row that was run, the nuScenes mAP / NDS that
``tools/test.py --work-dir WORK_DIR/eval_<row>_s<seed>`` wrote (mean ± std
over the seeds found), the parameters, FLOPs and latency that
``tools/analysis_tools/benchmark.py`` printed into
``WORK_DIR/bench_<row>.txt``, and the predictions dumped with ``--out
WORK_DIR/eval_<row>_s<seed>/preds.pkl``. Writes ``WORK_DIR/table.md`` (the
table, then each distilled student against its teacher and against
BEVFusion-C) and ``WORK_DIR/bev_boxes.png``: the first validation sample
seen from above, LiDAR points grey, the ground truth, and each row's
first-seed boxes scoring at least ``--score-thr``.
"""
import argparse
import math
import os.path as osp
import statistics
from typing import Dict, List, Optional, Tuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from mmdet3d.structures import LiDARInstance3DBoxes

from crossdistill.utils.demo_report import (first_prediction, gap_closed,
                                            mean_std, parse_benchmark,
                                            seed_metrics)

# Row names as projects/SimDistill/tools/demo.sh writes them.
ROWS = (('teacher', 'Teacher: BEVFusion (LiDAR + camera)'),
        ('teacher-l', 'Teacher: BEVFusion-L (LiDAR)'),
        ('baseline', 'BEVFusion-C (camera baseline)'),
        ('nokd', 'SimDistill student, no KD'),
        ('gcm-nokd', 'SimDistill student + GCM, no KD'),
        ('t2a', 'T2 a: BEVFusion → BEVFusion-C, MMD-F'),
        ('t2c', 'T2 c: BEVFusion-L → BEVFusion-C, CMD-v'),
        ('t2d', 'T2 d: BEVFusion-L → SimDistill, CMD-v'),
        ('t3b', 'T3 b: SimDistill, IMD'), ('t3c', 'T3 c: SimDistill, CMD-v'),
        ('t3d', 'T3 d: SimDistill + GCM, CMD'),
        ('t3e', 'T3 e: SimDistill, MMD-F'), ('t3f', 'T3 f: SimDistill, MMD-P'),
        ('t3g', 'T3 g: SimDistill + GCM, all four terms'))
TEACHERS = ('teacher', 'teacher-l')
DISTILLED = ('t2a', 't2c', 't2d', 't3b', 't3c', 't3d', 't3e', 't3f', 't3g')
LIDAR_TEACHER_ROWS = ('t2c', 't2d')  # distilled from BEVFusion-L
CAMERA_STUDENT_ROWS = ('t2a', 't2c')  # BEVFusion-C students
METRIC_PREFIX = 'NuScenes metric/pred_instances_3d_NuScenes/'
METRICS = ('mAP', 'NDS')
BEV_RANGE = 51.2  # the synthetic models' BEV grid: [-51.2, 51.2] m
CAPTION = (
    'Synthetic nuScenes val (20 samples), nuScenes mAP / NDS (mmdet3d '
    'NuScenesMetric); mean ± std over seeds (the teachers are trained once, '
    'seed 0). Gap closed: share of the teacher – BEVFusion-C gap closed, '
    '(row − BEVFusion-C) / (teacher − BEVFusion-C) on the means, for mAP / '
    'NDS; the teacher is BEVFusion-L for T2 c, d and BEVFusion otherwise. '
    'Params, GFLOPs (one sample, as mmengine\'s tracer counts them: batch '
    'norm, pooling, element-wise ops and grid_sample are not counted) and '
    'latency (predict on CPU, 1 thread, batch 1, median) of the deployed '
    'model, first seed.')


def teacher_of(row: str) -> str:
    return 'teacher-l' if row in LIDAR_TEACHER_ROWS else 'teacher'


def scores(work_dir: str, row: str) -> Dict[str, List[float]]:
    """``{metric: one value per seed}`` of ``row`` (empty lists if not
    run)."""
    runs = seed_metrics(work_dir, row).values()
    return {key: [m[METRIC_PREFIX + key] for m in runs] for key in METRICS}


def number(value: Optional[float], digits: int) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def table(work_dir: str) -> str:
    results = {row: scores(work_dir, row) for row, _ in ROWS}
    results = {row: res for row, res in results.items() if res['mAP']}
    missing = [row for row in ('teacher', 'baseline') if row not in results]
    if missing:
        raise FileNotFoundError(
            f'No nuScenes metrics for {missing} under '
            f'{work_dir}/eval_<row>_s*: run the demo (or tools/test.py '
            '--work-dir there) first.')
    means = {row: {key: statistics.mean(values)
                   for key, values in res.items()}
             for row, res in results.items()}
    lines = [
        '| model | seeds | mAP | NDS | gap closed (mAP / NDS) | params (M) '
        '| GFLOPs | latency (ms/sample) |', '|---|---|---|---|---|---|---|---|'
    ]
    for row, title in ROWS:
        if row not in results:
            continue
        gap = '-'
        teacher = teacher_of(row)
        if row not in TEACHERS + ('baseline', ) and teacher in means:
            shares = [
                gap_closed(means[row][key], means['baseline'][key],
                           means[teacher][key]) for key in METRICS
            ]
            gap = ' / '.join('-' if s is None else f'{s:.0%}'
                             for s in shares)
        bench = parse_benchmark(osp.join(work_dir, f'bench_{row}.txt'))
        cells = [str(len(results[row]['mAP']))]
        cells += [mean_std(results[row][key], 4) for key in METRICS]
        cells += [gap, number(bench['params'], 2),
                  number(bench['gflops'], 2), number(bench['latency'], 1)]
        lines.append(f'| {title} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def versus(bench: dict, other: dict) -> str:
    """``bench`` against ``other``: latency, GFLOPs, parameters, where both
    have them."""
    parts = []
    for key, unit, digits in (('latency', 'ms/sample', 1),
                              ('gflops', 'GFLOPs', 2),
                              ('params', 'M params', 2)):
        a, b = bench[key], other[key]
        if a and b:
            parts.append(f'{a:.{digits}f} vs {b:.{digits}f} {unit} '
                         f'({a - b:+.{digits}f}, {a / b:.2f}×)')
    return ', '.join(parts)


def benchmarks(work_dir: str) -> List[str]:
    """Each distilled student (first seed) against its teacher and, for a
    SimDistill student, against BEVFusion-C: the cost of its
    simulated-LiDAR branch."""
    bench = {
        row: parse_benchmark(osp.join(work_dir, f'bench_{row}.txt'))
        for row, _ in ROWS
    }
    titles = dict(ROWS)
    lines = []
    for row in DISTILLED:
        others = [(teacher_of(row), titles[teacher_of(row)])]
        if row not in CAMERA_STUDENT_ROWS:
            others.append(('baseline', f'{titles["baseline"]}, i.e. the cost '
                           'of the simulated-LiDAR branch'))
        found = []
        for other, name in others:
            text = versus(bench[row], bench[other])
            if text:
                found.append(f'  - vs {name}: {text}')
        if found:
            lines += [f'- {titles[row]}'] + found
    return lines


def bev_outlines(
        boxes: LiDARInstance3DBoxes) -> Tuple[np.ndarray, np.ndarray]:
    """(N, 4, 2) BEV corners of ``boxes`` and (N, 2, 2) centre-to-front
    segments (the heading)."""
    corners = boxes.corners[:, [0, 3, 7, 4], :2].numpy()
    front = corners[:, 2:].mean(axis=1)  # corners 7, 4: the front edge
    return corners, np.stack([corners.mean(axis=1), front], axis=1)


def draw_boxes(ax: Axes, boxes: LiDARInstance3DBoxes, color: str,
               width: float) -> None:
    quads, headings = bev_outlines(boxes)
    ax.add_collection(PolyCollection(quads, facecolors='none',
                                     edgecolors=color, linewidths=width))
    ax.add_collection(LineCollection(headings, colors=color,
                                     linewidths=width))


def bev_figure(work_dir: str, out: str, score_thr: float) -> bool:
    """Draw the BEV boxes into ``out``; ``False`` if no row dumped
    predictions."""
    panels = [(title, first_prediction(work_dir, row)) for row, title in ROWS]
    panels = [(title, pred) for title, pred in panels if pred is not None]
    if not panels:
        return False
    sample = panels[0][1]
    points = np.fromfile(sample['lidar_path'], dtype=np.float32).reshape(
        -1, sample['num_pts_feats'])
    gt = sample['eval_ann_info']['gt_bboxes_3d']
    panels = [('Ground truth', None)] + panels
    ncols = min(len(panels), 5)
    nrows = math.ceil(len(panels) / ncols)
    fig = Figure(figsize=(4 * ncols, 4.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.axis('off')
    for ax, (title, pred) in zip(axes.flat, panels):
        ax.scatter(points[:, 0], points[:, 1], s=0.2, c='0.6', linewidths=0)
        ax.plot(0, 0, 'k^', ms=4)  # the LiDAR
        draw_boxes(ax, gt, 'tab:green', 1.2 if pred is None else 0.7)
        if pred is None:
            title += f'\n{len(gt)} boxes'
        else:
            inst = pred['pred_instances_3d']
            keep = inst['scores_3d'] >= score_thr
            draw_boxes(ax, inst['bboxes_3d'][keep], 'tab:red', 1.0)
            title += f'\n{int(keep.sum())} boxes with score ≥ {score_thr}'
        ax.set(xlim=(-BEV_RANGE, BEV_RANGE), ylim=(-BEV_RANGE, BEV_RANGE),
               aspect='equal')
        ax.set_title(title, fontsize=9)
    fig.suptitle(
        'First validation sample from above (LiDAR frame, m): LiDAR points '
        'grey, ground truth green, predictions red; the line in a box points '
        'to its front.',
        fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=100)  # Agg, the default canvas of a bare Figure
    return True


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='lowest score of a drawn prediction')
    args = parser.parse_args(argv)
    text = CAPTION + '\n\n' + table(args.work_dir)
    lines = benchmarks(args.work_dir)
    if lines:
        text += ('\n\nBenchmarks (latency, GFLOPs and parameters as in the '
                 'table; difference, ratio):\n\n' + '\n'.join(lines))
    with open(osp.join(args.work_dir, 'table.md'), 'w') as f:
        f.write(text + '\n')
    print(text)
    png = osp.join(args.work_dir, 'bev_boxes.png')
    if bev_figure(args.work_dir, png, args.score_thr):
        print(f'BEV boxes: {png}')


if __name__ == '__main__':
    main()
