import pytest
from mmdet3d.registry import MODELS as MMDET3D_MODELS
from mmengine.registry import DefaultScope

from crossdistill import registry


def test_every_registry_is_a_child_of_mmdet3d():
    import mmdet3d.registry as mmdet3d_registry
    for name in ('MODELS', 'DATASETS', 'TRANSFORMS', 'METRICS', 'HOOKS',
                 'TASK_UTILS', 'VISUALIZERS', 'EVALUATOR', 'LOOPS'):
        ours = getattr(registry, name)
        assert ours.scope == 'crossdistill'
        assert ours.parent is getattr(mmdet3d_registry, name), name
    assert registry.MODELS.parent is MMDET3D_MODELS


def test_default_scope_is_crossdistill():
    assert DefaultScope.get_current_instance().scope_name == 'crossdistill'


def test_lookup_reaches_parents_and_own_modules():
    from mmdet.models import RetinaNet
    from mmdet.models.losses import QualityFocalLoss
    from mmdet3d.models import CenterPoint

    from crossdistill.distillers import SingleTeacherDistiller
    assert registry.MODELS.get('mmdet.RetinaNet') is RetinaNet
    # mmdet3d's registries are children of MMEngine's, not of mmdet's:
    # mmdet modules are reached by their scope prefix.
    assert registry.MODELS.get('RetinaNet') is None
    assert registry.MODELS.get('mmdet3d.CenterPoint') is CenterPoint
    assert registry.MODELS.get('SingleTeacherDistiller') is \
        SingleTeacherDistiller
    qfl = registry.MODELS.build(dict(type='mmdet.QualityFocalLoss'))
    assert isinstance(qfl, QualityFocalLoss)


def test_own_hooks_and_recorders_registered():
    assert registry.HOOKS.get('EMATeacherHook') is not None
    assert registry.HOOKS.get('DistillLossWeightScheduleHook') is not None
    for name in ('ModuleOutputs', 'ModuleInputs', 'MethodOutputs'):
        assert registry.TASK_UTILS.get(name) is not None


def test_unknown_type_fails():
    with pytest.raises(KeyError):
        registry.MODELS.build(dict(type='NoSuchModel'))
