"""RadOcc rendering-assisted distillation losses (Zhang et al., AAAI 2024).

Teacher and student occupancy volumes are rendered with the **same** rays
and samples (:mod:`crossdistill.rendering`); these losses compare the
renderings, per ray ``(u, v)`` of the sampled set (RadOcc renders 80k random
rays, so the paper's ``1/(HW) Σ_{u,v}`` becomes a mean over those rays):

* :class:`RenderedDepthConsistencyLoss` (RDC, Eqs. 4-5) on the ray weights
  ``R = {w_i}`` (``RenderOutputs.weights``, (B, R, N));
* :class:`SegmentGuidedAffinityLoss` (SAD, Eqs. 6-7, divided by ``C M²`` as
  in Eq. 8) and :class:`RenderedSemanticKLLoss` (the ``ω D_KL(S^T‖S^S)`` term
  of Eq. 8) on the rendered semantics ``ŝ`` (``RenderOutputs.semantics``,
  (B, R, C)); RSC = SAD + KL, two entries of a distiller's losses, the KL one
  with ``loss_weight=ω``;
* :class:`SILogLoss` (Eigen et al. 2014) on the rendered depth
  (``RenderOutputs.depth``, (B, R)): the paper's "RDC(−)" ablation (direct
  rendered-depth alignment, Table 4, Model A, which hurts).

Every loss detaches the teacher: gradients reach the student only, whether
or not the distiller already detached it. Choices where the paper is silent
are stated in each class.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from crossdistill.registry import MODELS


def _smoothed_kl(p: Tensor, q: Tensor, eps: float) -> Tensor:
    """``KL(p'‖q')`` along the last dim, ``x' = (x + ε) / (1 + n ε)``.

    ``p`` and ``q`` are distributions over the last dim (``n`` entries).
    Additive smoothing keeps ``log q'`` finite and its gradient non-zero where
    the student puts no mass (a clamp would zero that gradient); the KL is
    still ≥ 0 and zero iff ``p == q``. ``ε = 0`` is the plain KL.
    """
    num = p.shape[-1]
    p = (p + eps) / (1 + num * eps)
    q = (q + eps) / (1 + num * eps)
    # p log(p / q), not p log p - p log q: exactly zero where p == q,
    # whatever order the CPU sums in.
    return torch.xlogy(p, p / q).sum(dim=-1)


def _weighted_mean(values: Tensor, weight: Optional[Tensor]) -> Tensor:
    """Mean of ``values``; with ``weight`` (same shape, ≥ 0) a weighted
    mean, zero (graph kept) when all weights are zero. Entries of weight 0
    are left out, even if not finite."""
    if weight is None:
        return values.mean()
    weight = weight.to(values)
    values = torch.where(weight > 0, values, torch.zeros_like(values))
    return (values * weight).sum() / weight.sum().clamp(min=1e-6)


@MODELS.register_module()
class RenderedDepthConsistencyLoss(nn.Module):
    """RDC: KL between teacher and student ray-termination distributions.

    .. math::
        R_{(u,v)} = \\{T_i (1 - e^{-σ(p_i) δ_i})\\}_{i=1}^{N_p}, \\qquad
        L_{rdc} = \\frac{1}{HW} \\sum_{u,v}
        D_{KL}(R^{teacher}_{(u,v)} \\,\\|\\, R^{student}_{(u,v)})
        \\qquad \\text{(Eqs. 4, 5)}

    The weights of a ray sum to its opacity ``1 - T_{N_p+1} ≤ 1``; the paper
    does not say how it makes them a distribution (spec A.6.6). Options:

    * ``'background'`` (default): append the escape probability
      ``1 - Σ_i w_i`` as an extra outcome. Then ``(w_1, …, w_N, 1 - Σ w)``
      is exactly the distribution of where the ray terminates (in sample
      interval ``i``, or not at all), no division is needed, and a ray the
      teacher sees as empty (sky, free space) teaches the student to be
      empty there too. All rays count.
    * ``'ray'``: ``w / Σ_i w`` per ray, the shape of the distribution
      only. It is undefined for an empty ray and noise for a nearly empty
      one, so rays whose teacher opacity is below ``min_teacher_opacity``
      are left out.

    Both distributions get additive smoothing ``ε`` (finite log, gradient
    where the student has no mass). The result is the mean over the counted
    rays, optionally weighted per ray.

    Args:
        normalize (str): ``'background'`` or ``'ray'``.
        min_teacher_opacity (float): ``'ray'`` only: rays with a smaller
            teacher opacity are ignored.
        eps (float): smoothing ``ε``.
        loss_weight (float): ``λ_rdc``.
    """

    def __init__(self,
                 normalize: str = 'background',
                 min_teacher_opacity: float = 0.1,
                 eps: float = 1e-6,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if normalize not in ('background', 'ray'):
            raise ValueError("normalize must be 'background' or 'ray', got "
                             f'{normalize!r}')
        self.normalize = normalize
        self.min_teacher_opacity = min_teacher_opacity
        self.eps = eps
        self.loss_weight = loss_weight

    def _distribution(self, weights: Tensor) -> Tensor:
        opacity = weights.sum(dim=-1, keepdim=True)
        if self.normalize == 'background':
            return torch.cat([weights, (1 - opacity).clamp(min=0)], dim=-1)
        return weights / opacity.clamp(min=1e-12)

    def forward(self,
                preds_S: Tensor,
                preds_T: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """Args:
            preds_S (Tensor): (B, R, N) student ray weights.
            preds_T (Tensor): (B, R, N) teacher ray weights (same samples).
            weight (Tensor, optional): (B, R) per-ray weight or mask.
        """
        if preds_S.shape != preds_T.shape:
            raise ValueError(f'RDC: student weights {tuple(preds_S.shape)} '
                             f'and teacher weights {tuple(preds_T.shape)} '
                             'differ; render both with the same samples.')
        preds_T = preds_T.detach()
        kl = _smoothed_kl(self._distribution(preds_T),
                          self._distribution(preds_S), self.eps)
        if self.normalize == 'ray':
            opacity = preds_T.sum(dim=-1)
            counted = (opacity >= self.min_teacher_opacity) & (opacity > 0)
            weight = counted if weight is None else weight * counted
        return self.loss_weight * _weighted_mean(kl, weight)


def segments_at_rays(segment_maps: Tensor, cam_ids: Tensor,
                     pixels: Tensor) -> Tensor:
    """Segment id of each ray's pixel.

    Args:
        segment_maps (Tensor): (B, N, H, W) integer segment ids per view at
            the render resolution (``gt_segments``, 0 = no segment).
        cam_ids (Tensor): (B, R) camera of each ray (``Rays.cam_ids``).
        pixels (Tensor): (B, R, 2) ``(u, v)`` of each ray (``Rays.pixels``,
            integer pixel centres).

    Returns:
        Tensor: (B, R) long segment ids.
    """
    batch_ids = torch.arange(segment_maps.shape[0],
                             device=segment_maps.device)[:, None]
    cols, rows = pixels.round().long().unbind(-1)
    return segment_maps[batch_ids, cam_ids, rows, cols].long()


@MODELS.register_module()
class SegmentGuidedAffinityLoss(nn.Module):
    """SAD: segment-guided affinity distillation on rendered semantics.

    Rays are grouped by the VFM (SAM) segment of their pixel; average pooling
    within each segment gives embeddings ``E ∈ R^{M×C}`` (teacher and
    student), and

    .. math::
        C_{i,j,r} = \\frac{E(i,r)\\, E(j,r)}{\\|E(i)\\|_2 \\|E(j)\\|_2}
        \\quad \\text{(Eq. 6)}, \\qquad
        L_{sad} = \\sum_{r=1}^{C} \\sum_{i=1}^{M} \\sum_{j=1}^{M}
        \\big(C^T_{i,j,r} - C^S_{i,j,r}\\big)^2 \\quad \\text{(Eq. 7)},

    used as ``L_sad / (C M²)`` (Eq. 8). ``E(i, r)`` is the r-th channel of
    segment i, so the affinity is kept per channel (its sum over ``r`` is the
    cosine similarity of segments i and j).

    Choices (spec A.6.8, A.6.10):

    * **Per view.** Segments are per image, so a group is one camera of one
      sample (``cam_ids`` given) or one sample; ``L_sad / (C M_g²)`` with the
      group's own ``M_g``, then the mean over groups.
    * **Sampled rays.** ``E`` averages the rendered semantics of the rays
      that fall in a segment; segments hit by no ray do not exist for that
      step (``M_g`` counts the hit ones); rays whose segment id is
      ``ignore_index`` (our pipeline's ``gt_segments``: 0 = pixel SAM left
      unassigned) or negative are ignored.
    * ``C`` is the channel count of the rendered semantics (the renderer's
      non-free classes, logits or probabilities as it is configured).

    Zero when teacher == student; invariant to a relabelling of the segments
    and to a positive rescaling of each segment's embedding (a cosine).
    Memory: (G, M_max, M_max, C) affinities, G groups, M_max segments in the
    largest group.

    Args:
        ignore_index (int): segment id of unassigned pixels.
        loss_weight (float): weight of ``L_sad / (C M²)``.
    """

    def __init__(self,
                 ignore_index: int = 0,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight

    def forward(self,
                preds_S: Tensor,
                preds_T: Tensor,
                segments: Tensor,
                cam_ids: Optional[Tensor] = None) -> Tensor:
        """Args:
            preds_S (Tensor): (B, R, C) student rendered semantics.
            preds_T (Tensor): (B, R, C) teacher rendered semantics.
            segments (Tensor): (B, R) segment id per ray (see
                :func:`segments_at_rays`); ``ignore_index`` or < 0: ignored.
            cam_ids (Tensor, optional): (B, R) camera per ray; ``None``: ids
                are unique per sample.
        """
        if preds_S.shape != preds_T.shape:
            raise ValueError(f'SAD: student {tuple(preds_S.shape)} and '
                             f'teacher {tuple(preds_T.shape)} differ.')
        batch, num_rays, channels = preds_S.shape
        if cam_ids is None:
            cam_ids = torch.zeros_like(segments)
        batch_ids = torch.arange(batch, device=segments.device)[:, None]
        keys = torch.stack([batch_ids.expand(-1, num_rays), cam_ids, segments],
                           dim=-1)
        valid = (segments >= 0) & (segments != self.ignore_index)
        # Segments sorted by (sample, camera, id): groups are contiguous.
        seg_keys, ray_to_seg, rays_per_seg = torch.unique(keys[valid],
                                                          dim=0,
                                                          return_inverse=True,
                                                          return_counts=True)
        if seg_keys.shape[0] == 0:
            return preds_S.sum() * 0
        _, seg_to_group, segs_per_group = torch.unique(seg_keys[:, :2],
                                                       dim=0,
                                                       return_inverse=True,
                                                       return_counts=True)
        group_start = torch.cumsum(segs_per_group, 0) - segs_per_group
        rank = torch.arange(seg_keys.shape[0],
                            device=segments.device) - group_start[seg_to_group]
        max_segs = int(segs_per_group.max())

        def affinity(feats: Tensor) -> Tensor:
            sums = feats.new_zeros(seg_keys.shape[0], channels).index_add_(
                0, ray_to_seg, feats[valid])
            emb = F.normalize(sums / rays_per_seg[:, None].to(feats), dim=1)
            padded = feats.new_zeros(segs_per_group.shape[0], max_segs,
                                     channels)
            padded = padded.index_put((seg_to_group, rank), emb)
            return padded[:, :, None] * padded[:, None]  # (G, M, M, C)

        sq_err = (affinity(preds_T.detach()) -
                  affinity(preds_S)).pow(2).sum(dim=(1, 2, 3))
        per_group = sq_err / (channels * segs_per_group.to(sq_err)**2)
        return self.loss_weight * per_group.mean()


@MODELS.register_module()
class RenderedSemanticKLLoss(nn.Module):
    """KL between rendered semantics, the ``ω D_KL(S^T‖S^S)`` of Eq. 8.

    .. math::
        L = ω \\, τ^2 \\, \\frac{1}{|R|} \\sum_{(u,v)}
        D_{KL}\\big(p^T_{(u,v)} \\,\\|\\, p^S_{(u,v)}\\big)

    Per ray, over the C rendered classes (spec A.6.9):

    * ``input_type='logits'`` (renderer ``semantic_type='logits'``):
      ``p = softmax(ŝ / τ)`` (the Hinton KD form, ``τ² `` keeps gradient
      scale); equal to :class:`~.kl_divergence.KLDivergenceLoss` with
      ``dim=-1`` apart from detaching the teacher and the ray weight.
    * ``input_type='probs'`` (renderer ``semantic_type='probs'``): ``ŝ``
      sums to the ray's opacity; ``p = ŝ / Σ ŝ`` (with smoothing ``ε``), the
      class distribution given that the ray hits something. ``τ`` unused.

    Which rays count is the caller's choice through ``weight`` (B, R): e.g.
    the teacher opacity, so that rays the teacher sees as empty (whose
    rendered semantics are near zero, hence near uniform) weigh little.

    Args:
        input_type (str): ``'logits'`` or ``'probs'``.
        tau (float): temperature (logits).
        eps (float): smoothing (probs).
        loss_weight (float): ``ω``.
    """

    def __init__(self,
                 input_type: str = 'logits',
                 tau: float = 1.0,
                 eps: float = 1e-6,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if input_type not in ('logits', 'probs'):
            raise ValueError("input_type must be 'logits' or 'probs', got "
                             f'{input_type!r}')
        self.input_type = input_type
        self.tau = tau
        self.eps = eps
        self.loss_weight = loss_weight

    def forward(self,
                preds_S: Tensor,
                preds_T: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """Args:
            preds_S (Tensor): (B, R, C) student rendered semantics.
            preds_T (Tensor): (B, R, C) teacher rendered semantics.
            weight (Tensor, optional): (B, R) per-ray weight or mask.
        """
        if preds_S.shape != preds_T.shape:
            raise ValueError(f'Semantic KL: student {tuple(preds_S.shape)} '
                             f'and teacher {tuple(preds_T.shape)} differ.')
        preds_T = preds_T.detach()
        if self.input_type == 'logits':
            log_p = F.log_softmax(preds_T / self.tau, dim=-1)
            log_q = F.log_softmax(preds_S / self.tau, dim=-1)
            kl = (log_p.exp() * (log_p - log_q)).sum(dim=-1) * self.tau**2
        else:
            kl = _smoothed_kl(
                preds_T / preds_T.sum(dim=-1, keepdim=True).clamp(min=1e-12),
                preds_S / preds_S.sum(dim=-1, keepdim=True).clamp(min=1e-12),
                self.eps)
        return self.loss_weight * _weighted_mean(kl, weight)


@MODELS.register_module()
class SILogLoss(nn.Module):
    """Scale-invariant log depth loss (Eigen, Puhrsch & Fergus 2014).

    With ``g_k = log d̂^S_k - log d̂^T_k`` over the ``n`` valid rays of one
    sample:

    .. math::
        L = \\frac{1}{n} \\sum_k g_k^2 - \\frac{λ}{n^2}
        \\Big(\\sum_k g_k\\Big)^2

    averaged over the samples that have valid rays. ``λ = 0.5`` is Eigen's
    training value (``λ = 1``: fully scale invariant; ``λ < 1``: zero only
    when the depths are equal). RadOcc's "RDC(−)" applies it to the rendered
    depths of teacher (target) and student. A ray counts where the teacher
    depth exceeds ``min_depth`` (an empty teacher ray renders 0) and the
    optional ``valid_mask`` is set; the student depth is clamped at
    ``min_depth`` inside the log.

    Args:
        lambd (float): ``λ``.
        min_depth (float): smallest valid depth (m).
        loss_weight (float): weight.
    """

    def __init__(self,
                 lambd: float = 0.5,
                 min_depth: float = 1e-3,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.lambd = lambd
        self.min_depth = min_depth
        self.loss_weight = loss_weight

    def forward(self,
                preds_S: Tensor,
                preds_T: Tensor,
                valid_mask: Optional[Tensor] = None) -> Tensor:
        """Args:
            preds_S (Tensor): (B, …) student depth, e.g. (B, R).
            preds_T (Tensor): (B, …) teacher (target) depth.
            valid_mask (Tensor, optional): (B, …) bool.
        """
        if preds_S.shape != preds_T.shape:
            raise ValueError(f'SILog: student {tuple(preds_S.shape)} and '
                             f'teacher {tuple(preds_T.shape)} differ.')
        target = preds_T.detach().flatten(1)
        valid = target > self.min_depth
        if valid_mask is not None:
            valid = valid & valid_mask.flatten(1).bool()
        log_diff = (preds_S.flatten(1).clamp(min=self.min_depth).log() -
                    target.clamp(min=self.min_depth).log()) * valid
        count = valid.sum(dim=1)
        n = count.clamp(min=1).to(log_diff)
        per_sample = (log_diff.pow(2).sum(dim=1) / n - self.lambd *
                      (log_diff.sum(dim=1) / n).pow(2))
        return self.loss_weight * _weighted_mean(per_sample, count > 0)
