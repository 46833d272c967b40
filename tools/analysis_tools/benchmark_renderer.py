"""Throughput of the voxel volume renderer, vectorised vs per-ray reference.

Renders an Occ3D-sized volume (18 x 200 x 200 x 16 logits) from six
nuScenes-like cameras at 384 x 704 and prints ray-samples per second for the
vectorised renderer (forward, forward + backward) and for the reference loop
(forward, on a few rays), their ratio and the largest difference between the
two on the shared rays.

Example::

    python tools/analysis_tools/benchmark_renderer.py --rays 8192 32768 \
        --samples 64 128 --device cpu
"""
import argparse
import math
import statistics
import time
from typing import Callable, Tuple

import torch

from crossdistill.rendering import (RaySamples, VoxelVolumeRenderer,
                                    sample_along_rays, sample_rays)
from crossdistill.rendering.reference import reference_render


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device',
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--rays', type=int, nargs='+', default=[8192, 32768])
    parser.add_argument('--samples', type=int, nargs='+', default=[64, 128])
    parser.add_argument('--ref-rays', type=int, default=32,
                        help='rays rendered by the reference loop')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--interpolation', default='trilinear',
                        choices=['trilinear', 'nearest'])
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def six_cameras(device: torch.device) -> Tuple[torch.Tensor, ...]:
    """Intrinsics, cam2ego and aug matrices of a 6-camera ring, (1, 6, ...)."""
    intrinsics = torch.tensor([[1266.4, 0.0, 816.3], [0.0, 1266.4, 491.5],
                               [0.0, 0.0, 1.0]])
    cam_to_ego_axes = torch.tensor([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0],
                                    [0.0, -1.0, 0.0]])
    cam2ego = []
    for k in range(6):
        yaw = k * math.pi / 3
        rot_z = torch.tensor([[math.cos(yaw), -math.sin(yaw), 0.0],
                              [math.sin(yaw), math.cos(yaw), 0.0],
                              [0.0, 0.0, 1.0]])
        mat = torch.eye(4)
        mat[:3, :3] = rot_z @ cam_to_ego_axes
        mat[:3, 3] = rot_z @ torch.tensor([1.0, 0.0, 1.6])
        cam2ego.append(mat)
    # 1600 x 900 -> resize 0.48 -> 768 x 432 -> crop 704 x 384 at (32, 48).
    aug = torch.tensor([[0.48, 0.0, -32.0], [0.0, 0.48, -48.0],
                        [0.0, 0.0, 1.0]])
    return (intrinsics.expand(1, 6, 3, 3).to(device),
            torch.stack(cam2ego)[None].to(device),
            aug.expand(1, 6, 3, 3).to(device))


def timed(fn: Callable[[], object], device: torch.device,
          repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs after one warm-up."""
    times = []
    for _ in range(repeat + 1):
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        fn()
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def subset(samples: RaySamples, num: int) -> RaySamples:
    return RaySamples(*(x[:, :num] for x in samples))


def main() -> None:
    args = parse_args()
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(args.seed)
    renderer = VoxelVolumeRenderer(interpolation=args.interpolation)
    logits = torch.randn(1, 18, *renderer.grid_shape, generator=gen)
    logits[:, 17] += 2.0  # mostly free, like a driving scene
    logits = logits.to(device)
    intrinsics, cam2ego, aug = six_cameras(device)

    print(f'device={device} threads={torch.get_num_threads()} '
          f'interpolation={args.interpolation} volume={tuple(logits.shape)}')
    header = (f'{"rays":>7} {"samples":>7} | {"fwd":>8} {"fwd+bwd":>8} '
              f'{"reference":>9} | {"fwd/ref":>8} {"max|diff|":>9}')
    print('ray-samples per second (M/s)')
    print(header)
    print('-' * len(header))
    for num_rays in args.rays:
        rays = sample_rays(intrinsics, cam2ego, (384, 704), aug,
                           num_rays=num_rays, generator=gen)
        for num_samples in args.samples:
            samples = sample_along_rays(
                rays, num_samples, near=0.5, far=60.0,
                aabb=renderer.point_cloud_range, jitter=True, generator=gen)
            total = num_rays * num_samples

            def forward():
                with torch.no_grad():
                    return renderer(logits, samples)

            def forward_backward():
                volume = logits.detach().requires_grad_(True)
                out = renderer(volume, samples)
                (out.depth.sum() + out.semantics.sum() +
                 out.weights.sum()).backward()

            fwd = total / timed(forward, device, args.repeat)
            fwd_bwd = total / timed(forward_backward, device, args.repeat)
            few = subset(samples, min(args.ref_rays, num_rays))
            ref_out = None

            def reference():
                nonlocal ref_out
                with torch.no_grad():
                    ref_out = reference_render(
                        logits, few, renderer.point_cloud_range, 0.4,
                        interpolation=args.interpolation)

            ref = few.depths.numel() / timed(reference, device, 1)
            with torch.no_grad():
                vec_out = renderer(logits, few)
            diff = max((a - b).abs().max().item()
                       for a, b in zip(vec_out, ref_out))
            print(f'{num_rays:>7} {num_samples:>7} | {fwd / 1e6:>8.2f} '
                  f'{fwd_bwd / 1e6:>8.2f} {ref / 1e6:>9.4f} | '
                  f'{fwd / ref:>7.0f}x {diff:>9.1e}')


if __name__ == '__main__':
    main()
