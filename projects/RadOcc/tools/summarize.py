"""Results table and BEV occupancy comparison of the RadOcc demo.

    python projects/RadOcc/tools/summarize.py WORK_DIR

Reads, per row, the Occ3D metrics that ``tools/test.py --work-dir
WORK_DIR/eval_<row>_s<seed>`` wrote (mean ± std over the seeds found), the
latency and parameters that ``tools/analysis_tools/benchmark.py`` printed
into ``WORK_DIR/bench_<row>.txt``, and the predictions dumped with ``--out
WORK_DIR/eval_<row>_s<seed>/preds.pkl``. Writes ``WORK_DIR/table.md`` (mIoU,
share of the teacher–baseline gap closed, latency) and
``WORK_DIR/occupancy.png``: for the first validation sample, a bird's-eye
view of the ground truth and of each row's first-seed prediction (per
column, the class of the highest occupied voxel; camera-invisible voxels
grey).
"""
import argparse
import os.path as osp
import statistics
from typing import List, Optional

import cv2
import numpy as np

from crossdistill.utils.demo_report import (first_prediction, gap_closed,
                                            mean_std, parse_benchmark,
                                            seed_metrics)

ROWS = (('teacher', 'Teacher (LiDAR + camera)'),
        ('baseline', 'Baseline (camera)'), ('radocc', 'RadOcc (camera)'))
FREE = 17
# The usual Occ3D-nuScenes colours (RGB) by class id, as BGR for OpenCV.
PALETTE = np.array(
    [[0, 0, 0], [255, 120, 50], [255, 192, 203], [255, 255, 0],
     [0, 150, 245], [0, 255, 255], [200, 180, 0], [255, 0, 0],
     [255, 240, 150], [135, 60, 0], [160, 32, 240], [255, 0, 255],
     [139, 137, 137], [75, 0, 75], [150, 240, 80], [230, 230, 250],
     [0, 175, 0], [255, 255, 255]],
    dtype=np.uint8)[:, ::-1]


def miou_row(work_dir: str, row: str) -> List[float]:
    return [m['mIoU'] for m in seed_metrics(work_dir, row).values()]


def table(work_dir: str) -> str:
    mious = {row: miou_row(work_dir, row) for row, _ in ROWS}
    missing = [row for row, values in mious.items() if not values]
    if missing:
        raise FileNotFoundError(
            f'No Occ3D metrics for {missing} under {work_dir}/eval_<row>_s*: '
            'run the demo (or tools/test.py --work-dir there) first.')
    teacher = statistics.mean(mious['teacher'])
    base = statistics.mean(mious['baseline'])
    lines = [
        '| model | seeds | mIoU (%) | gap closed | params (M) | '
        'latency (ms/sample) |', '|---|---|---|---|---|---|'
    ]
    for row, title in ROWS:
        values = mious[row]
        share = (gap_closed(statistics.mean(values), base, teacher)
                 if row == 'radocc' else None)
        gap = '-' if share is None else f'{share:.0%}'
        bench = parse_benchmark(osp.join(work_dir, f'bench_{row}.txt'))
        params = f'{bench["params"]:.2f}' if bench['params'] else '-'
        latency = f'{bench["latency"]:.0f}' if bench['latency'] else '-'
        lines.append(f'| {title} | {len(values)} | {mean_std(values, 2)} | '
                     f'{gap} | {params} | {latency} |')
    return '\n'.join(lines)


def bev_image(semantics: np.ndarray,
              visible: Optional[np.ndarray] = None) -> np.ndarray:
    """(X, Y, Z) class ids -> (Y, X, 3) BGR top view, x to the right, y up:
    per column the class of the highest non-free voxel."""
    occupied = semantics != FREE
    top = semantics.shape[2] - 1 - np.argmax(occupied[..., ::-1], axis=2)
    cls = np.take_along_axis(semantics, top[..., None], axis=2)[..., 0]
    img = PALETTE[np.where(occupied.any(axis=2), cls, FREE)]
    if visible is not None:
        img[~visible.any(axis=2)] = (128, 128, 128)
    return np.ascontiguousarray(img.transpose(1, 0, 2)[::-1])


def occupancy_figure(work_dir: str, out: str, scale: int = 2) -> bool:
    panels, gt = [], None
    for row, title in ROWS:
        sample = first_prediction(work_dir, row)
        if sample is None:
            continue
        ann = sample['eval_ann_info']
        visible = np.asarray(ann['mask_camera']).astype(bool)
        if gt is None:
            gt = ('Ground truth',
                  bev_image(np.asarray(ann['voxel_semantics']), visible))
        pred = np.asarray(sample['pred_occ'])
        pred = np.where(visible, pred, FREE)
        panels.append((title, bev_image(pred, visible)))
    if gt is None:
        return False
    images = []
    for title, img in [gt] + panels:
        img = cv2.resize(img, None, fx=scale, fy=scale,
                         interpolation=cv2.INTER_NEAREST)
        cv2.putText(img, title, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                    (0, 0, 0), 2, cv2.LINE_AA)
        images.append(cv2.copyMakeBorder(img, 0, 0, 0, 4,
                                         cv2.BORDER_CONSTANT,
                                         value=(255, 255, 255)))
    cv2.imwrite(out, np.concatenate(images, axis=1))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    args = parser.parse_args()
    text = ('Synthetic Occ3D-nuScenes (val, camera mask), Occ3D mIoU over the '
            '17 classes; mean ± std over seeds. Latency: predict on CPU, '
            'batch 1.\n\n' + table(args.work_dir))
    with open(osp.join(args.work_dir, 'table.md'), 'w') as f:
        f.write(text + '\n')
    print(text)
    png = osp.join(args.work_dir, 'occupancy.png')
    if occupancy_figure(args.work_dir, png):
        print(f'occupancy: {png}')


if __name__ == '__main__':
    main()
