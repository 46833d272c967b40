import pytest
import torch

from crossdistill.distillers.export import (extract_submodel,
                                            extract_submodel_file)
from crossdistill.registry import MODELS
from distill_helpers import kd_cfg, small_retinanet


def test_extracted_student_loads_strictly_into_student_config(tmp_path):
    distiller = MODELS.build(kd_cfg())
    distiller.init_weights()
    src, dst = tmp_path / 'kd.pth', tmp_path / 'student.pth'
    torch.save(dict(state_dict=distiller.state_dict(), meta=dict(epoch=3),
                    optimizer=dict()), src)
    count = extract_submodel_file(str(src), str(dst))
    out = torch.load(dst)
    assert set(out) == {'state_dict', 'meta'}
    assert out['meta'] == dict(epoch=3, extracted='student')
    assert count == len(distiller.student.state_dict())
    student = MODELS.build(small_retinanet(64))
    student.load_state_dict(out['state_dict'], strict=True)
    for key, value in distiller.student.state_dict().items():
        assert torch.equal(student.state_dict()[key], value)
    teacher = extract_submodel(torch.load(src), 'teacher')['state_dict']
    assert teacher.keys() == distiller.teacher.state_dict().keys()


def test_extract_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        extract_submodel_file(str(tmp_path / 'x.pth'), str(tmp_path / 'y'))
    plain = tmp_path / 'plain.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(1))), plain)
    with pytest.raises(KeyError, match='not a distiller checkpoint'):
        extract_submodel_file(str(plain), str(tmp_path / 'y.pth'))
