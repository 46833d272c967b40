"""Converters from published annotation formats to the files our datasets read.

Each module is a ``tools/create_data.py`` subcommand: it exposes
``add_arguments(parser)`` and ``main(args)``.
"""
