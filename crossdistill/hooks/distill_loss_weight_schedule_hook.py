"""Schedule of the distillation-loss weights over training.

The scale ``s(t)`` multiplies each selected distillation loss (on top of its
own ``loss_weight``):

* linear warm-up from ``warmup_ratio`` to 1 over ``warmup_iters`` iterations;
* then 1;
* from ``decay_begin`` to ``decay_end`` a linear decay to ``decay_ratio``,
  after that ``decay_ratio`` (e.g. to switch distillation off late in
  training, as progressive schedules do).
"""
from typing import Optional, Sequence

from mmengine.hooks import Hook

from crossdistill.registry import HOOKS
from .utils import unwrap_distiller


@HOOKS.register_module()
class DistillLossWeightScheduleHook(Hook):
    """Args:
        warmup_iters: Length of the warm-up (0: none).
        warmup_ratio: Scale at iteration 0.
        decay_begin / decay_end: Iterations of the decay (``None``: none).
        decay_ratio: Scale after ``decay_end``.
        loss_names: Distillation losses to schedule (``None``: all).
    """
    priority = 'NORMAL'

    def __init__(self,
                 warmup_iters: int = 0,
                 warmup_ratio: float = 0.0,
                 decay_begin: Optional[int] = None,
                 decay_end: Optional[int] = None,
                 decay_ratio: float = 0.0,
                 loss_names: Optional[Sequence[str]] = None) -> None:
        if (decay_begin is None) != (decay_end is None):
            raise ValueError('Give both decay_begin and decay_end, or none.')
        if decay_begin is not None and decay_end <= decay_begin:
            raise ValueError('decay_end must be after decay_begin.')
        self.warmup_iters = warmup_iters
        self.warmup_ratio = warmup_ratio
        self.decay_begin = decay_begin
        self.decay_end = decay_end
        self.decay_ratio = decay_ratio
        self.loss_names = loss_names

    def scale_at(self, iteration: int) -> float:
        if iteration < self.warmup_iters:
            frac = iteration / self.warmup_iters
            return self.warmup_ratio + (1 - self.warmup_ratio) * frac
        if self.decay_begin is None or iteration < self.decay_begin:
            return 1.0
        if iteration >= self.decay_end:
            return self.decay_ratio
        frac = (iteration - self.decay_begin) / (
            self.decay_end - self.decay_begin)
        return 1.0 + (self.decay_ratio - 1.0) * frac

    def before_run(self, runner) -> None:
        model = unwrap_distiller(runner, type(self).__name__)
        unknown = set(self.loss_names or ()) - set(model.distill_losses)
        if unknown:
            raise KeyError(f'{type(self).__name__}: no distillation losses '
                           f'named {sorted(unknown)}; the distiller has '
                           f'{sorted(model.distill_losses)}.')

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        model = unwrap_distiller(runner, type(self).__name__)
        scale = self.scale_at(runner.iter)
        for name in self.loss_names or model.distill_losses:
            model.distill_loss_scales[name] = scale
        runner.message_hub.update_scalar('train/distill_loss_scale', scale)
