"""Registration for every test and the tiny data sets."""

import pytest

from crossdistill.utils import register_all_modules

register_all_modules()


@pytest.fixture(scope='session')
def shapes_root(tmp_path_factory) -> str:
    """A tiny synthetic shapes set (16 train / 4 val images of 64x64)."""
    from crossdistill.synth.shapes import generate_synth_shapes
    root = str(tmp_path_factory.mktemp('synth-shapes'))
    generate_synth_shapes(root, num_train=16, num_val=4, image_size=64,
                          seed=1)
    return root


@pytest.fixture(scope='session')
def nusc_root(tmp_path_factory) -> str:
    """The tiny synthetic nuScenes + Occ3D set (``driving_helpers.TINY``)
    with its info files, shared by every test that reads it: a test that
    writes into the set gets its own (a module fixture of this name)."""
    from driving_helpers import tiny_nuscenes
    return tiny_nuscenes(tmp_path_factory)
