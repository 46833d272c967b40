"""Draw what the data pipeline of a nuScenes + Occ3D config produces.

    python tools/misc/browse_dataset.py \\
        configs/_base_/datasets/synth-nus-occ3d.py \\
        --output-dir work_dirs/browse

One PNG per sample: the six augmented camera images with the LiDAR points
(coloured by depth) and the 3D boxes projected with ``cam2img @
lidar2cam``, divided by depth and moved by ``img_aug_matrix``, and a
bird's-eye view of the
occupancy (the class of the highest occupied voxel of every column, Occ3D
colours, columns never seen by a camera dimmed) with the boxes' footprints
moved into the ego frame. Projections use the same matrices as the models,
so misaligned drawings point at a data bug.
"""
import argparse
import os
import os.path as osp

import numpy as np

CAMERA_GRID = (('CAM_FRONT_LEFT', 'CAM_FRONT', 'CAM_FRONT_RIGHT'),
               ('CAM_BACK_LEFT', 'CAM_BACK', 'CAM_BACK_RIGHT'))
BOX_EDGES = ((0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4),
             (0, 4), (1, 5), (2, 6), (3, 7))
BEV_CORNERS = (0, 3, 7, 4, 0)  # bottom face of mmdet3d's corner order
# RGB per Occ3D class id (0 others ... 16 vegetation, 17 free)
OCC3D_PALETTE = np.array([(0, 0, 0), (112, 128, 144), (220, 20, 60),
                          (255, 127, 80), (255, 158, 0), (233, 150, 70),
                          (255, 61, 99), (0, 0, 230), (47, 79, 79),
                          (255, 140, 0), (255, 99, 71), (0, 207, 191),
                          (175, 0, 75), (75, 0, 75), (112, 180, 60),
                          (222, 184, 135), (0, 175, 0),
                          (255, 255, 255)]) / 255.0
FREE = 17


def parse_args(argv=None) -> argparse.Namespace:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='dataset (or full) config file')
    parser.add_argument('--output-dir',
                        required=True,
                        help='folder for the PNG files')
    parser.add_argument('--num',
                        type=int,
                        default=5,
                        help='number of samples to draw')
    parser.add_argument('--split',
                        choices=('train', 'val', 'test'),
                        default='train',
                        help='which dataloader (and pipeline) to draw')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def occupancy_top_view(semantics: np.ndarray,
                       mask_camera: np.ndarray) -> np.ndarray:
    """(X, Y, 3) RGB: class of the highest non-free voxel per column."""
    occupied = semantics != FREE
    height = np.where(
        occupied.any(-1),
        semantics.shape[-1] - 1 - np.argmax(occupied[..., ::-1], axis=-1), 0)
    top = np.take_along_axis(semantics, height[..., None], -1)[..., 0]
    rgb = OCC3D_PALETTE[np.minimum(top, FREE)]
    seen = mask_camera.any(-1)
    rgb[~seen] *= 0.4
    return rgb


def draw_sample(packed: dict, occ_range, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from crossdistill.transforms.depth import project_to_image
    sample = packed['data_samples']
    meta = sample.metainfo
    imgs = packed['inputs']['img'].numpy()[:, ::-1].transpose(0, 2, 3, 1)
    points = packed['inputs']['points'][:, :3].numpy()
    boxes = sample.gt_instances_3d.get('bboxes_3d')
    labels = sample.gt_instances_3d.get('labels_3d')
    if boxes is None and sample.eval_ann_info:
        boxes = sample.eval_ann_info.get('gt_bboxes_3d')
        labels = sample.eval_ann_info.get('gt_labels_3d')
    corners = np.zeros((0, 8, 3)) if boxes is None else \
        boxes.corners.numpy()
    lidar2img = meta['cam2img'] @ meta['lidar2cam']
    aug = meta['img_aug_matrix']
    height, width = imgs.shape[1:3]

    fig = plt.figure(figsize=(16, 5.2), dpi=100)
    grid = fig.add_gridspec(2, 4, width_ratios=(1, 1, 1, 0.62))
    cam_index = {cam: i for i, cam in enumerate(meta['cam_names'])}
    for row, cams in enumerate(CAMERA_GRID):
        for col, cam in enumerate(cams):
            i = cam_index[cam]
            ax = fig.add_subplot(grid[row, col])
            ax.imshow(imgs[i])
            uvd = project_to_image(points, lidar2img[i], aug[i])
            keep = (uvd[:, 2] > 0.1) & (uvd[:, 0] >= -0.5) & (
                uvd[:, 0] < width -
                0.5) & (uvd[:, 1] >= -0.5) & (uvd[:, 1] < height - 0.5)
            ax.scatter(uvd[keep, 0],
                       uvd[keep, 1],
                       c=uvd[keep, 2],
                       s=0.3,
                       cmap='jet',
                       vmin=0,
                       vmax=50,
                       linewidths=0)
            for box in corners:
                box_uvd = project_to_image(box, lidar2img[i], aug[i])
                for a, b in BOX_EDGES:
                    if box_uvd[a, 2] > 0.1 and box_uvd[b, 2] > 0.1:
                        ax.plot(box_uvd[[a, b], 0],
                                box_uvd[[a, b], 1],
                                color='lime',
                                linewidth=0.6)
            ax.set_xlim(-0.5, width - 0.5)
            ax.set_ylim(height - 0.5, -0.5)
            ax.set_title(cam, fontsize=8)
            ax.axis('off')

    ax = fig.add_subplot(grid[:, 3])
    occ = sample.get('gt_occ')
    if occ is None and sample.eval_ann_info and \
            'voxel_semantics' in sample.eval_ann_info:
        occ = sample.eval_ann_info
    x0, y0, _, x1, y1, _ = occ_range
    if occ is not None:
        rgb = occupancy_top_view(np.asarray(occ.get('voxel_semantics')),
                                 np.asarray(occ.get('mask_camera')))
        # rows: x (forward) up; columns: y (left) to the left
        ax.imshow(rgb[::-1, ::-1], extent=(y1, y0, x0, x1))
    lidar2ego = meta['lidar2ego']
    for box in corners:
        ego = box @ lidar2ego[:3, :3].T + lidar2ego[:3, 3]
        ax.plot(ego[list(BEV_CORNERS), 1],
                ego[list(BEV_CORNERS), 0],
                color='magenta',
                linewidth=0.7)
    ax.plot(0, 0, marker='^', color='red', markersize=5)
    ax.set_xlim(y1, y0)
    ax.set_ylim(x0, x1)
    num_boxes = 0 if labels is None else len(labels)
    ax.set_title(f'occupancy (top view), {num_boxes} boxes', fontsize=8)
    ax.tick_params(labelsize=6)
    fig.suptitle(f"{meta.get('scene_name', '')} {meta.get('token', '')}",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None) -> None:
    from mmengine.config import Config

    from crossdistill.datasets import nuscenes_occ  # noqa: F401 (registers)
    from crossdistill.registry import DATASETS
    from crossdistill.utils import register_all_modules

    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    dataset = DATASETS.build(cfg[f'{args.split}_dataloader'].dataset)
    occ_range = cfg.get('occ_range', [-40.0, -40.0, -1.0, 40.0, 40.0, 5.4])
    os.makedirs(args.output_dir, exist_ok=True)
    for index in range(min(args.num, len(dataset))):
        packed = dataset[index]
        token = packed['data_samples'].metainfo.get('token', index)
        path = osp.join(args.output_dir, f'{index:04d}_{token}.png')
        draw_sample(packed, occ_range, path)
        print(path)


if __name__ == '__main__':
    main()
