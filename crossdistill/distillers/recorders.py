"""Recorders: capture intermediate values of a model without editing it.

A recorder names a source inside a model by its module path (``'neck'``,
``'backbone.layer3.1'``) and keeps what that source produced during the last
forward pass.  Three kinds, the vocabulary MMRazor users know:

* ``ModuleOutputs``: forward hook on a module, records its output;
* ``ModuleInputs``: forward-pre hook on a module, records its positional inputs
  (a tuple);
* ``MethodOutputs``: wraps a method of a sub-module (``'bbox_head.forward'``,
  ``'view_transformer.get_depth'``) on that instance and records its return
  value.
"""
from typing import Any, Callable, List, Optional

from torch import nn

from crossdistill.registry import TASK_UTILS


def get_submodule(model: nn.Module, path: str) -> nn.Module:
    """``model.get_submodule`` with an error that lists what exists."""
    if path in ('', None):
        return model
    try:
        return model.get_submodule(path)
    except AttributeError:
        names = [n for n, _ in model.named_modules() if n and n.count('.') < 2]
        raise KeyError(
            f'No module "{path}" in {type(model).__name__}. Top-level '
            f'modules are: {names}. Fix the recorder `source`.') from None


class BaseRecorder:
    """Keeps the values recorded since the last :meth:`reset`.

    Args:
        source: Module path; for method recorders
            ``'<module path>.<method>'``.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.data: List[Any] = []
        self._handle: Optional[Any] = None

    def attach(self, model: nn.Module) -> None:
        raise NotImplementedError

    def detach(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def reset(self) -> None:
        self.data = []

    def get(self, record_idx: int = 0, data_idx: Optional[int] = None) -> Any:
        """The ``record_idx``-th call's value, indexed by ``data_idx``.

        A module called several times in one forward pass (e.g. a shared
        head applied to each FPN level) leaves one record per call.
        """
        if not self.data:
            raise RuntimeError(
                f'Recorder "{self.source}" recorded nothing in the last '
                'forward pass: the module was not called. Check the recorder '
                '`source` and that the model runs that module in this mode.')
        if record_idx >= len(self.data):
            raise IndexError(
                f'Recorder "{self.source}" holds {len(self.data)} records, '
                f'record_idx={record_idx} was asked for.')
        value = self.data[record_idx]
        return value if data_idx is None else value[data_idx]


@TASK_UTILS.register_module('ModuleOutputs')
class ModuleOutputsRecorder(BaseRecorder):
    """Records a module's output with a forward hook."""

    def attach(self, model: nn.Module) -> None:
        self.detach()
        module = get_submodule(model, self.source)
        self._handle = module.register_forward_hook(
            lambda mod, inputs, output: self.data.append(output))


@TASK_UTILS.register_module('ModuleInputs')
class ModuleInputsRecorder(BaseRecorder):
    """Records a module's positional inputs with a forward-pre hook."""

    def attach(self, model: nn.Module) -> None:
        self.detach()
        module = get_submodule(model, self.source)
        self._handle = module.register_forward_pre_hook(
            lambda mod, inputs: self.data.append(inputs))


class _MethodPatch:
    """Removable handle for a wrapped instance method."""

    def __init__(self, owner: nn.Module, name: str) -> None:
        self.owner, self.name = owner, name

    def remove(self) -> None:
        self.owner.__dict__.pop(self.name, None)


@TASK_UTILS.register_module('MethodOutputs')
class MethodOutputsRecorder(BaseRecorder):
    """Records the return value of ``<module path>.<method name>``.

    The method is wrapped on that module instance only (the class and other
    instances are untouched); :meth:`detach` restores it.
    """

    def attach(self, model: nn.Module) -> None:
        self.detach()
        module_path, _, method_name = self.source.rpartition('.')
        owner = get_submodule(model, module_path)
        method: Callable = getattr(owner, method_name, None)
        if not callable(method):
            raise KeyError(f'{type(owner).__name__} at "{module_path}" has '
                           f'no method "{method_name}".')

        def wrapper(*args, **kwargs):
            output = method(*args, **kwargs)
            self.data.append(output)
            return output

        owner.__dict__[method_name] = wrapper
        self._handle = _MethodPatch(owner, method_name)
