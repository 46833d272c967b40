"""Camera rays for rendering a voxel volume into the camera views.

A ray starts at the camera centre and passes through one pixel of the
*augmented* image (the image the network sees, e.g. 384 x 704 after
resize/crop/flip). Its direction in the ego (voxel) frame is

    d ∝ R_cam2ego · K⁻¹ · A⁻¹ · [u, v, 1]ᵀ,        o = t_cam2ego,

where ``A`` is the image-augmentation matrix that maps original-image pixel
coordinates to augmented-image ones, ``K`` the pinhole intrinsics of the
original image and ``(R, t)`` the camera-to-ego extrinsic.

Conventions (the RadOcc paper is silent on them):

* Pixel ``(u, v)`` = (column, row) with pixel centres at integer
  coordinates, the OpenCV / nuScenes intrinsics convention that BEVDet's
  frustum (``linspace(0, W - 1, ...)``) and mmdet3d's augmentations use.
* The augmentation is given either as one homogeneous matrix (3 x 3, or the
  4 x 4 ``img_aug_matrix`` of mmdet3d's BEVFusion) or as BEVDet's pair
  ``(post_rots, post_trans)``. Only the 2D part (top-left 2 x 2 and the first
  two translation entries) acts on pixels; both forms are reduced to the same
  3 x 3 homogeneous matrix.
* The extrinsic is a 4 x 4 camera-to-ego matrix, or a ``(rotation,
  translation)`` pair (BEVDet's ``sensor2ego`` rots / trans).
* The "ego" frame is the frame the voxel grid lives in (Occ3D: current ego).
* Directions are unit vectors, so the ray parameter ``t`` is metric distance
  from the camera centre (the ``d(p_i)`` of RadOcc Eq. 2).
"""
from typing import NamedTuple, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

TransformLike = Union[Tensor, Tuple[Tensor, Tensor]]


class Rays(NamedTuple):
    """A batch of rays; ``R`` rays per batch element.

    Attributes:
        origins (Tensor): (B, R, 3) ray origins in the ego frame.
        directions (Tensor): (B, R, 3) unit directions in the ego frame.
        cam_ids (Tensor): (B, R) long, camera index of each ray.
        pixels (Tensor): (B, R, 2) ``(u, v)`` in the augmented image.
    """
    origins: Tensor
    directions: Tensor
    cam_ids: Tensor
    pixels: Tensor


def as_cam2ego_matrix(cam2ego: TransformLike) -> Tensor:
    """Return the extrinsic as a (..., 4, 4) homogeneous matrix.

    Args:
        cam2ego: (..., 4, 4) matrix or a ``(rotation (..., 3, 3),
            translation (..., 3))`` pair.
    """
    if isinstance(cam2ego, Tensor):
        if cam2ego.shape[-2:] != (4, 4):
            raise ValueError('cam2ego must be (..., 4, 4) or a (rot, trans) '
                             f'pair, got shape {tuple(cam2ego.shape)}')
        return cam2ego
    rot, trans = cam2ego
    mat = rot.new_zeros(rot.shape[:-2] + (4, 4))
    mat[..., :3, :3] = rot
    mat[..., :3, 3] = trans
    mat[..., 3, 3] = 1
    return mat


def as_image_aug_matrix(img_aug: Optional[TransformLike],
                        like: Tensor) -> Tensor:
    """Return the pixel augmentation as a (..., 3, 3) homogeneous 2D matrix.

    Args:
        img_aug: ``None`` (no augmentation), a (..., 3, 3) or (..., 4, 4)
            homogeneous matrix, or a ``(post_rots (..., 3, 3) | (..., 2, 2),
            post_trans (..., 3) | (..., 2))`` pair. A BEVDet ``post_rots``
            alone is a valid (..., 3, 3) matrix with zero translation.
        like (Tensor): (..., 3, 3) tensor giving batch shape, dtype, device
            for the identity when ``img_aug`` is ``None``.
    """
    if img_aug is None:
        eye = torch.eye(3, dtype=like.dtype, device=like.device)
        return eye.expand(like.shape[:-2] + (3, 3))
    if isinstance(img_aug, Tensor):
        size = img_aug.shape[-1]
        if img_aug.shape[-2:] not in ((3, 3), (4, 4)):
            raise ValueError('img_aug must be (..., 3, 3), (..., 4, 4) or a '
                             '(post_rots, post_trans) pair, got shape '
                             f'{tuple(img_aug.shape)}')
        linear, trans = img_aug[..., :2, :2], img_aug[..., :2, size - 1]
    else:
        post_rots, post_trans = img_aug
        linear, trans = post_rots[..., :2, :2], post_trans[..., :2]
    mat = linear.new_zeros(linear.shape[:-2] + (3, 3))
    mat[..., :2, :2] = linear
    mat[..., :2, 2] = trans
    mat[..., 2, 2] = 1
    return mat


def pixel_to_ray_transform(
        intrinsics: Tensor,
        cam2ego: TransformLike,
        img_aug: Optional[TransformLike] = None) -> Tuple[Tensor, Tensor]:
    """Per-camera linear map from augmented pixels to ego-frame directions.

    Args:
        intrinsics (Tensor): (..., 3, 3) or (..., 4, 4) original-image ``K``.
        cam2ego: camera-to-ego extrinsic, see :func:`as_cam2ego_matrix`.
        img_aug: image augmentation, see :func:`as_image_aug_matrix`.

    Returns:
        tuple[Tensor, Tensor]: ``M`` (..., 3, 3) with
        ``d ∝ M · [u, v, 1]ᵀ`` (``M = R · K⁻¹ · A⁻¹``) and the camera
        centres (..., 3).
    """
    intrinsics = intrinsics[..., :3, :3]
    cam2ego = as_cam2ego_matrix(cam2ego).to(intrinsics)
    aug = as_image_aug_matrix(img_aug, intrinsics).to(intrinsics)
    pix2cam = torch.linalg.inv(aug @ intrinsics)  # K⁻¹ A⁻¹ = (A K)⁻¹
    return cam2ego[..., :3, :3] @ pix2cam, cam2ego[..., :3, 3]


