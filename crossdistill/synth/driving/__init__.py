"""Synthetic driving world written as nuScenes v1.0 + Occ3D (+ segment maps).

``generate_synth_nuscenes`` is the entry point; ``tools/create_data.py
synth-nuscenes`` wraps it (see :mod:`.cli`).
"""
from .generator import (PRESETS, SynthNuScenesConfig, generate_synth_nuscenes,
                        scene_names)

__all__ = ['PRESETS', 'SynthNuScenesConfig', 'generate_synth_nuscenes',
           'scene_names']
