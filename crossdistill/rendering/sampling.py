"""Sample points along rays (the ``p_i`` of RadOcc Eqs. 1-3).

Stratified sampling: the interval ``[t_near, t_far]`` of each ray is cut
into ``N`` equal bins; sample ``i`` lies at the bin centre (``jitter=False``,
deterministic) or uniformly inside its bin (``jitter=True``, drawn from the
given generator). The paper gives neither ``N``, the bounds nor the scheme
(spec A.6.3); stratified sampling keeps one sample per bin, so teacher and
student weight vectors stay comparable bin by bin when both are rendered from
the same :class:`RaySamples`.

Spacing (paper): ``δ_i = d(p_{i+1}) - d(p_i)``. The last sample has no
successor; it gets the width of its bin, ``(t_far - t_near) / N``. (NeRF's
"infinite" last step would make every ray that reaches its last sample
terminate there; here a ray may leave the volume unterminated, which the
rendered opacity ``Σ w_i < 1`` reports.)

With ``aabb`` (the voxel range), each ray's interval is clipped to the part
inside the box, so no sample is spent outside the volume, where density is
zero. A ray that misses the box gets a zero-length interval: all ``δ_i = 0``,
hence zero weights.
"""
from typing import NamedTuple, Optional, Sequence

import torch
from torch import Tensor

from .rays import Rays


class RaySamples(NamedTuple):
    """Sample points along a batch of rays.

    Attributes:
        points (Tensor): (B, R, N, 3) sample positions ``p_i`` (ego frame).
        depths (Tensor): (B, R, N) distances ``d(p_i)`` from the ray origin.
        deltas (Tensor): (B, R, N) spacings ``δ_i``.
    """
    points: Tensor
    depths: Tensor
    deltas: Tensor


def ray_aabb_intersection(rays: Rays, aabb: Sequence[float]) -> Tensor:
    """Entry and exit distances of rays through an axis-aligned box.

    Slab method. Args: ``aabb = (x_min, y_min, z_min, x_max, y_max,
    z_max)``. Returns (B, R, 2) ``(t_entry, t_exit)``; ``t_exit < t_entry``
    when the ray misses the box.
    """
    box = rays.origins.new_tensor(aabb).view(2, 3)
    # 1/d with sign-preserving infinities for axis-parallel rays.
    inv_dir = 1.0 / rays.directions
    t0 = (box[0] - rays.origins) * inv_dir
    t1 = (box[1] - rays.origins) * inv_dir
    t_entry = torch.minimum(t0, t1).nan_to_num(nan=-torch.inf).amax(dim=-1)
    t_exit = torch.maximum(t0, t1).nan_to_num(nan=torch.inf).amin(dim=-1)
    return torch.stack([t_entry, t_exit], dim=-1)


def sample_along_rays(rays: Rays,
                      num_samples: int,
                      near: float,
                      far: float,
                      aabb: Optional[Sequence[float]] = None,
                      jitter: bool = False,
                      generator: Optional[torch.Generator] = None
                      ) -> RaySamples:
    """Stratified samples between ``near`` and ``far`` along every ray.

    Args:
        rays (Rays): rays from :func:`~.rays.sample_rays`.
        num_samples (int): samples per ray ``N``.
        near (float): start distance (m).
        far (float): end distance (m).
        aabb (Sequence[float], optional): ``(x_min, y_min, z_min, x_max,
            y_max, z_max)``; clip each ray's interval to this box.
        jitter (bool): random position inside each bin instead of its centre.
        generator (torch.Generator, optional): randomness for ``jitter``;
            drawn on the generator's device, so a CPU generator gives the same
            samples on every device.

    Returns:
        RaySamples: points (B, R, N, 3), depths (B, R, N), deltas (B, R, N).
    """
    origins, directions = rays.origins, rays.directions
    t_near = origins.new_full(origins.shape[:-1], float(near))
    t_far = origins.new_full(origins.shape[:-1], float(far))
    if aabb is not None:
        hit = ray_aabb_intersection(rays, aabb)
        t_near = torch.maximum(t_near, hit[..., 0])
        t_far = torch.minimum(t_far, hit[..., 1])
    t_far = torch.maximum(t_far, t_near)

    span = (t_far - t_near)[..., None]
    steps = torch.arange(
        num_samples, dtype=origins.dtype, device=origins.device)
    if jitter:
        gen_device = generator.device if generator is not None else 'cpu'
        offsets = torch.rand(
            span.shape[:-1] + (num_samples, ),
            generator=generator,
            device=gen_device).to(origins)
    else:
        offsets = torch.full_like(steps, 0.5)
    depths = t_near[..., None] + span * (steps + offsets) / num_samples
    last = span / num_samples
    deltas = torch.cat([depths[..., 1:] - depths[..., :-1], last], dim=-1)
    points = (origins[..., None, :] +
              depths[..., None] * directions[..., None, :])
    return RaySamples(points=points, depths=depths, deltas=deltas)
