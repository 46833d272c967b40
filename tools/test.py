"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

A distiller config evaluates its student (``--cfg-options
model.predict_with=teacher`` evaluates the teacher); a student checkpoint
extracted with ``tools/model_converters/extract_student.py`` is evaluated with
the student's own config.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.evaluator import DumpResults
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from crossdistill.utils import register_all_modules
from crossdistill.utils.dist import (adapt_cfg_to_device,
                                     release_process_group)

# Project configs import their code with custom_imports
# ('projects.<Name>.<package>'): make the repository root importable.
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint.')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='folder for the evaluation log and metrics '
        '(default: work_dirs/<config name>)')
    parser.add_argument(
        '--out', help='also dump the raw predictions to this .pkl file')
    parser.add_argument(
        '--show', action='store_true', help='show predictions in a window')
    parser.add_argument(
        '--show-dir',
        help='write images with drawn predictions into this folder (inside '
        'the work dir\'s timestamped folder)')
    parser.add_argument(
        '--score-thr', type=float, default=0.3,
        help='lowest score drawn by --show/--show-dir')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds per --show image')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config fields, e.g. test_dataloader.batch_size=1')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def enable_visualization(cfg: Config, args: argparse.Namespace) -> None:
    hooks = cfg.get('default_hooks', {})
    if 'visualization' not in hooks:
        raise KeyError('--show/--show-dir need '
                       'default_hooks.visualization in the config.')
    vis = hooks['visualization']
    vis.update(draw=True, score_thr=args.score_thr)
    if args.show:
        vis.update(show=True, wait_time=args.wait_time)
    if args.show_dir:
        vis['test_out_dir'] = args.show_dir


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'Checkpoint "{args.checkpoint}" does not '
                                'exist.')

    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        enable_visualization(cfg, args)

    adapt_cfg_to_device(cfg, args.launcher)
    runner = (RUNNERS.build(cfg)
              if 'runner_type' in cfg else Runner.from_cfg(cfg))
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl or .pickle file.')
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    runner.test()
    release_process_group()


if __name__ == '__main__':
    main()
