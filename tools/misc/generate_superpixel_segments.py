"""Write SLIC superpixel maps for the nuScenes camera images (RadOcc Table 5).

    python tools/misc/generate_superpixel_segments.py --root data/nuscenes \\
        [--out-dir segments_slic] [--n-segments 200] [--compactness 10]

The superpixel alternative to SAM's segments in RadOcc's segment-guided
affinity loss (Table 5 "Model E", SLIC of Achanta et al. 2012). For every
key-frame image ``ROOT/samples/CAM_X/<stem>.jpg`` it writes
``ROOT/<out-dir>/CAM_X/<stem>.png``: a uint16 PNG of the image size with
one superpixel id (1..M) per pixel -- every pixel belongs to one -- in the
layout of ``tools/misc/generate_sam_segments.py``. Train on them with
``NuScenesOccDataset(segments_dir='segments_slic')``, e.g. the
``radocc-rsc-slic_*`` config of projects/RadOcc. Existing files are kept
unless ``--overwrite`` (an interrupted run resumes); each file is written
under a temporary name and renamed when complete.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

import numpy as np

from crossdistill.utils.segment_maps import (MAX_SEGMENT_ID, key_frame_images,
                                             write_segment_maps)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', required=True, help='nuScenes data root')
    parser.add_argument('--out-dir',
                        default='segments_slic',
                        help='output folder, relative to --root')
    parser.add_argument('--n-segments',
                        type=int,
                        default=200,
                        help='approximate number of superpixels per image')
    parser.add_argument('--compactness',
                        type=float,
                        default=10.0,
                        help='SLIC colour vs. space trade-off (higher: '
                        'more regular superpixels)')
    parser.add_argument('--overwrite',
                        action='store_true',
                        help='recompute existing superpixel maps')
    args = parser.parse_args(argv)
    if not 1 <= args.n_segments <= MAX_SEGMENT_ID:
        parser.error(f'--n-segments must lie in 1..{MAX_SEGMENT_ID}.')
    if args.compactness <= 0:
        parser.error('--compactness must be positive.')
    return args


def superpixels(image: np.ndarray, n_segments: int,
                compactness: float) -> np.ndarray:
    """SLIC of an (H, W, 3) RGB image -> (H, W) uint16 ids 1..M."""
    from skimage.segmentation import slic
    labels = slic(image,
                  n_segments=n_segments,
                  compactness=compactness,
                  start_label=1,
                  channel_axis=-1)
    _, dense = np.unique(labels, return_inverse=True)  # 1..M, no gaps
    dense = dense.reshape(labels.shape) + 1
    if dense.max() > MAX_SEGMENT_ID:
        raise ValueError(f'{dense.max()} superpixels do not fit in uint16; '
                         'lower --n-segments.')
    return dense.astype(np.uint16)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    images = key_frame_images(args.root)
    if not images:
        print(
            f'generate_superpixel_segments: no images under {args.root}/'
            'samples/CAM_*/; pass the nuScenes data root as --root.',
            file=sys.stderr)
        return 1
    written = write_segment_maps(
        images, args.root, args.out_dir,
        lambda image: superpixels(image, args.n_segments, args.compactness),
        args.overwrite)
    print(f'{written} superpixel maps written under '
          f'{osp.join(args.root, args.out_dir)} ({len(images)} images).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
