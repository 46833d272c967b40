"""CrossDistill: cross-modal and cross-scale knowledge distillation
(OpenMMLab).

Importing the package is cheap: it only allow-lists the classes that MMEngine
checkpoints pickle (see :mod:`crossdistill.utils.checkpoint`).  Registries and
modules are loaded by :func:`crossdistill.utils.register_all_modules` or by
``custom_imports`` in a config.
"""
from .utils.checkpoint import allow_mmengine_checkpoints
from .version import __version__

allow_mmengine_checkpoints()

__all__ = ['__version__', 'allow_mmengine_checkpoints']
