"""Class weights for the occupancy loss from the training labels.

    python projects/RadOcc/tools/occ_class_weights.py \\
        data/synth-nuscenes/nuscenes_infos_train.pkl

Counts the Occ3D labels inside the camera mask over the info file's samples
and prints the ENet-style weights ``w_c = 1 / ln(c + f_c)`` (Paszke et al.
2016, who use ``c = 1.02``; ``f_c``: class frequency) as a ``class_weight``
list for ``mmdet.CrossEntropyLoss``. The synthetic demo uses them with
``c = 1.2``: with ~92 % free voxels, an unweighted loss learns only free
space and the ground classes in a few epochs, while ENet's ``c = 1.02``
weighs rare classes ~33x free and floods the volume with false positives;
``c = 1.2`` keeps the ratio near 4.
"""
import argparse
import os.path as osp
import pickle

import numpy as np

from crossdistill.evaluation.occ3d_metric import OCC3D_CLASSES


def class_frequencies(info_file: str) -> np.ndarray:
    """Frequency of each Occ3D label inside the camera mask."""
    with open(info_file, 'rb') as f:
        infos = pickle.load(f)['data_list']
    root = osp.dirname(osp.abspath(info_file))
    counts = np.zeros(len(OCC3D_CLASSES), dtype=np.int64)
    for info in infos:
        if info.get('occ_path') is None:
            raise KeyError(f'{info_file}: a sample has no occ_path; write '
                           'the info files with `tools/create_data.py '
                           'nuscenes` and the Occ3D gts/ folder.')
        labels = np.load(osp.join(root, info['occ_path']))
        visible = labels['mask_camera'].astype(bool)
        counts += np.bincount(labels['semantics'][visible].ravel(),
                              minlength=len(counts))
    return counts / max(counts.sum(), 1)


def enet_weights(freqs: np.ndarray, c: float = 1.2) -> np.ndarray:
    """``1 / ln(c + f)``: ``1 / ln(c)`` for an absent class, ~1.3 for
    f = 0.9 (``c = 1.2``)."""
    return 1.0 / np.log(c + freqs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('info_file', help='nuscenes_infos_train.pkl')
    parser.add_argument('--c', type=float, default=1.2, help='ENet c (> 1)')
    args = parser.parse_args()
    if args.c <= 1:
        parser.error('--c must be > 1 (ln(c + f) must stay positive).')
    freqs = class_frequencies(args.info_file)
    weights = enet_weights(freqs, args.c)
    for name, f, w in zip(OCC3D_CLASSES, freqs, weights):
        print(f'{name:>22}  frequency {f:.5f}  weight {w:.2f}')
    print('class_weight=[' + ', '.join(f'{w:.2f}' for w in weights) + ']')


if __name__ == '__main__':
    main()
