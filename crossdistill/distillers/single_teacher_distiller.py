"""A configurable single-teacher distiller.

Any registered model is the student; the teacher is built from its own
config file and checkpoint (or is an EMA copy of the student).  Intermediate
values are captured by recorders (forward hooks, see :mod:`.recorders`),
optionally adapted by connectors, and compared by distillation losses
configured by name.  The vocabulary is MMRazor's ``ConfigurableDistiller``
(recorders, connectors, ``loss_forward_mappings``) without its
delivery/recorder managers, which no method here needs.

Each model sees its own view of the batch: ``student_inputs`` /
``teacher_inputs`` select the keys of a dict ``inputs`` (e.g. the teacher alone
gets ``points``), and each model runs its own data preprocessor (e.g. a teacher
preprocessor that resizes images 2x).  The student never sees a teacher-only
input.
"""
import copy
import inspect
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from torch import nn

from crossdistill.registry import MODELS, TASK_UTILS
from .data_preprocessor import TeacherStudentDataPreprocessor
from .recorders import BaseRecorder
from .teacher import build_teacher

TEACHER_MODES = ('frozen', 'train', 'ema')
SOURCES = ('student', 'teacher', 'data_samples')


@MODELS.register_module()
class SingleTeacherDistiller(BaseModel):
    """Distil one teacher into one student.

    Args:
        student: Config of the student model (any registered model).
        teacher: Path of the teacher's own config file, or a model dict.  May
            be ``None`` with ``teacher_mode='ema'``: the teacher is then a copy
            of the student.
        teacher_ckpt: Checkpoint of the teacher model alone.
        teacher_mode: ``'frozen'`` (no gradients, eval mode throughout
            training), ``'train'`` (trained jointly with its own losses,
            reported as ``teacher.<name>``) or ``'ema'`` (no gradients,
            updated from the student by :class:`EMATeacherHook`).
        teacher_forward_mode: Mode in which the teacher runs during training:
            ``'tensor'`` (cheapest, the default), ``'predict'`` or ``'loss'``
            (for a teacher whose recorded values only exist in that mode).
        student_recorders / teacher_recorders: ``{name: recorder cfg}``, e.g.
            ``dict(fpn=dict(type='ModuleOutputs', source='neck'))``.
        connectors: ``{name: module cfg}`` adapters applied to recorded values.
        distill_losses: ``{name: loss cfg}``; names must contain ``'loss'``.
            Each loss is returned as ``distill.<name>``.
        loss_forward_mappings: ``{loss name: {kwarg: spec}}`` with spec
            ``dict(source='student'|'teacher', recorder=NAME, record_idx=0,
            data_idx=None, connector=None)``, or
            ``dict(source='data_samples')``.
        student_inputs / teacher_inputs: keys of a dict ``inputs`` that each
            model receives (``None``: all keys).
        teacher_data_preprocessor: Overrides the teacher model's own data
            preprocessor (e.g. to feed the teacher a 2x image).
        predict_with: Which model ``val_step``/``test_step`` run:
            ``'student'`` (default) or ``'teacher'``.
        detach_teacher: Stop gradients through teacher values in the
            distillation losses (matters only for ``teacher_mode='train'``).
    """

    def __init__(self,
                 student: Dict,
                 teacher: Union[str, Dict, None] = None,
                 teacher_ckpt: Optional[str] = None,
                 teacher_mode: str = 'frozen',
                 teacher_forward_mode: str = 'tensor',
                 student_recorders: Optional[Dict] = None,
                 teacher_recorders: Optional[Dict] = None,
                 connectors: Optional[Dict] = None,
                 distill_losses: Optional[Dict] = None,
                 loss_forward_mappings: Optional[Dict] = None,
                 student_inputs: Optional[Sequence[str]] = None,
                 teacher_inputs: Optional[Sequence[str]] = None,
                 teacher_data_preprocessor: Optional[Dict] = None,
                 predict_with: str = 'student',
                 detach_teacher: bool = True,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(
            data_preprocessor=TeacherStudentDataPreprocessor(),
            init_cfg=init_cfg)
        if teacher_mode not in TEACHER_MODES:
            raise ValueError(f'teacher_mode must be one of {TEACHER_MODES}, '
                             f'got "{teacher_mode}".')
        if predict_with not in ('student', 'teacher'):
            raise ValueError('predict_with must be "student" or "teacher", '
                             f'got "{predict_with}".')
        self.teacher_mode = teacher_mode
        self.teacher_forward_mode = teacher_forward_mode
        self.predict_with = predict_with
        self.detach_teacher = detach_teacher
        self.student_inputs = student_inputs
        self.teacher_inputs = teacher_inputs

        self.student = MODELS.build(student)
        self.data_preprocessor.bind(self)
        self._teacher_is_student_copy = teacher is None
        if teacher is None:
            if teacher_mode != 'ema':
                raise ValueError('`teacher` is required unless '
                                 'teacher_mode="ema".')
            self.teacher = copy.deepcopy(self.student)
        else:
            self.teacher = build_teacher(teacher, teacher_ckpt)
        if teacher_mode == 'ema':
            self._check_ema_compatible()
        if teacher_data_preprocessor is not None:
            self.teacher.data_preprocessor = MODELS.build(
                teacher_data_preprocessor)
        if teacher_mode != 'train':
            self.teacher.requires_grad_(False)
            self.teacher.eval()

        self.student_recorders = self._build_recorders(
            student_recorders, self.student)
        self.teacher_recorders = self._build_recorders(
            teacher_recorders, self.teacher)
        self.connectors = nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in (connectors or {}).items()
        })
        self.distill_losses = nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in (distill_losses or {}).items()
        })
        self.loss_forward_mappings = loss_forward_mappings or {}
        self._check_loss_mappings()
        # Per-loss weight scales, set by DistillLossWeightScheduleHook.
        self.distill_loss_scales: Dict[str, float] = {
            name: 1.0 for name in self.distill_losses
        }

    # ----------------------------------------------------------- construction
    def _check_ema_compatible(self) -> None:
        own = self.student.state_dict()
        other = self.teacher.state_dict()
        bad = [k for k in own
               if k not in other or other[k].shape != own[k].shape]
        if bad or len(own) != len(other):
            raise ValueError(
                'teacher_mode="ema" needs a teacher with the student\'s '
                f'architecture; {len(bad)} student parameters have no '
                f'same-shaped teacher counterpart, e.g. {bad[:3]}.')

    @staticmethod
    def _build_recorders(cfgs: Optional[Dict],
                         model: nn.Module) -> Dict[str, BaseRecorder]:
        recorders = {}
        for name, cfg in (cfgs or {}).items():
            recorder = TASK_UTILS.build(cfg)
            recorder.attach(model)
            recorders[name] = recorder
        return recorders

    def _check_loss_mappings(self) -> None:
        for name, loss in self.distill_losses.items():
            where = f'distill loss "{name}"'
            if 'loss' not in name:
                raise ValueError(f'{where}: the name must contain "loss" so '
                                 'that it is summed into the total loss.')
            if name not in self.loss_forward_mappings:
                raise KeyError(f'{where} has no entry in '
                               '`loss_forward_mappings`.')
            params = inspect.signature(loss.forward).parameters
            has_var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
            for kwarg, spec in self.loss_forward_mappings[name].items():
                if kwarg not in params and not has_var_kw:
                    raise KeyError(
                        f'{where}: {type(loss).__name__}.forward has no '
                        f'argument "{kwarg}"; it takes {list(params)}.')
                self._check_spec(f'{where}, argument "{kwarg}"', spec)
        extra = set(self.loss_forward_mappings) - set(self.distill_losses)
        if extra:
            raise KeyError(f'`loss_forward_mappings` names losses that are '
                           f'not in `distill_losses`: {sorted(extra)}.')

    def _check_spec(self, where: str, spec: Dict) -> None:
        source = spec.get('source')
        if source not in SOURCES:
            raise ValueError(f'{where}: `source` must be one of {SOURCES}, '
                             f'got {source!r}.')
        if source == 'data_samples':
            return
        recorders = (self.student_recorders
                     if source == 'student' else self.teacher_recorders)
        if spec.get('recorder') not in recorders:
            raise KeyError(f'{where}: no {source} recorder named '
                           f'{spec.get("recorder")!r}; {source} recorders '
                           f'are {sorted(recorders)}.')
        connector = spec.get('connector')
        if connector is not None and connector not in self.connectors:
            raise KeyError(f'{where}: no connector named {connector!r}; '
                           f'connectors are {sorted(self.connectors)}.')

    def init_weights(self) -> None:
        super().init_weights()
        if self._teacher_is_student_copy:
            self.teacher.load_state_dict(self.student.state_dict())

    def train(self, mode: bool = True) -> 'SingleTeacherDistiller':
        super().train(mode)
        if self.teacher_mode != 'train':
            self.teacher.eval()
        return self

    # ------------------------------------------------------------------ data
    @staticmethod
    def _select_inputs(data: Dict, keys: Optional[Sequence[str]],
                       who: str) -> Dict:
        data = dict(data)
        if keys is None:
            return data
        inputs = data['inputs']
        if not isinstance(inputs, dict):
            raise TypeError(f'{who}_inputs={list(keys)} needs a dict batch '
                            f'`inputs`, got {type(inputs).__name__}.')
        missing = [k for k in keys if k not in inputs]
        if missing:
            raise KeyError(f'{who}_inputs asks for {missing}; the batch has '
                           f'{sorted(inputs)}. Check the pipeline\'s '
                           'Pack*Inputs keys.')
        data['inputs'] = {k: inputs[k] for k in keys}
        return data

    def student_view(self, data: Dict, training: bool) -> Dict:
        """The student's preprocessed view of a raw batch."""
        data = self._select_inputs(data, self.student_inputs, 'student')
        return self.student.data_preprocessor(data, training)

    def teacher_view(self, data: Dict, training: bool) -> Dict:
        """The teacher's preprocessed view of a raw batch.

        Data samples are copied: preprocessors write batch metainfo (e.g. the
        padded input shape) into them, which differs between the views.
        """
        data = self._select_inputs(data, self.teacher_inputs, 'teacher')
        if data.get('data_samples') is not None:
            data['data_samples'] = copy.deepcopy(data['data_samples'])
        return self.teacher.data_preprocessor(
            data, training and self.teacher_mode == 'train')

    # -------------------------------------------------------------- forward
    def forward(self,
                inputs: Union[torch.Tensor, Dict, List],
                data_samples: Optional[List] = None,
                mode: str = 'tensor',
                teacher_data: Optional[Dict] = None):
        """Run on the views made by :class:`TeacherStudentDataPreprocessor`.

        ``'loss'``: student, teacher and distillation losses; ``'predict'``:
        the student (or the teacher with ``predict_with='teacher'``);
        ``'tensor'``: the student's raw outputs.
        """
        if mode == 'loss':
            if teacher_data is None:
                raise ValueError('mode="loss" needs `teacher_data`, the '
                                 "teacher's view made by the distiller's "
                                 'data preprocessor.')
            return self.loss(
                dict(inputs=inputs, data_samples=data_samples), teacher_data)
        if mode == 'predict' and self.predict_with == 'teacher':
            return self.teacher(**teacher_data, mode='predict')
        return self.student(inputs, data_samples, mode=mode)

    def loss(self, student_data: Dict,
             teacher_data: Dict) -> Dict[str, torch.Tensor]:
        """Student losses, ``teacher.*`` losses (joint mode) and
        ``distill.*`` losses for one batch of preprocessed views."""
        for recorder in (*self.student_recorders.values(),
                         *self.teacher_recorders.values()):
            recorder.reset()
        losses = {}
        if self.teacher_mode == 'train':
            teacher_losses = self.teacher(**teacher_data, mode='loss')
            losses.update({f'teacher.{k}': v
                           for k, v in teacher_losses.items()})
        else:
            with torch.no_grad():
                self.teacher(**teacher_data, mode=self.teacher_forward_mode)
        losses.update(self.student(**student_data, mode='loss'))
        losses.update(self.compute_distill_losses(
            student_data.get('data_samples')))
        return losses

    def compute_distill_losses(
            self, data_samples: Optional[List]) -> Dict[str, torch.Tensor]:
        """Evaluate every distillation loss on the recorded values."""
        losses = {}
        for name, loss_module in self.distill_losses.items():
            kwargs = {
                kwarg: self._resolve(spec, data_samples)
                for kwarg, spec in self.loss_forward_mappings[name].items()
            }
            losses[f'distill.{name}'] = (
                loss_module(**kwargs) * self.distill_loss_scales[name])
        return losses

    def _resolve(self, spec: Dict, data_samples: Optional[List]):
        source = spec['source']
        if source == 'data_samples':
            return data_samples
        recorders = (self.student_recorders
                     if source == 'student' else self.teacher_recorders)
        value = recorders[spec['recorder']].get(
            spec.get('record_idx', 0), spec.get('data_idx'))
        if spec.get('connector') is not None:
            value = self.connectors[spec['connector']](value)
        if source == 'teacher' and self.detach_teacher:
            value = _detach(value)
        return value

    # ------------------------------------------------------------------- EMA
    @torch.no_grad()
    def update_ema_teacher(self, momentum: float) -> None:
        """``teacher = momentum * teacher + (1 - momentum) * student``.

        Floating-point parameters and buffers are averaged; integer buffers
        (e.g. BN ``num_batches_tracked``) are copied.
        """
        student = self.student.state_dict()
        for key, t_value in self.teacher.state_dict().items():
            s_value = student[key].detach()
            if t_value.dtype.is_floating_point:
                t_value.mul_(momentum).add_(s_value, alpha=1 - momentum)
            else:
                t_value.copy_(s_value)


def _detach(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (list, tuple)):
        return type(value)(_detach(v) for v in value)
    if isinstance(value, dict):
        return {k: _detach(v) for k, v in value.items()}
    return value
