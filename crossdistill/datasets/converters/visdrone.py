"""VisDrone2019-DET annotations -> COCO json (create_data.py ``visdrone``).

    python tools/create_data.py visdrone --root data/VisDrone2019
    # -> data/VisDrone2019/annotations/visdrone2019_det_{train,val}.json

Input: ``ROOT/VisDrone2019-DET-{split}/images/*.jpg`` and
``annotations/*.txt`` with one row ``left,top,width,height,score,category,
truncation,occlusion`` per box (integers; a trailing comma is allowed).

COCO categories: ids 1-10 are the VisDrone ids of the 10 evaluated classes,
with the official names: 1 pedestrian, 2 people, 3 bicycle, 4 car, 5 van,
6 truck, 7 tricycle, 8 awning-tricycle, 9 bus, 10 motor.

Protocol (the official toolkit: ``saveAnnoRes.m``, ``dropObjectsInIgr.m``,
``calcAccuracy.m``), and how it is carried into COCO:

* **Ignored regions** (category 0, score 0) are class-agnostic in VisDrone:
  ground truths and detections with at least half their box inside them are
  not evaluated. pycocotools only knows per-category crowd boxes, so each
  region is exported as 10 ``iscrowd=1`` annotations, one per category:
  pycocotools then ignores an unmatched detection of any class whose
  intersection with the region covers at least the IoU threshold of its
  area (the official rule uses 50 % at every threshold, so at thresholds
  above 0.5 slightly fewer detections are ignored). The regions are also
  kept as ``ignore_regions`` ([x, y, w, h] lists) in each image entry for an
  exact evaluation. Objects with >= 50 % of their box inside ignored
  regions are dropped, as the toolkit does.
* **score 0 on a class 1-10 row** ("box ignored in evaluation") becomes an
  ``iscrowd=1`` annotation of that class only.
* **others** (11) is not evaluated and is not an ignored region in the
  toolkit (a detection of another class on it is a false positive), so its
  rows are dropped: in training the object is background.
* Boxes are clipped to the image; a box with zero width or height, before or
  after clipping, is dropped. Negative sizes, non-integers, a wrong number
  of fields, a category outside 0-11 or a score other than 0/1 are errors
  naming the file and line. Every image needs its annotation file and vice
  versa. Nothing is written until every split has been read.

Each annotation keeps ``truncation`` and ``occlusion``; ``area`` is the box
area (there are no masks).
"""
import argparse
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional, Sequence

VISDRONE_CLASSES = ('pedestrian', 'people', 'bicycle', 'car', 'van', 'truck',
                    'tricycle', 'awning-tricycle', 'bus', 'motor')
IGNORED_REGION, OTHERS = 0, 11
SPLIT_FOLDERS = {
    'train': 'VisDrone2019-DET-train',
    'val': 'VisDrone2019-DET-val',
    'test-dev': 'VisDrone2019-DET-test-dev',
}
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png')
_FIELDS = ('left', 'top', 'width', 'height', 'score', 'category',
           'truncation', 'occlusion')


class VisDroneFormatError(ValueError):
    """A VisDrone annotation file that does not follow the format."""


def coco_json_name(split: str) -> str:
    return f'visdrone2019_det_{split.replace("-", "_")}.json'


def parse_annotation_file(path: str) -> List[List[int]]:
    """Read one VisDrone annotation file into rows of 8 integers."""
    rows = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            fields = line.split(',')
            if fields[-1].strip() == '':  # trailing comma
                fields = fields[:-1]
            where = f'{path}, line {lineno}'
            if len(fields) != len(_FIELDS):
                raise VisDroneFormatError(
                    f'{where}: expected {len(_FIELDS)} comma-separated '
                    f'integers ({",".join(_FIELDS)}), got {len(fields)} '
                    f'fields: {line!r}. Fix or delete the line.')
            try:
                row = [int(v) for v in fields]
            except ValueError:
                raise VisDroneFormatError(
                    f'{where}: all fields must be integers, got {line!r}. '
                    'Fix or delete the line.') from None
            left, top, width, height, score, category = row[:6]
            if width < 0 or height < 0:
                raise VisDroneFormatError(
                    f'{where}: negative box size (width {width}, height '
                    f'{height}) in {line!r}. Fix or delete the line.')
            if category not in range(12):
                raise VisDroneFormatError(
                    f'{where}: category {category} is not one of the '
                    f'VisDrone categories 0-11 in {line!r}.')
            if score not in (0, 1):
                raise VisDroneFormatError(
                    f'{where}: ground-truth score must be 0 (ignored) or 1 '
                    f'(evaluated), got {score} in {line!r}; is this a '
                    'detection result file?')
            rows.append(row)
    return rows


def _clip(row: Sequence[int], width: int, height: int) -> List[int]:
    x0, y0 = max(0, row[0]), max(0, row[1])
    x1, y1 = min(width, row[0] + row[2]), min(height, row[1] + row[3])
    return [x0, y0, x1 - x0, y1 - y0]


def _share_inside(box: Sequence[int],
                  regions: Sequence[Sequence[int]]) -> float:
    """Share of ``box`` (x, y, w, h) covered by the union of ``regions``."""
    import numpy as np
    x, y, w, h = box
    covered = np.zeros((h, w), bool)
    for rx, ry, rw, rh in regions:
        covered[max(0, ry - y):max(0, ry + rh - y),
                max(0, rx - x):max(0, rx + rw - x)] = True
    return float(covered.mean())


