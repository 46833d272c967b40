from .recorders import (MethodOutputsRecorder, ModuleInputsRecorder,
                        ModuleOutputsRecorder)
from .single_teacher_distiller import SingleTeacherDistiller
from .teacher import build_teacher, load_teacher_checkpoint

__all__ = [
    'MethodOutputsRecorder', 'ModuleInputsRecorder', 'ModuleOutputsRecorder',
    'SingleTeacherDistiller', 'build_teacher', 'load_teacher_checkpoint'
]
