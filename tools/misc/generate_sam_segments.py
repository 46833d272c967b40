"""Write SAM segment maps for the nuScenes camera images (RadOcc's segments).

    python tools/misc/generate_sam_segments.py --root data/nuscenes \\
        --checkpoint checkpoints/sam_vit_h_4b8939.pth [--model-type vit_h]

For every key-frame image ``ROOT/samples/CAM_X/<stem>.jpg`` it runs SAM's
automatic mask generator and writes ``ROOT/segments/CAM_X/<stem>.png``: a
uint16 PNG of the image size holding one segment id (1..M) per pixel, 0
where no mask covers it -- the layout the converter (``tools/create_data.py
nuscenes``) and ``LoadSegmentMaps`` read, the same as the synthetic set's.
SAM masks overlap, so masks are painted from the largest to the smallest
(a small part stays visible on top of the large region around it) and the
ids that remain are renumbered 1..M. Existing files are kept unless
``--overwrite`` (an interrupted run resumes); each file is written under a
temporary name and renamed when complete.

Needs the ``segment_anything`` package and a local checkpoint; without them
it prints how to get both and exits with code 2.
"""
import argparse
import os.path as osp
import sys

import numpy as np

from crossdistill.utils.segment_maps import (key_frame_images,
                                             write_segment_maps)

CHECKPOINT_URLS = {
    'vit_h':
    'https://dl.fbaipublicfiles.com/segment_anything/'
    'sam_vit_h_4b8939.pth',
    'vit_l':
    'https://dl.fbaipublicfiles.com/segment_anything/'
    'sam_vit_l_0b3195.pth',
    'vit_b':
    'https://dl.fbaipublicfiles.com/segment_anything/'
    'sam_vit_b_01ec64.pth',
}
MISSING_EXIT_CODE = 2


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', required=True, help='nuScenes data root')
    parser.add_argument('--checkpoint',
                        required=True,
                        help='local SAM checkpoint (.pth)')
    parser.add_argument('--model-type',
                        choices=tuple(CHECKPOINT_URLS),
                        default='vit_h',
                        help='SAM backbone of the checkpoint')
    parser.add_argument('--device',
                        default=None,
                        help='torch device (default: cuda if available)')
    parser.add_argument('--points-per-side',
                        type=int,
                        default=32,
                        help='SAM automatic mask generator grid')
    parser.add_argument('--overwrite',
                        action='store_true',
                        help='recompute existing segment maps')
    return parser.parse_args(argv)


def missing_requirements(checkpoint: str, model_type: str) -> list:
    """Human-readable lines for what is missing (empty when ready)."""
    problems = []
    try:
        import segment_anything  # noqa: F401
    except ImportError:
        problems.append(
            'The segment_anything package is not installed. Install it '
            'with\n    pip install '
            'git+https://github.com/facebookresearch/segment-anything.git\n'
            '(or `pip install segment-anything`).')
    if not osp.isfile(checkpoint):
        problems.append(
            f'The SAM checkpoint {checkpoint} does not exist. Download the '
            f'{model_type} checkpoint from\n    '
            f'{CHECKPOINT_URLS[model_type]}\nand pass its path with '
            '--checkpoint (use --model-type to match it).')
    return problems


def label_map(masks: list, shape) -> np.ndarray:
    """SAM masks (dicts with 'segmentation', 'area') -> uint16 id map."""
    ids = np.zeros(shape, dtype=np.int64)
    ordered = sorted(masks, key=lambda m: m['area'], reverse=True)
    for index, mask in enumerate(ordered, start=1):
        ids[mask['segmentation']] = index
    _, dense = np.unique(ids, return_inverse=True)
    dense = dense.reshape(shape)
    if (ids == 0).any():  # id 0 (no mask) keeps rank 0
        return dense.astype(np.uint16)
    return (dense + 1).astype(np.uint16)


def main(argv=None) -> int:
    args = parse_args(argv)
    problems = missing_requirements(args.checkpoint, args.model_type)
    if problems:
        print('generate_sam_segments: cannot run SAM.\n' + '\n'.join(problems),
              file=sys.stderr)
        return MISSING_EXIT_CODE

    import torch
    from segment_anything import SamAutomaticMaskGenerator, sam_model_registry

    images = key_frame_images(args.root)
    if not images:
        print(
            f'generate_sam_segments: no images under {args.root}/samples/'
            'CAM_*/; pass the nuScenes data root as --root.',
            file=sys.stderr)
        return 1
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    sam = sam_model_registry[args.model_type](checkpoint=args.checkpoint)
    generator = SamAutomaticMaskGenerator(sam.to(device),
                                          points_per_side=args.points_per_side)
    written = write_segment_maps(
        images, args.root, 'segments',
        lambda image: label_map(generator.generate(image), image.shape[:2]),
        args.overwrite)
    print(f'{written} segment maps written under '
          f'{osp.join(args.root, "segments")} ({len(images)} images).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