def _random_pixel_indices(num_pixels: int, num_rays: int,
                          valid: Optional[Tensor], replacement: bool,
                          generator: Optional[torch.Generator]) -> Tensor:
    """Draw ``num_rays`` flat pixel indices for one batch element."""
    gen_device = generator.device if generator is not None else 'cpu'
    if valid is None:
        pool, pool_size = None, num_pixels
    else:
        pool = valid.flatten().nonzero().squeeze(1).to(gen_device)
        pool_size = pool.numel()
    if pool_size == 0:
        raise ValueError('valid_mask has no valid pixel in a batch element; '
                         'pass a mask with at least one True pixel.')
    if replacement:
        pick = torch.randint(
            pool_size, (num_rays, ),
            generator=generator,
            device=gen_device)
    else:
        if pool_size < num_rays:
            raise ValueError(
                f'Asked for {num_rays} rays without replacement but only '
                f'{pool_size} pixels are valid; lower num_rays or pass '
                'replacement=True.')
        pick = torch.randperm(
            pool_size, generator=generator, device=gen_device)[:num_rays]
    return pick if pool is None else pool[pick]


def sample_rays(intrinsics: Tensor,
                cam2ego: TransformLike,
                image_size: Sequence[int],
                img_aug: Optional[TransformLike] = None,
                num_rays: Optional[int] = None,
                stride: Optional[int] = None,
                valid_mask: Optional[Tensor] = None,
                replacement: bool = False,
                generator: Optional[torch.Generator] = None) -> Rays:
    """Generate rays for the pixels of ``N`` cameras of ``B`` samples.

    Two modes, exactly one of ``num_rays`` / ``stride`` must be given:

    * ``num_rays``: a uniform random subset of ``num_rays`` pixels per batch
      element, drawn over all cameras and pixels (RadOcc samples 80k rays per
      step at 384 x 704), optionally only among ``valid_mask`` pixels.
    * ``stride``: every ``stride``-th pixel in ``u`` and ``v`` of every camera,
      ordered (camera, row, column), so per-ray outputs reshape to
      ``(B, N, ceil(H / stride), ceil(W / stride))`` dense maps.

    Call it once per step and render the teacher and the student volumes
    with the same rays.

    Args:
        intrinsics (Tensor): (B, N, 3, 3) or (B, N, 4, 4) intrinsics.
        cam2ego: (B, N, 4, 4) camera-to-ego, or a ``(rots (B, N, 3, 3),
            trans (B, N, 3))`` pair.
        image_size (Sequence[int]): ``(H, W)`` of the augmented image.
        img_aug: ``None``, (B, N, 3, 3) / (B, N, 4, 4) augmentation matrix or
            a ``(post_rots, post_trans)`` pair; maps original-image pixels to
            augmented-image pixels.
        num_rays (int, optional): rays per batch element (random mode).
        stride (int, optional): pixel stride (dense mode).
        valid_mask (Tensor, optional): (B, N, H, W) bool; random mode draws
            only pixels where it is True.
        replacement (bool): draw with replacement (random mode). Without it,
            asking for more rays than (valid) pixels is an error.
        generator (torch.Generator, optional): source of randomness. Indices
            are drawn on the generator's device, so a CPU generator gives the
            same rays on every device.

    Returns:
        Rays: rays with ``R = num_rays`` or ``N * ceil(H/s) * ceil(W/s)``.
    """
    if (num_rays is None) == (stride is None):
        raise ValueError('Give exactly one of num_rays and stride.')
    if stride is not None and valid_mask is not None:
        raise ValueError('valid_mask is only supported with num_rays.')
    batch, num_cams = intrinsics.shape[:2]
    height, width = int(image_size[0]), int(image_size[1])
    device = intrinsics.device
    if valid_mask is not None and valid_mask.shape != (batch, num_cams,
                                                       height, width):
        raise ValueError(
            f'valid_mask must have shape {(batch, num_cams, height, width)}, '
            f'got {tuple(valid_mask.shape)}')

    if stride is not None:
        rows = torch.arange(0, height, stride, device=device)
        cols = torch.arange(0, width, stride, device=device)
        cams = torch.arange(num_cams, device=device)
        cam_ids, v, u = torch.meshgrid(cams, rows, cols, indexing='ij')
        cam_ids, v, u = (x.flatten().repeat(batch, 1)
                         for x in (cam_ids, v, u))
    else:
        num_pixels = num_cams * height * width
        flat = torch.stack([
            _random_pixel_indices(
                num_pixels, num_rays,
                None if valid_mask is None else valid_mask[b], replacement,
                generator) for b in range(batch)
        ]).to(device)
        cam_ids = flat // (height * width)
        v = flat // width % height
        u = flat % width

    pix2dir, centres = pixel_to_ray_transform(intrinsics, cam2ego, img_aug)
    batch_ids = torch.arange(batch, device=device)[:, None]
    pixels = torch.stack([u, v], dim=-1).to(pix2dir.dtype)
    homo = torch.cat([pixels, torch.ones_like(pixels[..., :1])], dim=-1)
    directions = torch.einsum('brij,brj->bri', pix2dir[batch_ids, cam_ids],
                              homo)
    directions = directions / directions.norm(dim=-1, keepdim=True)
    return Rays(
        origins=centres[batch_ids, cam_ids],
        directions=directions,
        cam_ids=cam_ids,
        pixels=pixels)
