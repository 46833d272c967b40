"""How well do rendered depths match the LiDAR? A check of the rendering
geometry and of a teacher before distilling from it.

    python projects/RadOcc/tools/check_rendering.py DISTILLER_CONFIG \\
        --teacher-ckpt TEACHER.pth [--batches 4] [--num-samples 192] \\
        [--temperatures 1 0.5]

For training batches of the distiller config, it draws the distiller's rays
and renders (a) the ground-truth occupancy (one-hot logits) and (b) the
teacher's prediction, as the distiller renders it (camera-visible voxels,
prior-corrected logits). Along rays whose pixel has a LiDAR depth
(``gt_depth``), it prints the median ratio of the expected termination
distance (rendered depth / opacity) to the LiDAR depth and the median
absolute relative error. The ground truth renders the LiDAR depth
(ratio ≈ 1, slightly above: the LiDAR depth is the camera z, the rendered
one the distance along the ray), which checks rays, frames and lookup; the
teacher's figures show how far its free space is transparent.
``--temperatures`` renders the teacher's logits divided by each temperature
(below 1: sharpened); ``--num-samples`` overrides the samples per ray.
"""
import argparse
import importlib
import os.path as osp
import sys

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from crossdistill.registry import DATASETS, MODELS  # noqa: E402
from crossdistill.utils import register_all_modules  # noqa: E402


def depth_figures(rendered, gt_depth: torch.Tensor, rays) -> tuple:
    """Median (rendered / LiDAR) and median |rendered - LiDAR| / LiDAR."""
    batch_ids = torch.arange(gt_depth.shape[0])[:, None]
    cols, rows = rays.pixels.round().long().unbind(-1)
    lidar = gt_depth[batch_ids, rays.cam_ids, rows, cols]
    valid = lidar > 0
    depth = rendered.depth / rendered.opacity.clamp(min=1e-6)
    ratio = depth[valid] / lidar[valid]
    return ratio.median().item(), (ratio - 1).abs().median().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a RenderingDistiller config')
    parser.add_argument('--teacher-ckpt', required=True)
    parser.add_argument('--batches', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-samples', type=int,
                        help='samples per ray (default: the config\'s)')
    parser.add_argument('--temperatures', type=float, nargs='+',
                        default=[1.0],
                        help='render the teacher logits / T for each T')
    args = parser.parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    for module in cfg.get('custom_imports', {}).get('imports', []):
        importlib.import_module(module)
    cfg.model.teacher_ckpt = args.teacher_ckpt
    if args.num_samples:
        cfg.model.num_samples = args.num_samples
    torch.manual_seed(args.seed)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    model = MODELS.build(cfg.model)
    model.train()
    size = cfg.train_dataloader.get('batch_size', 2)
    for b in range(args.batches):
        raw = pseudo_collate(
            [dataset[i] for i in range(b * size, (b + 1) * size)])
        with torch.no_grad():
            data = model.data_preprocessor(raw, training=True)
            samples = data['data_samples']
            model.teacher(**data['teacher_data'], mode='tensor')
            rays, ray_samples = model._rays(samples)
            teacher = model.teacher_recorders[model.logits_recorder].get(0)
            visible = torch.stack([s.gt_occ.mask_camera
                                   for s in samples]).bool()
            labels = torch.stack([s.gt_occ.voxel_semantics
                                  for s in samples]).long()
            onehot = F.one_hot(labels, teacher.shape[1]).permute(
                0, 4, 1, 2, 3).float() * 20
            gt_depth = torch.stack([s.gt_depth for s in samples])
            offset = model.logit_offset
            rendered_teacher = [
                (f'teacher T={t:g}',
                 model.renderer(teacher / t, ray_samples, visible,
                                None if offset is None else offset / t))
                for t in args.temperatures
            ]
            for name, rendered in (
                    ('ground truth', model.renderer(onehot, ray_samples)),
                    *rendered_teacher):
                ratio, rel = depth_figures(rendered, gt_depth, rays)
                print(f'batch {b} {name:>12}: rendered / LiDAR depth '
                      f'{ratio:.3f} (median), |rel. error| {rel:.3f}')
            model._step_cache = {}


if __name__ == '__main__':
    main()
