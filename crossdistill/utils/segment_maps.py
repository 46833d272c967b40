"""Per-camera segment maps on disk, shared by the offline segment tools.

Layout (read by ``tools/create_data.py nuscenes`` and ``LoadSegmentMaps``):
for every key-frame image ``ROOT/samples/CAM_X/<stem>.jpg`` one uint16 PNG
``ROOT/<out_dir>/CAM_X/<stem>.png`` of the image size, one segment id per
pixel (1..M, 0 = no segment). ``tools/misc/generate_sam_segments.py`` (SAM)
and ``tools/misc/generate_superpixel_segments.py`` (SLIC) differ only in the
function that turns an RGB image into such an id map.
"""
import glob
import os
import os.path as osp
from typing import Callable, List, Sequence

import numpy as np

CAMERA_TYPES = ('CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT', 'CAM_BACK',
                'CAM_BACK_LEFT', 'CAM_BACK_RIGHT')
MAX_SEGMENT_ID = np.iinfo(np.uint16).max


def key_frame_images(root: str) -> List[str]:
    """``ROOT/samples/CAM_X/*.jpg`` of the six cameras, sorted per camera."""
    images = []
    for cam in CAMERA_TYPES:
        images += sorted(glob.glob(osp.join(root, 'samples', cam, '*.jpg')))
    return images


def segment_map_path(root: str, out_dir: str, image_path: str) -> str:
    """``ROOT/<out_dir>/CAM_X/<stem>.png`` of ``.../CAM_X/<stem>.jpg``."""
    cam = osp.basename(osp.dirname(image_path))
    stem = osp.splitext(osp.basename(image_path))[0]
    return osp.join(root, out_dir, cam, stem + '.png')


def write_segment_map(path: str, ids: np.ndarray) -> None:
    """Write a 2-D id map as a uint16 PNG, atomically (tmp + rename)."""
    from PIL import Image
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f'a segment map is 2-D (H, W), got {ids.shape}.')
    if ids.size and (ids.min() < 0 or ids.max() > MAX_SEGMENT_ID):
        raise ValueError(f'segment ids must lie in 0..{MAX_SEGMENT_ID}, got '
                         f'{ids.min()}..{ids.max()} for {path}.')
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(ids.astype(np.uint16)).save(path + '.tmp.png')
    os.replace(path + '.tmp.png', path)


def write_segment_maps(images: Sequence[str],
                       root: str,
                       out_dir: str,
                       segment_fn: Callable[[np.ndarray], np.ndarray],
                       overwrite: bool = False) -> int:
    """Write ``segment_fn(rgb image)`` for each image; the number written.

    Existing maps are kept unless ``overwrite``, so an interrupted run
    resumes where it stopped.
    """
    from PIL import Image
    written = 0
    for path in images:
        out = segment_map_path(root, out_dir, path)
        if osp.exists(out) and not overwrite:
            continue
        image = np.array(Image.open(path).convert('RGB'))
        ids = segment_fn(image)
        if np.shape(ids) != image.shape[:2]:
            raise ValueError(f'segment map of shape {np.shape(ids)} for '
                             f'{path} of shape {image.shape[:2]}.')
        write_segment_map(out, ids)
        written += 1
    return written
