"""The SimDistill demo's summary on a hand-made work dir."""
import importlib.util
import json
import math
import os
import os.path as osp
import pickle
import shutil

import matplotlib.image
import numpy as np
import pytest
import torch
from mmdet3d.structures import LiDARInstance3DBoxes

from tool_helpers import REPO

spec = importlib.util.spec_from_file_location(
    'simdistill_summarize',
    osp.join(REPO, 'projects', 'SimDistill', 'tools', 'summarize.py'))
summarize = importlib.util.module_from_spec(spec)
spec.loader.exec_module(summarize)

KEY = 'NuScenes metric/pred_instances_3d_NuScenes/'
# row: (mAP, NDS) per seed
SCORES = {
    'teacher': [(0.40, 0.50)],
    'baseline': [(0.10, 0.20), (0.20, 0.30)],
    'gcm-nokd': [(0.20, 0.30), (0.20, 0.30)],
    't3g': [(0.25, 0.30), (0.35, 0.40)],
}
BENCH = {  # row: (params M, FLOPs, latency ms)
    'teacher': (1.10, '5.5G', 240.0),
    'baseline': (0.95, '3000M', 130.0),
    't3g': (1.05, '4.5G', 235.0),
}


def boxes(*rows) -> LiDARInstance3DBoxes:
    """LiDAR boxes from (x, y, l, w, yaw) rows."""
    tensor = [[x, y, -1.0, l, w, 1.5, yaw] for x, y, l, w, yaw in rows]
    return LiDARInstance3DBoxes(
        torch.tensor(tensor, dtype=torch.float32).reshape(-1, 7))


def sample(lidar_path: str, scores) -> dict:
    """One dumped ``tools/test.py --out`` sample: GT and predictions."""
    pred = boxes(*[(10.0, 5.0 * i, 4.0, 2.0, 0.3) for i in range(len(scores))])
    return dict(
        lidar_path=lidar_path,
        num_pts_feats=5,
        eval_ann_info=dict(gt_bboxes_3d=boxes((10.0, 0.0, 4.0, 2.0, 0.0),
                                              (-5.0, 20.0, 1.0, 1.0, 1.0))),
        pred_instances_3d=dict(bboxes_3d=pred,
                               scores_3d=torch.tensor(scores),
                               labels_3d=torch.zeros(len(scores),
                                                     dtype=torch.long)))


@pytest.fixture
def work_dir(tmp_path) -> str:
    points = tmp_path / 'points.bin'
    np.random.RandomState(0).uniform(-50, 50, (200, 5)).astype(
        np.float32).tofile(points)
    for row, runs in SCORES.items():
        for seed, (m_ap, nds) in enumerate(runs):
            stamp = tmp_path / f'eval_{row}_s{seed}' / '20260101_000000'
            os.makedirs(stamp)
            (stamp / '20260101_000000.json').write_text(
                json.dumps({KEY + 'mAP': m_ap, KEY + 'NDS': nds}))
            with open(stamp.parent / 'preds.pkl', 'wb') as f:
                pickle.dump([sample(str(points), [0.9, 0.5, 0.1])], f)
    for row, (params, flops, latency) in BENCH.items():
        (tmp_path / f'bench_{row}.txt').write_text(
            f'parameters (model): {params:.2f} M\n'
            f'FLOPs: {flops} (one sample)\n'
            f'latency: {latency:.1f} ms/sample (median of 20, batch size 1)\n')
    return str(tmp_path)


def test_summarize_table_benchmarks_and_png(work_dir, capsys, monkeypatch):
    drawn = []  # (colour, number of boxes) per draw_boxes call
    draw_boxes = summarize.draw_boxes

    def record(ax, boxes, color, width):
        drawn.append((color, len(boxes)))
        draw_boxes(ax, boxes, color, width)

    monkeypatch.setattr(summarize, 'draw_boxes', record)
    summarize.main([work_dir])
    text = open(osp.join(work_dir, 'table.md')).read()
    assert text.strip() in capsys.readouterr().out
    cells = [[c.strip() for c in line.strip('|').split('|')]
             for line in text.splitlines() if line.startswith('| ')]
    rows = {row[0]: row[1:] for row in cells}
    titles = dict(summarize.ROWS)
    # seeds, mAP, NDS, gap closed, params, GFLOPs, latency
    assert rows[titles['teacher']] == [
        '1', '0.4000', '0.5000', '-', '1.10', '5.50', '240.0']
    assert rows[titles['baseline']] == [
        '2', '0.1500 ± 0.0707', '0.2500 ± 0.0707', '-', '0.95', '3.00',
        '130.0']
    # gap: (0.20 - 0.15) / (0.40 - 0.15), (0.30 - 0.25) / (0.50 - 0.25)
    assert rows[titles['gcm-nokd']] == [
        '2', '0.2000 ± 0.0000', '0.3000 ± 0.0000', '20% / 20%', '-', '-', '-']
    # gap: (0.30 - 0.15) / (0.40 - 0.15) = 60 %, (0.35 - 0.25) / 0.25 = 40 %
    assert rows[titles['t3g']] == [
        '2', '0.3000 ± 0.0707', '0.3500 ± 0.0707', '60% / 40%', '1.05',
        '4.50', '235.0']
    assert titles['nokd'] not in rows  # not run
    assert ('vs Teacher: BEVFusion (LiDAR + camera): 235.0 vs 240.0 '
            'ms/sample (-5.0, 0.98×), 4.50 vs 5.50 GFLOPs (-1.00, 0.82×), '
            '1.05 vs 1.10 M params (-0.05, 0.95×)') in text
    assert ('the cost of the simulated-LiDAR branch: 235.0 vs 130.0 '
            'ms/sample (+105.0, 1.81×), 4.50 vs 3.00 GFLOPs (+1.50, 1.50×)'
            ) in text

    # GT, then teacher, baseline, gcm-nokd, t3g: the 2 GT boxes in every
    # panel, the 2 predictions scoring >= 0.3 (of 0.9, 0.5, 0.1) in each
    # prediction panel; one row of 4 x 4.4 in panels at 100 dpi.
    assert drawn == [('tab:green', 2)] + [('tab:green', 2),
                                          ('tab:red', 2)] * 4
    png = matplotlib.image.imread(osp.join(work_dir, 'bev_boxes.png'))
    assert png.shape[:2] == (440, 2000)


def test_summarize_needs_teacher_and_baseline(work_dir):
    shutil.rmtree(osp.join(work_dir, 'eval_teacher_s0'))
    with pytest.raises(FileNotFoundError, match='teacher'):
        summarize.table(work_dir)


@pytest.mark.parametrize('yaw, front', [(0.0, (12.0, 0.0)),
                                        (math.pi / 2, (10.0, 2.0))])
def test_bev_outlines(yaw, front):
    quads, headings = summarize.bev_outlines(boxes((10.0, 0.0, 4.0, 2.0,
                                                    yaw)))
    half = np.array([2.0, 1.0]) if yaw == 0 else np.array([1.0, 2.0])
    np.testing.assert_allclose(quads[0].min(axis=0), [10, 0] - half,
                               atol=1e-5)
    np.testing.assert_allclose(quads[0].max(axis=0), [10, 0] + half,
                               atol=1e-5)
    np.testing.assert_allclose(headings[0], [[10.0, 0.0], front], atol=1e-5)
