"""Synthetic aerial street world in the VisDrone2019-DET format (ZoomInNet).

``world`` draws the images and labels; ``cli`` is the
``tools/create_data.py synth-visdrone`` subcommand.
"""
