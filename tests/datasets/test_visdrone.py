"""VisDrone: synthetic aerial world, VisDrone -> COCO converter, dataset."""
import argparse
import io
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from crossdistill.datasets.converters import visdrone as conv
from crossdistill.synth.aerial import cli, world

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', '_base_',
                      'datasets')


def _write_split(root, split, files):
    """files: {stem: (annotation text or None, (width, height) or None)}."""
    folder = osp.join(root, conv.SPLIT_FOLDERS[split])
    os.makedirs(osp.join(folder, 'images'), exist_ok=True)
    os.makedirs(osp.join(folder, 'annotations'), exist_ok=True)
    for stem, (text, size) in files.items():
        if size is not None:
            Image.new('RGB', size, (90, 90, 90)).save(
                osp.join(folder, 'images', stem + '.jpg'))
        if text is not None:
            with open(osp.join(folder, 'annotations', stem + '.txt'),
                      'w') as f:
                f.write(text)
    return folder


# image 100x80; comments give the expected outcome
PROTOCOL_ROWS = '\n'.join([
    '0,0,50,40,0,0,0,0',  # ignored region -> 10 iscrowd boxes
    '5,5,10,10,1,1,0,0',  # pedestrian inside the region -> dropped
    '40,30,20,20,1,4,0,1',  # car 25 % inside the region -> kept
    '60,50,10,10,1,11,0,0',  # others -> dropped
    '90,70,20,20,1,5,1,0,',  # van, trailing comma -> clipped to 10x10
    '100,10,5,5,1,3,0,0',  # bicycle right of the image -> degenerate
    '70,10,0,5,1,2,0,0',  # zero width -> degenerate
    '',
    '60,5,8,8,0,2,0,2',  # score 0 people -> iscrowd for 'people' only
]) + '\n'


def test_parse_annotation_file(tmp_path):
    path = tmp_path / 'a.txt'
    path.write_text('1,2,3,4,1,4,0,1,\n\n 5, 6,7,8,0,0,0,0\n')
    assert conv.parse_annotation_file(str(path)) == [[1, 2, 3, 4, 1, 4, 0, 1],
                                                     [5, 6, 7, 8, 0, 0, 0, 0]]


@pytest.mark.parametrize('line,message', [
    ('1,2,3,4,1,4,0', 'expected 8'),
    ('1,2,3,4,1,4,0,0,0', 'expected 8'),
    ('1,2,3.5,4,1,4,0,0', 'integers'),
    ('1,2,x,4,1,4,0,0', 'integers'),
    ('1,2,-3,4,1,4,0,0', 'negative'),
    ('1,2,3,4,1,12,0,0', 'category 12'),
    ('1,2,3,4,0.9,4,0,0', 'integers'),
    ('1,2,3,4,2,4,0,0', 'score'),
])
def test_parse_malformed_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / 'bad.txt'
    path.write_text(f'1,2,3,4,1,4,0,0\n{line}\n')
    with pytest.raises(conv.VisDroneFormatError) as err:
        conv.parse_annotation_file(str(path))
    assert f'{path}, line 2' in str(err.value)
    assert message in str(err.value)


