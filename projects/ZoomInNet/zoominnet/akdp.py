"""Adaptive key distillation positions (AKDP), Sec. 3.3.1, Eqs. (11)-(18).

For one image with anchors :math:`A \\in R^{num_A \\times 4}` (K per feature
position) and ground truths :math:`gts \\in R^{G \\times 4}`:

.. math::
    IOU\\_map &= IOU(A, gts) \\in R^{num_A \\times G}              && (11)\\\\
    max\\_IOU_g &= \\max_a IOU\\_map_{a,g}                        && (13)\\\\
    \\lambda_g &= mean_a(IOU\\_map_{a,g}) + std_a(IOU\\_map_{a,g}) && (15)\\\\
    thresh\\_IOU_g &= \\lambda_g \\cdot max\\_IOU_g                 && (14)\\\\
    mask(i, j) &= [\\sum_k \\sum_g [IOU\\_map(i, j, k, g) >
                  thresh\\_IOU_g] > 0]                            && (16-18)

Choices where the paper is silent:

* Eq. (15) writes mean/std of the whole map; they are taken per GT (over
  that GT's column, population std), which makes the threshold adapt to each
  object's size as the name says, and leaves it unaffected by how many other
  objects the image has.
* A detector with an FPN has one anchor set over all levels; the IoU map
  (and so each GT's max and statistics) spans all of them, and the mask is
  then split back per level.  A GT thus marks positions on the levels whose
  anchors fit it, not on every level.
* Eq. (17) sums over k and g but the text says the mask holds only 0 and 1:
  it is binarised (a logical OR).
"""
from typing import List, Sequence, Tuple

import torch
from mmdet.structures.bbox import bbox_overlaps, get_box_tensor


def akdp_anchor_mask(anchors: torch.Tensor,
                     gt_bboxes: torch.Tensor) -> torch.Tensor:
    """Eqs. (11)-(16) followed by the OR over GTs: (num_A,) bool, True for
    anchors whose IoU with some GT exceeds that GT's adaptive threshold."""
    if gt_bboxes.numel() == 0:
        return anchors.new_zeros(anchors.shape[0], dtype=torch.bool)
    ious = bbox_overlaps(anchors, gt_bboxes)  # (num_A, G)
    max_iou = ious.max(dim=0).values
    lam = ious.mean(dim=0) + ious.std(dim=0, unbiased=False)
    return (ious > lam * max_iou).any(dim=1)


def akdp_masks(priors: Sequence[torch.Tensor],
               featmap_sizes: Sequence[Tuple[int, int]],
               num_base_priors: int,
               gt_bboxes) -> List[torch.Tensor]:
    """Key positions of one image on every pyramid level.

    Args:
        priors: Per level (H * W * K, 4) anchors, ordered (H, W, K) as
            mmdet's ``AnchorGenerator.grid_priors`` returns them.
        featmap_sizes: Per level (H, W).
        num_base_priors: K.
        gt_bboxes: (G, 4) tensor or boxes, in the anchors' frame.

    Returns:
        Per level an (H, W) float mask of 0/1 (Eq. 18).
    """
    anchor_mask = akdp_anchor_mask(
        torch.cat(list(priors)), get_box_tensor(gt_bboxes).to(priors[0]))
    counts = [h * w * num_base_priors for h, w in featmap_sizes]
    return [
        m.view(h, w, num_base_priors).any(dim=-1).float()
        for m, (h, w) in zip(anchor_mask.split(counts), featmap_sizes)
    ]
