"""CrossDistill registries.

One scope, ``crossdistill``.  Every registry is a child of the mmdet3d registry
of the same kind, so plain names resolve in crossdistill, then mmdet3d, then
MMEngine.  mmdet3d's registries are children of MMEngine's (not of mmdet's),
so mmdet modules are named with their scope, ``mmdet.X``, like any other
imported OpenMMLab package (``mmpretrain.X``).
"""
from mmdet3d.registry import DATA_SAMPLERS as MMDET3D_DATA_SAMPLERS
from mmdet3d.registry import DATASETS as MMDET3D_DATASETS
from mmdet3d.registry import EVALUATOR as MMDET3D_EVALUATOR
from mmdet3d.registry import HOOKS as MMDET3D_HOOKS
from mmdet3d.registry import INFERENCERS as MMDET3D_INFERENCERS
from mmdet3d.registry import LOG_PROCESSORS as MMDET3D_LOG_PROCESSORS
from mmdet3d.registry import LOOPS as MMDET3D_LOOPS
from mmdet3d.registry import METRICS as MMDET3D_METRICS
from mmdet3d.registry import MODEL_WRAPPERS as MMDET3D_MODEL_WRAPPERS
from mmdet3d.registry import MODELS as MMDET3D_MODELS
from mmdet3d.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMDET3D_OPTIM_WRAPPER_CONSTRUCTORS
from mmdet3d.registry import OPTIM_WRAPPERS as MMDET3D_OPTIM_WRAPPERS
from mmdet3d.registry import OPTIMIZERS as MMDET3D_OPTIMIZERS
from mmdet3d.registry import PARAM_SCHEDULERS as MMDET3D_PARAM_SCHEDULERS
from mmdet3d.registry import \
    RUNNER_CONSTRUCTORS as MMDET3D_RUNNER_CONSTRUCTORS
from mmdet3d.registry import RUNNERS as MMDET3D_RUNNERS
from mmdet3d.registry import TASK_UTILS as MMDET3D_TASK_UTILS
from mmdet3d.registry import TRANSFORMS as MMDET3D_TRANSFORMS
from mmdet3d.registry import VISBACKENDS as MMDET3D_VISBACKENDS
from mmdet3d.registry import VISUALIZERS as MMDET3D_VISUALIZERS
from mmdet3d.registry import \
    WEIGHT_INITIALIZERS as MMDET3D_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

SCOPE = 'crossdistill'


def _child(name: str, parent: Registry, *locations: str) -> Registry:
    return Registry(
        name,
        parent=parent,
        scope=SCOPE,
        locations=[f'{SCOPE}.{loc}' for loc in locations])


RUNNERS = _child('runner', MMDET3D_RUNNERS)
RUNNER_CONSTRUCTORS = _child('runner constructor',
                             MMDET3D_RUNNER_CONSTRUCTORS)
LOOPS = _child('loop', MMDET3D_LOOPS)
HOOKS = _child('hook', MMDET3D_HOOKS, 'hooks')
LOG_PROCESSORS = _child('log processor', MMDET3D_LOG_PROCESSORS)
DATASETS = _child('dataset', MMDET3D_DATASETS, 'datasets')
DATA_SAMPLERS = _child('data sampler', MMDET3D_DATA_SAMPLERS)
TRANSFORMS = _child('transform', MMDET3D_TRANSFORMS, 'transforms',
                    'datasets')
MODELS = _child('model', MMDET3D_MODELS, 'models', 'distillers', 'losses',
                'rendering')
MODEL_WRAPPERS = _child('model_wrapper', MMDET3D_MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _child('weight initializer',
                             MMDET3D_WEIGHT_INITIALIZERS)
OPTIMIZERS = _child('optimizer', MMDET3D_OPTIMIZERS)
OPTIM_WRAPPERS = _child('optim_wrapper', MMDET3D_OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMDET3D_OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child('parameter scheduler', MMDET3D_PARAM_SCHEDULERS)
METRICS = _child('metric', MMDET3D_METRICS, 'evaluation')
EVALUATOR = _child('evaluator', MMDET3D_EVALUATOR, 'evaluation')
TASK_UTILS = _child('task util', MMDET3D_TASK_UTILS, 'distillers')
VISUALIZERS = _child('visualizer', MMDET3D_VISUALIZERS)
VISBACKENDS = _child('vis_backend', MMDET3D_VISBACKENDS)
INFERENCERS = _child('inferencer', MMDET3D_INFERENCERS)