def test_convert_protocol(tmp_path):
    from pycocotools.coco import COCO
    _write_split(tmp_path, 'val', {
        'img_a': (PROTOCOL_ROWS, (100, 80)),
        'img_b': ('', (64, 48)),
    })
    result = conv.convert_visdrone(str(tmp_path), splits=['val'])
    path = result['val']['path']
    assert path == osp.join(str(tmp_path), 'annotations',
                            'visdrone2019_det_val.json')
    assert result['val']['counts'] == {
        'ignored regions': 1,
        'objects in ignored regions dropped': 1,
        'objects': 2,
        'others dropped': 1,
        'degenerate boxes dropped': 2,
        'score-0 boxes (iscrowd)': 1,
    }
    coco = COCO(path)
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(
        conv.VISDRONE_CLASSES)
    assert coco.getCatIds() == list(range(1, 11))
    img_a, img_b = coco.loadImgs([1, 2])
    assert (img_a['file_name'], img_a['width'], img_a['height']) == (
        'img_a.jpg', 100, 80)
    assert img_a['ignore_regions'] == [[0, 0, 50, 40]]
    assert coco.getAnnIds(imgIds=[2]) == []
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[1]))
    crowd = [a for a in anns if a['iscrowd'] and a['bbox'] == [0, 0, 50, 40]]
    assert sorted(a['category_id'] for a in crowd) == list(range(1, 11))
    rest = sorted((a['category_id'], a['bbox'], a['iscrowd'], a['truncation'],
                   a['occlusion']) for a in anns if a not in crowd)
    assert rest == [(2, [60, 5, 8, 8], 1, 0, 2),
                    (4, [40, 30, 20, 20], 0, 0, 1),
                    (5, [90, 70, 10, 10], 0, 1, 0)]
    assert all(a['area'] == a['bbox'][2] * a['bbox'][3] for a in anns)

    from mmdet.datasets import CocoDataset
    dataset = CocoDataset(
        ann_file=path, data_root=str(tmp_path),
        data_prefix=dict(img='VisDrone2019-DET-val/images/'),
        metainfo=dict(classes=conv.VISDRONE_CLASSES), test_mode=True,
        pipeline=[])
    instances = dataset.get_data_info(0)['instances']
    assert len(dataset) == 2 and len(instances) == 13
    assert sum(i['ignore_flag'] for i in instances) == 11
    assert sorted(i['bbox_label'] for i in instances
                  if not i['ignore_flag']) == [3, 4]


def test_coco_metric_ignores_detections_in_ignored_regions(tmp_path):
    """A confident false car inside an ignored region must not cost AP."""
    import torch
    from mmdet.evaluation import CocoMetric
    _write_split(tmp_path, 'val', {'img_a': (PROTOCOL_ROWS, (100, 80))})
    path = conv.convert_visdrone(str(tmp_path), splits=['val'])['val']['path']

    def evaluate(extra_box):
        boxes = [[40, 30, 60, 50], [90, 70, 100, 80]] + extra_box
        metric = CocoMetric(ann_file=path, metric='bbox')
        metric.dataset_meta = dict(classes=conv.VISDRONE_CLASSES)
        metric.process({}, [dict(
            img_id=1, ori_shape=(80, 100),
            pred_instances=dict(
                bboxes=torch.tensor(boxes, dtype=torch.float32),
                scores=torch.tensor([0.8, 0.7, 0.9][:len(boxes)]),
                labels=torch.tensor([3, 4, 3][:len(boxes)])))])
        return metric.evaluate(size=1)['coco/bbox_mAP']

    assert evaluate([]) == pytest.approx(1.0)
    assert evaluate([[10, 10, 30, 30]]) == pytest.approx(1.0)  # in region
    assert evaluate([[60, 10, 80, 25]]) < 0.9  # outside: a false positive


