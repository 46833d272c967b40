"""A small synthetic detection set in COCO format: shapes on textured ground.

Used by the example distiller (``configs/example``) and by the core's tests:
every image holds 1-6 filled circles, squares and triangles of random size and
colour on a noisy background; ``annotations/instances_{train,val}.json`` are
standard COCO files that pycocotools and mmdet's ``CocoDataset`` read.

    python tools/create_data.py synth-shapes --out data/synth-shapes
"""
import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

CLASSES = ('circle', 'square', 'triangle')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--out', default='data/synth-shapes',
                        help='output folder')
    parser.add_argument('--num-train', type=int, default=240)
    parser.add_argument('--num-val', type=int, default=60)
    parser.add_argument('--image-size', type=int, default=128,
                        help='side of the square images in pixels')
    parser.add_argument('--seed', type=int, default=0)


def _draw_shape(canvas: np.ndarray, kind: int, cx: float, cy: float,
                size: float, colour: np.ndarray) -> Tuple[float, ...]:
    """Fill one shape; returns its tight box (x, y, w, h)."""
    h, w = canvas.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    r = size / 2
    if kind == 0:
        mask = (xs - cx)**2 + (ys - cy)**2 <= r**2
    elif kind == 1:
        mask = (np.abs(xs - cx) <= r) & (np.abs(ys - cy) <= r)
    else:  # upward triangle inside the square of side `size`
        top, bottom = cy - r, cy + r
        half_width = (ys - top) / (2 * r) * r
        mask = (ys >= top) & (ys <= bottom) & (np.abs(xs - cx) <= half_width)
    canvas[mask] = colour
    rows, cols = np.nonzero(mask)
    x0, y0 = cols.min(), rows.min()
    return (float(x0), float(y0), float(cols.max() - x0 + 1),
            float(rows.max() - y0 + 1))


def _make_image(rng: np.random.Generator,
                size: int) -> Tuple[np.ndarray, List[Tuple[int, tuple]]]:
    base = rng.uniform(60, 190, size=3)
    img = base + rng.normal(0, 10, size=(size, size, 3))
    objects = []
    for _ in range(rng.integers(1, 7)):
        kind = int(rng.integers(len(CLASSES)))
        side = rng.uniform(0.12, 0.4) * size
        cx, cy = rng.uniform(side / 2, size - side / 2, size=2)
        colour = rng.uniform(0, 255, size=3)
        box = _draw_shape(img, kind, cx, cy, side, colour)
        if box[2] >= 4 and box[3] >= 4:
            objects.append((kind, box))
    return np.clip(img, 0, 255).astype(np.uint8), objects


def generate_synth_shapes(out_dir: str,
                          num_train: int = 240,
                          num_val: int = 60,
                          image_size: int = 128,
                          seed: int = 0) -> Dict[str, str]:
    """Write the set; returns the annotation file of each split.

    Later shapes may occlude earlier ones; boxes stay those of the full
    shapes, as in COCO's amodal-free convention for fully drawn objects.
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    ann_dir = osp.join(out_dir, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    ann_files = {}
    for split, count in (('train', num_train), ('val', num_val)):
        img_dir = osp.join(out_dir, split)
        os.makedirs(img_dir, exist_ok=True)
        images, annotations = [], []
        for image_id in range(1, count + 1):
            img, objects = _make_image(rng, image_size)
            file_name = f'{image_id:06d}.png'
            Image.fromarray(img).save(osp.join(img_dir, file_name))
            images.append(
                dict(id=image_id, file_name=file_name, width=image_size,
                     height=image_size))
            for kind, box in objects:
                annotations.append(
                    dict(id=len(annotations) + 1, image_id=image_id,
                         category_id=kind + 1, bbox=list(box),
                         area=box[2] * box[3], iscrowd=0))
        coco = dict(
            images=images,
            annotations=annotations,
            categories=[dict(id=i + 1, name=n) for i, n in enumerate(CLASSES)])
        ann_files[split] = osp.join(ann_dir, f'instances_{split}.json')
        with open(ann_files[split], 'w') as f:
            json.dump(coco, f)
    return ann_files


def main(args: argparse.Namespace) -> None:
    files = generate_synth_shapes(args.out, args.num_train, args.num_val,
                                  args.image_size, args.seed)
    for split, path in files.items():
        print(f'{split}: {path}')
