"""Table and side-by-side detections of the ZoomInNet demo.

    python projects/ZoomInNet/tools/summarize.py WORK_DIR

Reads, for every row that was run, the COCO metrics that ``tools/test.py
--work-dir WORK_DIR/eval_<row>_s<seed>`` wrote (mean and spread over the
seeds found) and the FLOPs/latency that
``tools/analysis_tools/benchmark.py`` printed into
``WORK_DIR/bench_<row>.txt``; writes ``WORK_DIR/table.md`` and
``WORK_DIR/detections.png`` (the first validation image drawn by
``--show-dir`` for each row's first seed, stacked top to bottom).
"""
import argparse
import glob
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np

from crossdistill.utils.demo_report import (mean_std, parse_benchmark,
                                            seed_metrics)

ROWS = (('tnet', 'TNet (2x image)'), ('snet', 'SNet (1x image)'),
        ('la', 'SNet + LA'), ('la-cskd', 'SNet + LA + CSKD'),
        ('fa', 'SNet + FA'), ('fa-cskd', 'SNet + FA + CSKD'))
METRICS = (('coco/bbox_mAP', 'mAP'), ('coco/bbox_mAP_s', 'AP_S'),
           ('coco/bbox_mAP_m', 'AP_M'), ('coco/bbox_mAP_l', 'AP_L'))


def cell(values: List[float]) -> str:
    if all(v < 0 for v in values):  # COCO's -1: no GT of that size
        return 'n/a'
    return mean_std(values)


def table(work_dir: str) -> str:
    lines = [
        '| model | seeds | ' + ' | '.join(name for _, name in METRICS) +
        ' | GFLOPs | latency (ms) |',
        '|---|---|' + '---|' * (len(METRICS) + 2)
    ]
    for row, title in ROWS:
        runs = seed_metrics(work_dir, row)
        if not runs:
            continue
        bench = parse_benchmark(osp.join(work_dir, f'bench_{row}.txt'))
        cells = [cell([m[key] for m in runs.values()]) for key, _ in METRICS]
        extra = [
            f'{bench["gflops"]:.3f}' if bench['gflops'] is not None else '-',
            f'{bench["latency"]:.1f}' if bench['latency'] is not None else '-'
        ]
        lines.append(f'| {title} | {len(runs)} | ' +
                     ' | '.join(cells + extra) + ' |')
    if len(lines) == 2:
        raise FileNotFoundError(
            f'No metrics under {work_dir}/eval_<row>_s<seed>: run '
            'tools/test.py with --work-dir there first.')
    return '\n'.join(lines)


def first_drawn_image(work_dir: str, row: str) -> Optional[str]:
    for eval_dir in sorted(glob.glob(osp.join(work_dir, f'eval_{row}_s*'))):
        images = sorted(glob.glob(osp.join(eval_dir, '*', 'vis', '*.jpg')))
        if images:
            return images[0]
    return None


def side_by_side(work_dir: str, out: str) -> bool:
    panels = []
    for row, title in ROWS:
        path = first_drawn_image(work_dir, row)
        if path is None:
            continue
        img = cv2.imread(path)
        cv2.putText(img, title, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                    (255, 255, 255), 2, cv2.LINE_AA)
        panels.append(img)
    if not panels:
        return False
    width = max(p.shape[1] for p in panels)
    panels = [cv2.copyMakeBorder(p, 0, 4, 0, width - p.shape[1],
                                 cv2.BORDER_CONSTANT) for p in panels]
    cv2.imwrite(out, np.concatenate(panels))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    args = parser.parse_args()
    text = ('Synthetic VisDrone (val, 50 images), COCO bbox AP; mean ± std '
            'over seeds.\n\n' + table(args.work_dir))
    with open(osp.join(args.work_dir, 'table.md'), 'w') as f:
        f.write(text + '\n')
    print(text)
    png = osp.join(args.work_dir, 'detections.png')
    if side_by_side(args.work_dir, png):
        print(f'detections: {png}')


if __name__ == '__main__':
    main()
