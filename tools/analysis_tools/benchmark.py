"""Parameters, FLOPs and latency of a model; for a distiller also the cost of
a distillation step.

    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT] [options]

Latency is the median time per sample of ``predict`` on the validation set
(batch size 1).  For a distiller config the tool also times, in the same run
and interleaved, one full distillation training step against its parts
measured alone (student forward+backward+update, teacher forward), and prints
their ratio.
"""
import argparse
import os.path as osp
import statistics
import sys
import time
from typing import Callable, List

import torch
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint
from torch import nn

from crossdistill.registry import MODELS
from crossdistill.utils import register_all_modules

# Project configs import their code with custom_imports
# ('projects.<Name>.<package>'): make the repository root importable.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark a model.')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (optional)')
    parser.add_argument('--samples', type=int, default=20,
                        help='timed samples (latency) and steps (distill)')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default=None,
                        help='cpu or cuda (default: cuda when present)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], object], device: torch.device) -> float:
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def first_batches(cfg: Config, key: str, batch_size: int, count: int,
                  seed: int = 0) -> List[dict]:
    loader_cfg = cfg[key].copy()
    loader_cfg.update(batch_size=batch_size, num_workers=0,
                      persistent_workers=False)
    loader_cfg.pop('batch_sampler', None)
    loader = Runner.build_dataloader(loader_cfg, seed=seed)
    batches = []
    while len(batches) < count:
        for batch in loader:
            batches.append(batch)
            if len(batches) == count:
                break
    return batches


class TensorForward(nn.Module):
    """``model(inputs, data_samples, mode='tensor')`` for the FLOP counter."""

    def __init__(self, model: nn.Module, data_samples) -> None:
        super().__init__()
        self.model = model
        self.data_samples = data_samples

    def forward(self, inputs):
        return self.model(inputs, self.data_samples, mode='tensor')


def count_flops(model: nn.Module, data: dict) -> str:
    from mmengine.analysis import get_model_complexity_info
    try:
        info = get_model_complexity_info(
            TensorForward(model, data['data_samples']),
            inputs=(data['inputs'], ))
    except Exception as err:  # tracing unsupported by this model's forward
        return f'not countable by the tracer ({type(err).__name__}: {err})'
    return f"{info['flops_str']} (one sample)"


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'crossdistill'))
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))

    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.to(device)
    is_distiller = hasattr(model, 'student_view')
    deployed = model.student if is_distiller else model
    preprocess = deployed.data_preprocessor

    params = sum(p.numel() for p in deployed.parameters())
    print(f'config: {args.config}')
    print(f'device: {device}, torch threads: {torch.get_num_threads()}')
    print(f'parameters ({"student" if is_distiller else "model"}): '
          f'{params / 1e6:.2f} M')
    if is_distiller:
        t_params = sum(p.numel() for p in model.teacher.parameters())
        print(f'parameters (teacher): {t_params / 1e6:.2f} M')

    model.eval()
    batches = first_batches(cfg, 'val_dataloader', 1,
                            args.warmup + args.samples)
    print(f'FLOPs: {count_flops(deployed, preprocess(batches[0], False))}')
    times = []
    with torch.no_grad():
        for i, batch in enumerate(batches):
            data = preprocess(batch, False)
            elapsed = timed(lambda: deployed(**data, mode='predict'), device)
            if i >= args.warmup:
                times.append(elapsed)
    print(f'latency: {1e3 * statistics.median(times):.1f} ms/sample '
          f'(median of {len(times)}, batch size 1)')
    if is_distiller:
        benchmark_distill_step(model, cfg, args, device)


def benchmark_distill_step(model, cfg: Config, args: argparse.Namespace,
                           device: torch.device) -> None:
    """Full distill step vs. student fwd+bwd+update + teacher forward."""
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batch_size = cfg.train_dataloader.batch_size
    batches = first_batches(cfg, 'train_dataloader', batch_size,
                            args.warmup + args.samples)

    def distill_step(batch):
        model.train_step(batch, optim_wrapper)

    def student_step(batch):
        data = model.student_view(batch, True)
        losses = model.student(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
        optim_wrapper.update_params(loss)

    def teacher_forward(batch):
        with torch.no_grad():
            model.teacher(**model.teacher_view(batch, True),
                          mode=model.teacher_forward_mode)

    distill, student, teacher = [], [], []
    for i, batch in enumerate(batches):
        d = timed(lambda: distill_step(batch), device)
        s = timed(lambda: student_step(batch), device)
        t = timed(lambda: teacher_forward(batch), device)
        if i >= args.warmup:
            distill.append(d)
            student.append(s)
            teacher.append(t)
    med = statistics.median
    ratio = med(d / (s + t) for d, s, t in zip(distill, student, teacher))
    print(f'train step, batch size {batch_size} (median of {len(distill)}, '
          'interleaved):')
    print(f'  distill step:                      {1e3 * med(distill):.1f} ms')
    print(f'  student fwd+bwd+update:            {1e3 * med(student):.1f} ms')
    print(f'  teacher fwd:                       {1e3 * med(teacher):.1f} ms')
    print(f'  distill / (student + teacher):     '
          f'{ratio:.3f} (median of per-step ratios)')


if __name__ == '__main__':
    main()