def _split_folders(root: str, split: str) -> Dict[str, str]:
    folder = osp.join(root, SPLIT_FOLDERS[split])
    dirs = {kind: osp.join(folder, kind) for kind in ('images', 'annotations')}
    for path in dirs.values():
        if not osp.isdir(path):
            raise FileNotFoundError(
                f'{path} not found. Expected {folder}/images/*.jpg and '
                f'{folder}/annotations/*.txt: unzip {SPLIT_FOLDERS[split]}'
                f'.zip into {root}, pass the right --root, choose other '
                '--splits, or write a synthetic set with `python '
                f'tools/create_data.py synth-visdrone --out {root}`.')
    return dirs


def convert_split(root: str, split: str) -> dict:
    """Read one split and return its COCO dict (``info`` holds the counts)."""
    from PIL import Image

    dirs = _split_folders(root, split)
    images = {
        osp.splitext(name)[0]: name
        for name in sorted(os.listdir(dirs['images']))
        if name.lower().endswith(IMAGE_EXTENSIONS)
    }
    labels = {
        osp.splitext(name)[0]
        for name in os.listdir(dirs['annotations']) if name.endswith('.txt')
    }
    for missing, have, kind in ((sorted(set(images) - labels), 'images',
                                 'annotations'),
                                (sorted(labels - set(images)), 'annotations',
                                 'images')):
        if missing:
            raise FileNotFoundError(
                f'{len(missing)} file(s) in {dirs[have]} have no '
                f'counterpart in {dirs[kind]}, e.g. {missing[:3]}. Every '
                'image needs <name>.txt and every annotation <name>.jpg.')
    categories = [
        dict(id=i, name=name, supercategory='person' if i <= 2 else 'vehicle')
        for i, name in enumerate(VISDRONE_CLASSES, 1)
    ]
    coco_images, annotations, counts = [], [], Counter()

    def add(image_id, box, category, iscrowd, row):
        annotations.append(
            dict(id=len(annotations) + 1, image_id=image_id,
                 category_id=category, bbox=box, area=box[2] * box[3],
                 iscrowd=iscrowd, truncation=row[6], occlusion=row[7]))

    for image_id, (stem, file_name) in enumerate(images.items(), 1):
        label_path = osp.join(dirs['annotations'], stem + '.txt')
        rows = parse_annotation_file(label_path)
        with Image.open(osp.join(dirs['images'], file_name)) as img:
            width, height = img.size
        regions = []
        for row in rows:
            if row[5] == IGNORED_REGION:
                box = _clip(row, width, height)
                if box[2] <= 0 or box[3] <= 0:
                    counts['degenerate boxes dropped'] += 1
                    continue
                regions.append(box)
                counts['ignored regions'] += 1
                for category in range(1, len(VISDRONE_CLASSES) + 1):
                    add(image_id, box, category, 1, row)
        coco_images.append(
            dict(id=image_id, file_name=file_name, width=width, height=height,
                 ignore_regions=regions))
        for row in rows:
            category = row[5]
            if category == IGNORED_REGION:
                continue
            if category == OTHERS:
                counts['others dropped'] += 1
                continue
            box = _clip(row, width, height)
            if box[2] <= 0 or box[3] <= 0:
                counts['degenerate boxes dropped'] += 1
            elif regions and _share_inside(box, regions) >= 0.5:
                counts['objects in ignored regions dropped'] += 1
            else:
                iscrowd = int(row[4] == 0)
                counts['score-0 boxes (iscrowd)' if iscrowd else 'objects'] \
                    += 1
                add(image_id, box, category, iscrowd, row)
    info = dict(description=f'VisDrone2019-DET {split} in COCO format '
                '(crossdistill.datasets.converters.visdrone)',
                counts=dict(counts))
    return dict(info=info, images=coco_images, annotations=annotations,
                categories=categories)


def convert_visdrone(root: str,
                     out_dir: Optional[str] = None,
                     splits: Sequence[str] = ('train', 'val')
                     ) -> Dict[str, dict]:
    """Convert ``splits`` of the VisDrone root.

    Returns ``{split: dict(path=written json, counts=kept/dropped counts)}``.
    """
    out_dir = out_dir or osp.join(root, 'annotations')
    cocos = {split: convert_split(root, split) for split in splits}
    os.makedirs(out_dir, exist_ok=True)
    written = {}
    for split, coco in cocos.items():
        path = osp.join(out_dir, coco_json_name(split))
        with open(path + '.partial', 'w') as f:
            json.dump(coco, f)
        os.replace(path + '.partial', path)
        written[split] = dict(path=path, counts=coco['info']['counts'])
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--root', required=True,
                        help='folder holding VisDrone2019-DET-{train,val}')
    parser.add_argument('--out-dir',
                        help='where to write the json files '
                        '(default: ROOT/annotations)')
    parser.add_argument('--splits', nargs='+', default=['train', 'val'],
                        choices=sorted(SPLIT_FOLDERS),
                        help='splits to convert')


def main(args: argparse.Namespace) -> None:
    try:
        written = convert_visdrone(args.root, args.out_dir, args.splits)
    except (FileNotFoundError, VisDroneFormatError) as err:
        raise SystemExit(f'error: {err}')
    for split, result in written.items():
        counts = ', '.join(f'{k}: {v}' for k, v in result['counts'].items())
        print(f'{split}: {result["path"]} ({counts})')
