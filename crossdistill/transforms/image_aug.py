"""BEVDet-style resize / crop / flip / rotate of multi-view images.

mmdet3d 1.4 has no multi-view image augmentation that records the per-camera
image transform (its ``Resize3D``/``RandomResize3D`` rescale ``cam2img`` of
a single view; BEVFusion's ``ImageAug3D`` lives in a project, not the
package), so it is written here.

Pixel convention, shared with ``cam2img``: integer coordinates are pixel
centres. ``img_aug_matrix`` (4x4, per camera) maps an original-image point
``(u, v, d, 1)`` (d = depth, unchanged) to the augmented image:
``[:2, :2]`` holds scale/flip/rotation and ``[:2, 3]`` the translation. The
augmented projection of a LiDAR point is therefore
``img_aug_matrix @ cam2img @ lidar2cam``. The matrix is exact for what is
done to the pixels: the resize step (``cv2.resize``, area filter when
shrinking) maps ``u -> s * u + (s - 1) / 2``, and crop, flip and rotation are
one ``cv2.warpAffine`` with the same matrix, so segment maps warped with it
(nearest neighbour) and depth maps projected through it line up with the
images. ``cam2img`` itself stays the original intrinsics.

Sampling follows BEVDet (``data_config``): scale ``W_final / W + U(resize)``
(test: ``+ resize_test``), crop of the final size at a random column (test:
centred) and at ``int((1 - U(crop_h)) * H_resized) - H_final`` rows from the
top (the bottom part is kept), horizontal flip with probability 0.5,
rotation ``U(rot)`` degrees about the image centre (counter-clockwise as
seen). Areas outside the source image are zero.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from crossdistill.registry import TRANSFORMS


def warp_to_augmented(image: np.ndarray,
                      img_aug_matrix: np.ndarray,
                      out_size: Tuple[int, int],
                      nearest: bool = False) -> np.ndarray:
    """Resample ``image`` into the augmented frame of ``img_aug_matrix``.

    Args:
        image: (H, W) or (H, W, C) array in the original-image frame.
        img_aug_matrix: (4, 4) original -> augmented pixel transform.
        out_size: augmented (height, width).
        nearest: nearest-neighbour (label maps) instead of bilinear.
    """
    affine = np.asarray(img_aug_matrix, dtype=np.float64)[:2][:, [0, 1, 3]]
    flags = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.warpAffine(image,
                          affine, (out_size[1], out_size[0]),
                          flags=flags,
                          borderMode=cv2.BORDER_CONSTANT,
                          borderValue=0)


def _affine(mat2x3: np.ndarray) -> np.ndarray:
    """2x3 pixel affine -> 4x4 acting on (u, v, d, 1)."""
    out = np.eye(4)
    out[:2, :2] = mat2x3[:, :2]
    out[:2, 3] = mat2x3[:, 2]
    return out


@TRANSFORMS.register_module()
class MultiViewImageAug(BaseTransform):
    """Resize, crop, flip and rotate each camera image; record the transform.

    Required keys: ``img`` (list of (H, W, 3) arrays, from mmdet3d's
    ``LoadMultiViewImageFromFiles``), ``cam2img`` and ``lidar2cam`` (lists of
    per-camera matrices), optional ``cam2ego``.

    Modified keys: ``img`` (list of (H_final, W_final, 3)), ``img_shape``,
    ``pad_shape``; ``cam2img`` (padded to 4x4), ``lidar2cam`` and ``cam2ego``
    become (N, 4, 4) float32 arrays (values unchanged).

    Added keys: ``img_aug_matrix`` (N, 4, 4) float32.

    Args:
        final_size: (height, width) of the augmented images.
        resize_range: added to the base scale ``W_final / W`` in training.
        rot_range: rotation range in degrees (training).
        flip: random horizontal flip in training.
        crop_h_range: fraction range of the resized height cut from the
            bottom boundary upwards (BEVDet ``crop_h``).
        resize_test: added to the base scale at test time.
        is_train: random augmentation; otherwise the deterministic test
            transform (base scale + ``resize_test``, centred crop).
    """

    def __init__(self,
                 final_size: Sequence[int],
                 resize_range: Sequence[float] = (0.0, 0.0),
                 rot_range: Sequence[float] = (0.0, 0.0),
                 flip: bool = False,
                 crop_h_range: Sequence[float] = (0.0, 0.0),
                 resize_test: float = 0.0,
                 is_train: bool = False) -> None:
        self.final_size = (int(final_size[0]), int(final_size[1]))
        self.resize_range = tuple(resize_range)
        self.rot_range = tuple(rot_range)
        self.flip = flip
        self.crop_h_range = tuple(crop_h_range)
        self.resize_test = resize_test
        self.is_train = is_train

    def sample_params(
            self, height: int,
            width: int) -> Tuple[float, Tuple[int, int], bool, float]:
        """(scale, (crop_x, crop_y), flip, rotation in degrees)."""
        fh, fw = self.final_size
        if self.is_train:
            scale = fw / width + np.random.uniform(*self.resize_range)
            crop_h = np.random.uniform(*self.crop_h_range)
        else:
            scale = fw / width + self.resize_test
            crop_h = float(np.mean(self.crop_h_range))
        new_w, new_h = int(width * scale), int(height * scale)
        crop_y = int((1 - crop_h) * new_h) - fh
        if self.is_train:
            crop_x = int(np.random.uniform(0, max(0, new_w - fw)))
            flip = self.flip and bool(np.random.randint(2))
            rotate = float(np.random.uniform(*self.rot_range))
        else:
            crop_x = int(max(0, new_w - fw) / 2)
            flip, rotate = False, 0.0
        return scale, (crop_x, crop_y), flip, rotate

    def augment(self, img: np.ndarray, scale: float, crop: Tuple[int, int],
                flip: bool, rotate: float) -> Tuple[np.ndarray, np.ndarray]:
        """Augment one image; returns it and its 4x4 ``img_aug_matrix``."""
        height, width = img.shape[:2]
        fh, fw = self.final_size
        new_w, new_h = int(width * scale), int(height * scale)
        sx, sy = new_w / width, new_h / height
        resize = np.array([[sx, 0, (sx - 1) / 2], [0, sy, (sy - 1) / 2],
                           [0, 0, 1]])
        post = np.array([[1, 0, -crop[0]], [0, 1, -crop[1]], [0, 0, 1.0]])
        if flip:
            post = np.array([[-1, 0, fw - 1], [0, 1, 0], [0, 0, 1.0]]) @ post
        if rotate:
            angle = np.deg2rad(rotate)
            cos, sin = np.cos(angle), np.sin(angle)
            cu, cv = (fw - 1) / 2, (fh - 1) / 2
            rot = np.array([[cos, sin, cu - cos * cu - sin * cv],
                            [-sin, cos, cv + sin * cu - cos * cv], [0, 0, 1]])
            post = rot @ post
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        resized = cv2.resize(img, (new_w, new_h), interpolation=interpolation)
        out = warp_to_augmented(resized, _affine(post[:2]), self.final_size)
        return out, _affine((post @ resize)[:2]).astype(np.float32)

    def transform(self, results: dict) -> dict:
        imgs: List[np.ndarray] = results['img']
        augmented, matrices = [], []
        for img in imgs:
            params = self.sample_params(*img.shape[:2])
            out, matrix = self.augment(img, *params)
            augmented.append(out)
            matrices.append(matrix)
        results['img'] = augmented
        results['img_shape'] = self.final_size
        results['pad_shape'] = self.final_size
        results['img_aug_matrix'] = np.stack(matrices)
        for key in ('cam2img', 'lidar2cam', 'cam2ego'):
            value: Optional[list] = results.get(key)
            if value is None:
                continue
            mats = []
            for mat in value:
                padded = np.eye(4, dtype=np.float32)
                mat = np.asarray(mat, dtype=np.float32)
                padded[:mat.shape[0], :mat.shape[1]] = mat
                mats.append(padded)
            results[key] = np.stack(mats)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(final_size={self.final_size}, '
                f'resize_range={self.resize_range}, '
                f'rot_range={self.rot_range}, flip={self.flip}, '
                f'crop_h_range={self.crop_h_range}, '
                f'resize_test={self.resize_test}, is_train={self.is_train})')
