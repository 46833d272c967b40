"""Registration entry point, the same as in the OpenMMLab packages."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every crossdistill module so that it registers itself.

    Also registers the mmdet3d (and through it mmdet) modules that the
    crossdistill registries inherit.

    Args:
        init_default_scope: Set the default scope to ``crossdistill`` so that
            registries look up crossdistill modules first.
    """
    from mmdet3d.utils import register_all_modules as mmdet3d_register
    mmdet3d_register(init_default_scope=False)

    import crossdistill.datasets  # noqa: F401
    import crossdistill.distillers  # noqa: F401
    import crossdistill.evaluation  # noqa: F401
    import crossdistill.hooks  # noqa: F401
    import crossdistill.losses  # noqa: F401
    import crossdistill.models  # noqa: F401
    import crossdistill.rendering  # noqa: F401
    import crossdistill.transforms  # noqa: F401

    if not init_default_scope:
        return
    never_created = (
        DefaultScope.get_current_instance() is None
        or not DefaultScope.check_instance_created('crossdistill'))
    if never_created:
        DefaultScope.get_instance('crossdistill', scope_name='crossdistill')
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope.scope_name != 'crossdistill':
        warnings.warn('The current default scope '
                      f'"{current_scope.scope_name}" is not "crossdistill", '
                      '`register_all_modules` will force the current '
                      'default scope to be "crossdistill".')
        new_instance_name = f'crossdistill-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_instance_name,
                                  scope_name='crossdistill')
