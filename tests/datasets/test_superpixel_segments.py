"""SLIC superpixel segment maps (RadOcc Table 5 "Model E"): the tool, the
dataset's ``segments_dir`` and loading them through the training pipeline."""
import glob
import importlib.util
import os
import os.path as osp
import shutil
from types import ModuleType

import mmengine
import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from crossdistill.datasets.converters.nuscenes import CAMERA_TYPES
from crossdistill.datasets.nuscenes_occ import NuScenesOccDataset
from crossdistill.registry import DATASETS, TRANSFORMS
from crossdistill.transforms import LoadSegmentMaps, MultiViewImageAug
from driving_helpers import TINY

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
N_SEGMENTS = 50
SLIC_CONFIG = ('projects/RadOcc/configs/radocc-rsc-slic_bevdet-occ-r18w16_'
               'bevfusion-occ-r18w16_6e_synth-nus-occ3d.py')


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        'generate_superpixel_segments',
        osp.join(REPO, 'tools', 'misc', 'generate_superpixel_segments.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _pngs(root: str, out_dir: str = 'segments_slic') -> list:
    return sorted(glob.glob(osp.join(root, out_dir, 'CAM_*', '*')))


@pytest.fixture(scope='module')
def nusc_root(nusc_root, tmp_path_factory) -> str:
    """A copy of the tiny synthetic set (conftest.py) with its info files
    and SLIC superpixels: the tests write into it."""
    root = str(tmp_path_factory.mktemp('synth-nus') / 'data')
    shutil.copytree(nusc_root, root)
    assert _tool().main(['--root', root, '--n-segments', str(N_SEGMENTS)]) \
        == 0
    return root


def test_tool_writes_one_map_per_key_frame_image(nusc_root):
    images = sorted(glob.glob(osp.join(nusc_root, 'samples', 'CAM_*',
                                       '*.jpg')))
    assert len(images) == 6 * TINY['num_scenes'] * TINY['samples_per_scene']
    pngs = _pngs(nusc_root)
    assert [osp.relpath(p, osp.join(nusc_root, 'segments_slic'))
            for p in pngs] == [
                osp.relpath(p, osp.join(nusc_root, 'samples'))[:-4] + '.png'
                for p in images
            ]  # no temporary files left
    for image, png in zip(images, pngs):
        ids = np.asarray(Image.open(png))
        assert ids.dtype == np.uint16
        assert ids.shape == Image.open(image).size[::-1]
        unique = np.unique(ids)
        assert unique[0] == 1  # every pixel in a superpixel
        np.testing.assert_array_equal(unique, np.arange(1, len(unique) + 1))
        assert 10 <= len(unique) <= 4 * N_SEGMENTS
        # superpixels differ from the synthetic SAM-like segments
        sam = np.asarray(Image.open(png.replace('segments_slic', 'segments')))
        assert not np.array_equal(ids, sam)


def test_tool_resumes_and_overwrites(nusc_root, capsys):
    pngs = _pngs(nusc_root)
    mtimes = [os.stat(p).st_mtime_ns for p in pngs]
    tool = _tool()
    assert tool.main(['--root', nusc_root]) == 0
    assert capsys.readouterr().out.startswith(
        f'0 superpixel maps written under {nusc_root}/segments_slic '
        f'({len(pngs)} images)')
    assert [os.stat(p).st_mtime_ns for p in pngs] == mtimes
    # a partial run resumes; --overwrite recomputes into another folder
    os.remove(pngs[0])
    assert tool.main(['--root', nusc_root, '--n-segments',
                      str(N_SEGMENTS)]) == 0
    assert capsys.readouterr().out.startswith('1 superpixel maps written')
    assert _pngs(nusc_root) == pngs
    other = osp.join(nusc_root, 'slic_coarse')
    for _ in range(2):
        assert tool.main([
            '--root', nusc_root, '--out-dir', 'slic_coarse', '--n-segments',
            '12', '--overwrite'
        ]) == 0
        assert capsys.readouterr().out.startswith(
            f'{len(pngs)} superpixel maps written under {other}')
    coarse = np.asarray(Image.open(_pngs(nusc_root, 'slic_coarse')[0]))
    assert coarse.max() < np.asarray(Image.open(pngs[0])).max()
    shutil.rmtree(other)


def test_tool_errors(tmp_path, capsys):
    tool = _tool()
    assert tool.main(['--root', str(tmp_path)]) == 1
    assert 'no images under' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main(['--root', str(tmp_path), '--n-segments', '0'])
    assert '--n-segments must lie in' in capsys.readouterr().err


def test_dataset_segments_dir(nusc_root, tmp_path):
    sam = NuScenesOccDataset(data_root=nusc_root,
                             ann_file='nuscenes_infos_train.pkl')
    slic = NuScenesOccDataset(data_root=nusc_root,
                              ann_file='nuscenes_infos_train.pkl',
                              segments_dir='segments_slic')
    infos = mmengine.load(osp.join(nusc_root,
                                   'nuscenes_infos_train.pkl'))['data_list']
    for index, info in enumerate(infos):
        paths = sam.get_data_info(index)['segment_paths']
        assert paths == {
            cam: osp.join(nusc_root, path)
            for cam, path in info['segment_paths'].items()
        }
        assert slic.get_data_info(index)['segment_paths'] == {
            cam: path.replace(osp.join(nusc_root, 'segments', ''),
                              osp.join(nusc_root, 'segments_slic', ''))
            for cam, path in paths.items()
        }
    # an info file without segments: the stems of the camera images
    for info in infos:
        info['segment_paths'] = dict.fromkeys(info['segment_paths'])
    mmengine.dump(dict(metainfo=sam.metainfo, data_list=infos),
                  str(tmp_path / 'no_segments.pkl'))
    bare = NuScenesOccDataset(data_root=nusc_root,
                              ann_file=str(tmp_path / 'no_segments.pkl'),
                              segments_dir='segments_slic')
    paths = bare.get_data_info(0)['segment_paths']
    assert list(paths) == list(CAMERA_TYPES)
    assert paths == slic.get_data_info(0)['segment_paths']
    assert all(osp.isfile(p) for p in paths.values())


def test_load_segment_maps_reads_the_superpixels(nusc_root):
    dataset = NuScenesOccDataset(data_root=nusc_root,
                                 ann_file='nuscenes_infos_train.pkl',
                                 segments_dir='segments_slic')
    results = TRANSFORMS.build(
        dict(type='LoadMultiViewImageFromFiles',
             num_views=6))(dataset.get_data_info(0))
    h, w = results['img'][0].shape[:2]
    results = LoadSegmentMaps()(MultiViewImageAug(final_size=(h, w))(results))
    expected = np.stack([
        np.asarray(
            Image.open(
                osp.join(nusc_root, 'segments_slic', cam,
                         osp.basename(results['images'][cam]['img_path'])
                         [:-4] + '.png'))) for cam in CAMERA_TYPES
    ])
    np.testing.assert_array_equal(results['gt_segments'], expected)


def test_training_pipeline_and_config(nusc_root):
    cfg = Config.fromfile(osp.join(REPO, SLIC_CONFIG))
    assert cfg.train_dataloader.dataset.segments_dir == 'segments_slic'
    assert 'segments_dir' not in cfg.val_dataloader.dataset
    assert cfg.train_dataloader.dataset.pipeline == Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/synth-nus-occ3d.py')
    ).train_dataloader.dataset.pipeline
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = nusc_root + '/'
    dataset = DATASETS.build(dataset_cfg)
    segments = dataset[0]['data_samples'].gt_segments.numpy()
    info = dataset.get_data_info(0)
    ids = set()
    for cam in CAMERA_TYPES:
        assert '/segments_slic/' in info['segment_paths'][cam]
        ids |= set(np.unique(np.asarray(Image.open(
            info['segment_paths'][cam]))).tolist())
    assert segments.shape == (6, *cfg.final_size)
    assert set(np.unique(segments).tolist()) <= ids | {0}
    assert len(np.unique(segments)) > 10

    # a missing superpixel map: the file and the command that writes it
    dataset_cfg.segments_dir = 'segments_none'
    dataset = DATASETS.build(dataset_cfg)
    with pytest.raises(FileNotFoundError) as error:
        dataset[0]
    message = str(error.value)
    assert osp.join(nusc_root, 'segments_none', 'CAM_FRONT', '') in message
    assert 'generate_superpixel_segments.py --root' in message
    assert '--out-dir segments_none' in message
