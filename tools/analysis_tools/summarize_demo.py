"""Print the example demo's results table from the metrics that
``tools/test.py`` wrote (``<work dir>/<timestamp>/<timestamp>.json``).

    python tools/analysis_tools/summarize_demo.py work_dirs/demo
"""
import argparse
import os.path as osp

from crossdistill.utils.demo_report import gap_closed, latest_metrics

ROWS = (('teacher (R18, 128-ch FPN)', 'eval_teacher'),
        ('student baseline (R18)', 'eval_baseline'),
        ('student distilled (R18)', 'eval_distilled'))
METRICS = ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_s',
           'coco/bbox_mAP_m', 'coco/bbox_mAP_l')


def metrics_of(eval_dir: str) -> dict:
    metrics = latest_metrics(eval_dir)
    if metrics is None:
        raise FileNotFoundError(f'No metrics json under {eval_dir}: run '
                                'tools/test.py with --work-dir there first.')
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    args = parser.parse_args()
    results = {name: metrics_of(osp.join(args.work_dir, sub))
               for name, sub in ROWS}
    header = ['model'] + [m.split('/')[-1] for m in METRICS]
    print('Synthetic shapes set (val), COCO bbox metrics:')
    print(' | '.join(f'{h:>24}' if i == 0 else f'{h:>14}'
                     for i, h in enumerate(header)))
    for name, metrics in results.items():
        cells = [f'{metrics[m]:>14.3f}' for m in METRICS]
        print(' | '.join([f'{name:>24}'] + cells))
    teacher, base, kd = (results[name]['coco/bbox_mAP'] for name, _ in ROWS)
    share = gap_closed(kd, base, teacher) if teacher > base else None
    if share is not None:
        print(f'share of the teacher-baseline mAP gap closed: {share:.1%}')


if __name__ == '__main__':
    main()
