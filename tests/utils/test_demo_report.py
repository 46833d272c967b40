"""The demos' report helpers on hand-written tool outputs."""
import json
import os
import pickle

import pytest

from crossdistill.utils.demo_report import (first_prediction, gap_closed,
                                            latest_metrics, mean_std,
                                            parse_benchmark, seed_metrics)


def _write_metrics(eval_dir, stamp: str, metrics: dict) -> None:
    os.makedirs(eval_dir / stamp)
    (eval_dir / stamp / f'{stamp}.json').write_text(json.dumps(metrics))


def test_latest_and_seed_metrics(tmp_path):
    assert latest_metrics(str(tmp_path / 'eval_x_s0')) is None
    _write_metrics(tmp_path / 'eval_x_s0', '20260101_000000', {'mIoU': 1.0})
    _write_metrics(tmp_path / 'eval_x_s0', '20260102_000000', {'mIoU': 2.0})
    _write_metrics(tmp_path / 'eval_x_s1', '20260101_000000', {'mIoU': 4.0})
    os.makedirs(tmp_path / 'eval_x_s2')  # a run that wrote nothing
    assert latest_metrics(str(tmp_path / 'eval_x_s0')) == {'mIoU': 2.0}
    assert seed_metrics(str(tmp_path), 'x') == {
        'eval_x_s0': {'mIoU': 2.0},
        'eval_x_s1': {'mIoU': 4.0}
    }
    assert seed_metrics(str(tmp_path), 'y') == {}


def test_parse_benchmark(tmp_path):
    path = tmp_path / 'bench.txt'
    path.write_text('parameters (student): 0.77 M\n'
                    'parameters (teacher): 0.93 M\n'
                    'FLOPs: 512.5M (one sample)\n'
                    'latency: 123.4 ms/sample (median of 20)\n')
    bench = parse_benchmark(str(path))
    assert bench['params'] == pytest.approx(0.77)
    assert bench['gflops'] == pytest.approx(0.5125)
    assert bench['latency'] == pytest.approx(123.4)
    assert parse_benchmark(str(tmp_path / 'missing.txt')) == dict(
        gflops=None, latency=None, params=None)


def test_mean_std():
    assert mean_std([1.23456]) == '1.235'
    assert mean_std([1.0, 3.0], digits=1) == '2.0 ± 1.4'


def test_gap_closed():
    assert gap_closed(0.3, baseline=0.2, teacher=0.6) == pytest.approx(0.25)
    assert gap_closed(0.1, baseline=0.2, teacher=0.6) == pytest.approx(-0.25)
    assert gap_closed(0.3, baseline=0.2, teacher=0.2) is None


def test_first_prediction_reads_the_first_seed_dump(tmp_path):
    assert first_prediction(str(tmp_path), 'x') is None
    for seed, value in ((1, 'b'), (0, 'a')):
        os.makedirs(tmp_path / f'eval_x_s{seed}')
        with open(tmp_path / f'eval_x_s{seed}' / 'preds.pkl', 'wb') as f:
            pickle.dump([{'v': value}, {'v': 'later'}], f)
    assert first_prediction(str(tmp_path), 'x') == {'v': 'a'}
