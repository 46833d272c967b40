from .distill_loss_weight_schedule_hook import DistillLossWeightScheduleHook
from .ema_teacher_hook import EMATeacherHook

__all__ = ['DistillLossWeightScheduleHook', 'EMATeacherHook']
