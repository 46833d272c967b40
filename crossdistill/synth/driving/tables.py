"""nuScenes v1.0 tables and deterministic file writers.

Builds the 13 JSON tables of the nuScenes schema (attribute,
calibrated_sensor, category, ego_pose, instance, log, map, sample,
sample_annotation, sample_data, scene, sensor, visibility) and writes them
into ``<root>/<version>/``. Conventions copied from the published data:

- tokens are 32 hex digits (here the MD5 of the seed and a record path, so a
  seed fixes every token);
- every sample_data has its own ego_pose whose token equals its own;
- each scene has its own log, one calibrated_sensor per sensor and its own
  ``semantic_prior`` map mask (``maps/<token>.png``, 0.1 m per pixel, 255 on
  driveable surface, the layout the devkit's ``MapMask`` reads);
- file names are ``samples|sweeps/<channel>/<logfile>__<channel>__<us>.ext``.

Only the seven sensors that the set records are listed in ``sensor`` (no
radars). Sweeps (non-key-frame LiDAR) carry the token of the key frame that
follows them.
"""
import hashlib
import io
import json
import os
import os.path as osp
import zipfile
from typing import Dict, List, Sequence

import numpy as np

from .taxonomy import NUSCENES_ATTRIBUTES, NUSCENES_CATEGORIES, \
    NUSCENES_VISIBILITY

TABLES = ('attribute', 'calibrated_sensor', 'category', 'ego_pose',
          'instance', 'log', 'map', 'sample', 'sample_annotation',
          'sample_data', 'scene', 'sensor', 'visibility')


def make_token(seed: int, *parts) -> str:
    """A 32-hex-digit token fixed by the seed and a record path."""
    key = '/'.join(['synth-nuscenes', str(seed)] + [str(p) for p in parts])
    return hashlib.md5(key.encode()).hexdigest()


def rotation_to_quaternion(rot: np.ndarray) -> List[float]:
    """(w, x, y, z) of a 3x3 rotation matrix, w >= 0."""
    m = rot
    tr = np.trace(m)
    if tr > 0:
        s = np.sqrt(tr + 1.0) * 2
        q = [0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s,
             (m[1, 0] - m[0, 1]) / s]
    else:
        i = int(np.argmax(np.diag(m)))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = np.sqrt(1.0 + m[i, i] - m[j, j] - m[k, k]) * 2
        q = [0.0] * 4
        q[0] = (m[k, j] - m[j, k]) / s
        q[1 + i] = 0.25 * s
        q[1 + j] = (m[j, i] + m[i, j]) / s
        q[1 + k] = (m[k, i] + m[i, k]) / s
    q = np.asarray(q)
    q = q / np.linalg.norm(q)
    return [float(x) for x in (q if q[0] >= 0 else -q)]


def yaw_quaternion(yaw: float) -> List[float]:
    """(w, x, y, z) of a rotation by ``yaw`` about +z."""
    return [float(np.cos(yaw / 2)), 0.0, 0.0, float(np.sin(yaw / 2))]


def static_tables(seed: int, sensors: Sequence[tuple]) -> Dict[str, list]:
    """Tables shared by all scenes: taxonomy and sensors.

    Args:
        sensors: (channel, modality) pairs.
    """
    return {
        'category': [dict(token=make_token(seed, 'category', name), name=name,
                          description=desc, index=i)
                     for i, (name, desc) in enumerate(NUSCENES_CATEGORIES)],
        'attribute': [dict(token=make_token(seed, 'attribute', name),
                           name=name, description=desc)
                      for name, desc in NUSCENES_ATTRIBUTES],
        'visibility': [dict(token=tok, level=level, description=desc)
                       for tok, level, desc in NUSCENES_VISIBILITY],
        'sensor': [dict(token=make_token(seed, 'sensor', ch), channel=ch,
                        modality=mod) for ch, mod in sensors],
    }


def write_tables(root: str, version: str, tables: Dict[str, list]) -> None:
    """Write all tables as ``<root>/<version>/<name>.json``."""
    folder = osp.join(root, version)
    os.makedirs(folder, exist_ok=True)
    for name in TABLES:
        with open(osp.join(folder, f'{name}.json'), 'w') as f:
            json.dump(tables.get(name, []), f, indent=0)


def write_npz(path: str, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` with fixed zip timestamps (byte-identical
    output for identical arrays)."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr),
                                      allow_pickle=False)
            info = zipfile.ZipInfo(f'{name}.npy', date_time=(1980, 1, 1, 0,
                                                             0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
