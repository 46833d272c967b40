"""``tools/create_data.py synth-nuscenes``: write the synthetic driving set.

    python tools/create_data.py synth-nuscenes --out data/synth-nuscenes
    python tools/create_data.py synth-nuscenes --preset large \\
        --out data/synth-nuscenes-large --workers 2

Presets: ``demo`` (default; 10 scenes x 10 key frames, 352x198 images),
``large`` (10 x 40, 704x396, for benchmarks) and ``tiny`` (2 x 3, for
tests); any option given explicitly overrides the preset.
"""
import argparse
import json
import os

PRESET_NAMES = ('demo', 'large', 'tiny')
OPTIONS = ('num_scenes', 'samples_per_scene', 'image_size', 'seed', 'sweeps',
           'lidar_beams', 'lidar_azimuths', 'version', 'jpeg_quality')


def _image_size(text: str):
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'image size must look like 352x198, got {text!r}')
    return w, h


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--out', default='data/synth-nuscenes',
                        help='output folder (the nuScenes data root)')
    parser.add_argument('--preset', choices=PRESET_NAMES, default='demo',
                        help='size preset; explicit options override it')
    parser.add_argument('--num-scenes', type=int,
                        help='scenes (<= 10 for v1.0-mini)')
    parser.add_argument('--samples-per-scene', type=int,
                        help='key frames per scene (2 Hz)')
    parser.add_argument('--image-size', type=_image_size,
                        help='camera image WIDTHxHEIGHT, e.g. 352x198')
    parser.add_argument('--seed', type=int, help='random seed (>= 0)')
    parser.add_argument('--sweeps', type=int,
                        help='past LiDAR sweeps per key-frame interval')
    parser.add_argument('--lidar-beams', type=int, help='LiDAR rings')
    parser.add_argument('--lidar-azimuths', type=int,
                        help='LiDAR rays per ring and revolution')
    parser.add_argument('--version', choices=('v1.0-mini', 'v1.0-trainval'),
                        help='nuScenes version folder')
    parser.add_argument('--jpeg-quality', type=int, help='JPEG quality')
    parser.add_argument('--workers', type=int,
                        default=min(2, os.cpu_count() or 1),
                        help='processes rendering scenes in parallel '
                        '(default: min(2, CPU count))')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a non-empty output folder')


def main(args: argparse.Namespace) -> None:
    import dataclasses

    from .generator import PRESETS, generate_synth_nuscenes
    options = dataclasses.asdict(PRESETS[args.preset])
    for key in OPTIONS:
        value = getattr(args, key)
        if value is not None:
            options[key] = value
    try:
        stats = generate_synth_nuscenes(args.out, workers=args.workers,
                                        overwrite=args.overwrite, **options)
    except (FileExistsError, ValueError) as err:
        raise SystemExit(f'synth-nuscenes: {err}')
    print(json.dumps(stats, indent=2))