def test_convert_missing_folders_and_files(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        conv.convert_visdrone(str(tmp_path), splits=['train'])
    message = str(err.value)
    assert osp.join(str(tmp_path), 'VisDrone2019-DET-train') in message
    assert 'synth-visdrone' in message
    _write_split(tmp_path, 'train', {'a': ('', (32, 32)), 'b': (None,
                                                                (32, 32))})
    with pytest.raises(FileNotFoundError, match=r"\['b'\]"):
        conv.convert_visdrone(str(tmp_path), splits=['train'])
    assert not osp.exists(osp.join(str(tmp_path), 'annotations'))


def test_convert_cli_reports_bad_line(tmp_path, capsys):
    _write_split(tmp_path, 'val', {'a': ('1,2,3\n', (32, 32))})
    parser = argparse.ArgumentParser()
    conv.add_arguments(parser)
    with pytest.raises(SystemExit, match='a.txt, line 1'):
        conv.main(parser.parse_args(['--root', str(tmp_path), '--splits',
                                     'val']))


def _files(root):
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            with open(osp.join(folder, name), 'rb') as f:
                out[osp.relpath(osp.join(folder, name), root)] = f.read()
    return out


def test_generator_deterministic_and_valid(tmp_path):
    cfg = world.AerialWorldConfig(width=320, height=180)
    a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
    stats = world.generate_synth_visdrone(a, 3, 2, cfg, seed=7, workers=2)
    world.generate_synth_visdrone(b, 3, 2, cfg, seed=7, workers=1)
    assert _files(a) == _files(b)
    assert stats['train']['images'] == 3 and stats['val']['images'] == 2
    with pytest.raises(FileExistsError, match='--overwrite'):
        world.generate_synth_visdrone(a, 1, 1, cfg, seed=8)
    world.generate_synth_visdrone(a, 1, 1, cfg, seed=8, overwrite=True)
    assert _files(a) != _files(b)

    labels = osp.join(b, 'VisDrone2019-DET-train', 'annotations')
    rows = np.array([
        row for name in sorted(os.listdir(labels))
        for row in conv.parse_annotation_file(osp.join(labels, name))
    ])
    assert len(rows) > 20
    x, y, w, h, score, cat, trunc, occ = rows.T
    assert (w > 0).all() and (h > 0).all()
    assert (x >= 0).all() and (y >= 0).all()
    assert (x + w <= 320).all() and (y + h <= 180).all()
    assert ((score == 0) == (cat == 0)).all()
    assert set(cat) <= set(range(12)) and set(trunc) <= {0, 1}
    assert set(occ) <= {0, 1, 2}
    at_border = (x == 0) | (y == 0) | (x + w == 320) | (y + h == 180)
    assert at_border[trunc == 1].all()


def test_generator_cli(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    out = str(tmp_path / 'sv')
    cli.main(parser.parse_args(['--out', out, '--num-train', '2',
                                '--num-val', '1', '--width', '160',
                                '--height', '96', '--workers', '1']))
    assert 'tools/create_data.py visdrone --root' in capsys.readouterr().out
    images = os.listdir(osp.join(out, 'VisDrone2019-DET-val', 'images'))
    assert len(images) == 1
    with Image.open(osp.join(out, 'VisDrone2019-DET-val', 'images',
                             images[0])) as img:
        assert img.size == (160, 96) and img.format == 'JPEG'
    with pytest.raises(SystemExit, match='--overwrite'):
        cli.main(parser.parse_args(['--out', out]))


def test_world_categories_match_converter():
    assert world.VISDRONE_CATEGORIES[1:11] == conv.VISDRONE_CLASSES


@pytest.mark.parametrize('plain,patterned', [
    (world.CAR, world.VAN), (world.PEDESTRIAN, world.PEOPLE),
    (world.TRICYCLE, world.AWNING_TRICYCLE)
])
def test_lookalikes_identical_at_1x(plain, patterned):
    """The pairs differ at 2x and map to the same pixels when halved."""
    import mmcv
    colour, other = (168, 48, 44), (60, 100, 160)
    if plain == world.CAR:
        make = lambda c: world.vehicle_sprite(c, 18, 8, colour)  # noqa: E731
    elif plain == world.PEDESTRIAN:
        make = lambda c: world.person_sprite(c, 10, 4, colour,  # noqa: E731
                                             other)
    else:
        make = lambda c: world.tricycle_sprite(c, 12, 6, colour,  # noqa: E731
                                               other)
    views = []
    for category in (plain, patterned):
        sprite = make(category)
        canvas = np.full((24, 32, 3), 120, np.float32)
        h, w = sprite.alpha.shape
        canvas[4:4 + h, 6:6 + w][sprite.alpha] = sprite.rgb[sprite.alpha]
        views.append(canvas.astype(np.uint8))
    native = np.abs(views[0].astype(int) - views[1].astype(int))
    assert native.max() >= 30
    halved = [mmcv.imresize(v, (16, 12), interpolation='bilinear')
              for v in views]
    assert np.abs(halved[0].astype(int) - halved[1].astype(int)).max() <= 1


def _auc(pos, neg):
    return float((np.asarray(pos)[:, None] > np.asarray(neg)[None]).mean())


def test_2x_view_carries_the_class_information():
    """On rendered JPEG images the patterned class of each pair has far more
    energy in the 2x2 detail band than its look-alike (AUC > 0.95); in the
    halved (1x) image the in-box contrast no longer tells them apart."""
    import mmcv
    cfg = world.AerialWorldConfig()
    categories = [c for pair in world.LOOKALIKE_PAIRS.items() for c in pair]
    detail = {c: [] for c in categories}
    contrast = {c: [] for c in categories}
    for index in range(30):
        img, rows = world.render_image(cfg, (3, 0, index))
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, 'JPEG', quality=cfg.jpeg_quality)
        img = np.asarray(Image.open(buf))
        half = mmcv.imresize(img, (cfg.width // 2, cfg.height // 2),
                             interpolation='bilinear').astype(np.float32)
        grey = img.astype(np.float32).mean(-1)
        for x, y, w, h, _, cat, trunc, occ in rows:
            if cat not in detail or trunc or occ:
                continue
            blocks = grey[y:y + h, x:x + w].reshape(h // 2, 2, w // 2, 2)
            detail[cat].append(
                np.abs(blocks - blocks.mean((1, 3), keepdims=True)).mean())
            crop = half[y // 2:(y + h) // 2, x // 2:(x + w) // 2].mean(-1)
            contrast[cat].append(np.abs(crop - crop.mean()).mean())
    for patterned, plain in world.LOOKALIKE_PAIRS.items():
        assert min(len(detail[patterned]), len(detail[plain])) >= 8
        assert _auc(detail[patterned], detail[plain]) > 0.95
        assert 0.3 < _auc(contrast[patterned], contrast[plain]) < 0.7


def test_dataset_loads_generated_set(tmp_path):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import crossdistill.datasets.visdrone  # noqa: F401
    from crossdistill.registry import DATASETS
    root = str(tmp_path / 'synth-visdrone')
    world.generate_synth_visdrone(root, 2, 1, world.AerialWorldConfig(),
                                  seed=1)
    conv.convert_visdrone(root)
    init_default_scope('crossdistill')
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'synth_visdrone.py'))
    assert cfg.val_evaluator.ann_file.startswith('data/synth-visdrone/')
    ignored = 0
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        dataset = DATASETS.build(dict(loader.dataset, data_root=root + '/'))
        assert type(dataset).__name__ == 'VisDroneDataset'
        assert dataset.metainfo['classes'] == conv.VISDRONE_CLASSES
        assert all(type(t).__module__.startswith(('mmdet.', 'mmcv.'))
                   for t in dataset.pipeline.transforms)
        assert type(dataset.pipeline.transforms[-1]).__name__ == \
            'PackDetInputs'
        for index in range(len(dataset)):
            packed = dataset[index]
            assert tuple(packed['inputs'].shape) == (3, 180, 320)
            sample = packed['data_samples']
            assert len(sample.gt_instances) > 5
            assert sample.gt_instances.labels.max() < 10
            assert sample.scale_factor == (0.5, 0.5)
            regions = len(dataset.get_data_info(index)['ignore_regions'])
            assert len(sample.ignored_instances) == 10 * regions
            ignored += regions
    assert ignored > 0
    with pytest.raises(FileNotFoundError, match='create_data.py visdrone'):
        DATASETS.build(dict(cfg.val_dataloader.dataset,
                            data_root=str(tmp_path / 'nowhere')))
