"""Generate synthetic data sets; convert data sets into info/annotation files.

Usage::

    python tools/create_data.py SUBCOMMAND [options]
    python tools/create_data.py SUBCOMMAND --help

Each subcommand lives in the module named in ``SUBCOMMANDS``; the module
exposes ``add_arguments(parser)`` and ``main(args)`` and keeps its heavy
imports inside ``main`` so that ``--help`` stays fast.
"""
import argparse
import importlib
import sys

SUBCOMMANDS = {
    'synth-shapes': ('crossdistill.synth.shapes',
                     'synthetic COCO-format shapes set (example distiller)'),
    'synth-nuscenes': ('crossdistill.synth.driving.cli',
                       'synthetic driving world in nuScenes + Occ3D format'),
    'synth-visdrone': ('crossdistill.synth.aerial.cli',
                       'synthetic aerial world in VisDrone2019-DET format'),
    'visdrone': ('crossdistill.datasets.converters.visdrone',
                 'VisDrone2019-DET annotations -> COCO json'),
    'nuscenes': ('crossdistill.datasets.converters.nuscenes',
                 'nuScenes (+ Occ3D, segments) -> mmdet3d info files'),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    for name, (module, help_text) in SUBCOMMANDS.items():
        mod = importlib.import_module(module)
        sub_parser = sub.add_parser(name, help=help_text)
        mod.add_arguments(sub_parser)
        sub_parser.set_defaults(_main=mod.main)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    args._main(args)


if __name__ == '__main__':
    sys.exit(main())
