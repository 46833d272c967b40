"""``tools/create_data.py synth-visdrone``: write the synthetic aerial set.

    python tools/create_data.py synth-visdrone --out data/synth-visdrone
    python tools/create_data.py visdrone --root data/synth-visdrone

The default preset (200 train + 50 val images of 640x360, drawn at the 2x
"teacher" resolution; the 1x student view is 320x180) takes seconds on two
CPU cores and a few tens of MB; ``--preset large`` (2000 + 500 images of
1280x720) is meant for benchmarks.
"""
import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--out', default='data/synth-visdrone',
                        help='output folder (the VisDrone root)')
    parser.add_argument('--preset', choices=('default', 'large'),
                        default='default',
                        help='size of the set; the options below override it')
    parser.add_argument('--num-train', type=int, help='training images')
    parser.add_argument('--num-val', type=int, help='validation images')
    parser.add_argument('--width', type=int, help='image width in pixels')
    parser.add_argument('--height', type=int, help='image height in pixels')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1,
                        help='processes drawing images in parallel')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing output folder')


def main(args: argparse.Namespace) -> None:
    import json
    import time

    from .world import PRESETS, AerialWorldConfig, generate_synth_visdrone

    opts = dict(PRESETS[args.preset])
    for key in opts:
        if getattr(args, key) is not None:
            opts[key] = getattr(args, key)
    for key, minimum in (('num_train', 0), ('num_val', 0), ('width', 32),
                         ('height', 32)):
        if opts[key] < minimum:
            raise SystemExit(f'--{key.replace("_", "-")} must be at least '
                             f'{minimum}, got {opts[key]}')
    cfg = AerialWorldConfig(width=opts['width'], height=opts['height'])
    start = time.time()
    try:
        stats = generate_synth_visdrone(args.out, opts['num_train'],
                                        opts['num_val'], cfg, args.seed,
                                        args.workers, args.overwrite)
    except FileExistsError as err:
        raise SystemExit(str(err))
    print(json.dumps(stats, indent=1))
    print(f'Wrote {args.out} in {time.time() - start:.1f} s. Next: '
          f'python tools/create_data.py visdrone --root {args.out}')
