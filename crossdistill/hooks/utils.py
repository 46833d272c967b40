from mmengine.model import is_model_wrapper
from torch import nn


def unwrap_distiller(runner, hook_name: str) -> nn.Module:
    """The runner's model without DDP wrappers; must be a distiller."""
    model = runner.model
    if is_model_wrapper(model):
        model = model.module
    if not hasattr(model, 'distill_losses'):
        raise TypeError(f'{hook_name} needs a distiller model (e.g. '
                        'SingleTeacherDistiller), got '
                        f'{type(model).__name__}.')
    return model
