"""Mean-teacher update of an EMA teacher (Tarvainen & Valpola, 2017).

After every ``interval`` training iterations:

.. math::  \\theta_T \\leftarrow m\\,\\theta_T + (1 - m)\\,\\theta_S

``m`` is the weight kept by the teacher (0.999 = slow teacher), the
convention of the self-training papers; note that MMEngine's ``EMAHook`` uses
the opposite convention (its ``momentum`` is the student's share).  During
the first ``warmup_iters`` iterations the momentum ramps as
``min(m, (1 + t) / (10 + t))`` so that the teacher leaves its random or
pre-trained start quickly.
"""
from typing import Optional

from mmengine.hooks import Hook

from crossdistill.registry import HOOKS
from .utils import unwrap_distiller


@HOOKS.register_module()
class EMATeacherHook(Hook):
    """Args:
        momentum: ``m``, the teacher's share in ``[0, 1]``.
        interval: Update every ``interval`` iterations.
        warmup_iters: Iterations of the momentum ramp (0: none).
    """
    priority = 'NORMAL'

    def __init__(self,
                 momentum: float = 0.999,
                 interval: int = 1,
                 warmup_iters: int = 0) -> None:
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f'momentum must be in [0, 1], got {momentum}.')
        self.momentum = momentum
        self.interval = interval
        self.warmup_iters = warmup_iters

    def before_run(self, runner) -> None:
        model = unwrap_distiller(runner, type(self).__name__)
        if model.teacher_mode != 'ema':
            raise ValueError('EMATeacherHook needs teacher_mode="ema", the '
                             f'distiller has "{model.teacher_mode}".')

    def momentum_at(self, iteration: int) -> float:
        if iteration < self.warmup_iters:
            return min(self.momentum, (1 + iteration) / (10 + iteration))
        return self.momentum

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            model = unwrap_distiller(runner, type(self).__name__)
            model.update_ema_teacher(self.momentum_at(runner.iter))
