"""The distiller's data preprocessor: one raw batch -> the student's view and
the teacher's view, each made by that model's own data preprocessor.

MMEngine calls ``model.data_preprocessor(data, training)`` and then
``model(**result, mode=...)`` in ``BaseModel.train_step`` and equally in
``MMDistributedDataParallel.train_step``; building both views here (instead
of overriding ``train_step``) keeps distillation working under DDP.
"""
from typing import Dict, Optional

from mmengine.model import BaseDataPreprocessor


class TeacherStudentDataPreprocessor(BaseDataPreprocessor):
    """Returns ``dict(inputs, data_samples)`` of the student's view plus
    ``teacher_data`` (the teacher's view) when the step needs the teacher.

    It holds no modules of its own: it calls back into the distiller it is
    bound to (kept outside the module tree, so nothing is registered or
    saved twice).
    """

    def __init__(self) -> None:
        super().__init__()
        self._distiller: Optional[object] = None

    def bind(self, distiller) -> None:
        object.__setattr__(self, '_distiller', distiller)

    def forward(self, data: Dict, training: bool = False) -> Dict:
        distiller = self._distiller
        if distiller is None:
            raise RuntimeError('TeacherStudentDataPreprocessor is not bound '
                               'to a distiller.')
        out = dict(distiller.student_view(data, training))
        if training or distiller.predict_with == 'teacher':
            out['teacher_data'] = distiller.teacher_view(data, training)
        return out
