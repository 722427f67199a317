"""Margin and embedding losses of ``npgrad.nn.functional`` (torch's signatures, options and errors).

Each is a hinge max(0, .) or a soft (log-sum-exp) version of one, written with differentiable
Tensor ops: ``margin_ranking_loss``, ``hinge_embedding_loss``, ``soft_margin_loss``,
``cosine_embedding_loss``, the triplet losses, ``multi_margin_loss`` and
``multilabel_soft_margin_loss``. Reductions as in ``_loss_util``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...ops import binary as _B
from ...ops import pointwise as _P
from ...tensor import Tensor
from ._loss_util import const_like, reduce_loss, resolve_reduction
from .activation import pairwise_distance
from .loss_class import _Log1pExp

__all__ = [
    "cosine_embedding_loss", "margin_ranking_loss", "soft_margin_loss", "hinge_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_soft_margin_loss",
]


def _check_triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    """torch's error when the anchor, positive and negative tensors differ in rank."""
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs"
        )


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Cosine embedding loss: l = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    ``input1``, ``input2``: (N, D) or (D,); ``target`` y: (N,) or () of +-1 (other values give 0).
    cos is taken over D (with 1e-12 added to each squared norm). Reduced over the samples.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim not in (1, 2) or target.ndim != input1.ndim - 1:
        raise RuntimeError(
            f"{target.ndim}D target tensor expects {target.ndim + 1}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    dim = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    mag = _P.sqrt(((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps))
    cos = prod / mag
    zero = const_like(0, cos)
    loss = _B.where(Tensor._make(target.data == 1), 1 - cos, zero) + _B.where(
        Tensor._make(target.data == -1), _P.relu(cos - margin), zero)
    return reduce_loss(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Margin ranking loss: l = max(0, -y (x1 - x2) + margin), elementwise, then reduced.

    y = 1 asks for x1 to rank above x2 by ``margin``, y = -1 for the reverse. ``input1``,
    ``input2`` and ``target`` must have the same number of dims.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
            f"{input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return reduce_loss(_P.relu(-target * (input1 - input2) + margin), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    """Soft margin (logistic) loss: l = log(1 + exp(-y x)) for labels y = +-1, computed stably; reduced."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    return reduce_loss(_Log1pExp.apply(-target * input), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Hinge embedding loss: l = x where y = 1, max(0, margin - x) where y = -1; reduced.

    ``input`` x is typically a distance; ``target`` y has x's shape. Where y is neither 1 nor -1
    both terms apply (as in torch's kernel).
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    zero = const_like(0, input)
    loss = _B.where(Tensor._make(target.data != 1), _P.relu(margin - input), zero) + _B.where(
        Tensor._make(target.data != -1), input, zero)
    return reduce_loss(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable | None = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """Triplet loss with any distance d: l = max(d(a, p) - d(a, n) + margin, 0) per triplet; reduced.

    ``distance_function(x, y)`` returns one distance per sample (default ``pairwise_distance``);
    ``swap`` replaces d(a, n) by min(d(a, n), d(p, n)). ``margin`` must be positive and the three
    inputs must have the same number of dims.
    """
    reduction = resolve_reduction(None, None, reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
    _check_triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _B.minimum(d_neg, dist(positive, negative))
    return reduce_loss(_P.relu(d_pos - d_neg + margin), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """Triplet margin loss: l = max(d(a, p) - d(a, n) + margin, 0), d(x, y) = ||x - y + eps||_p.

    ``anchor`` a, ``positive`` p and ``negative`` n: (N, D) or (D,), the norm taken over D.
    ``swap`` replaces d(a, n) by min(d(a, n), d(p, n)). Reduced over the triplets.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    _check_triplet_dims(anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _B.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return reduce_loss(_P.relu(d_pos - d_neg + margin), reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: l = sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C per sample.

    ``input`` x: (N, C) or (C,); ``target`` y: class indices (N,) or (); ``p`` is 1 or 2;
    ``weight`` (C,) weights each sample by its target class. Reduced over the samples.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.ndim == 2 else input.reshape((1, -1))
    n, c = x.shape
    t = target.data.reshape(-1).astype(np.int64)
    if t.shape[0] != n:
        raise RuntimeError(f"inconsistent target size, expected {n} but got {list(target.shape)}")
    if ((t < 0) | (t >= c)).any():
        raise RuntimeError("target out of range")
    rows = np.arange(n)
    x_y = x[Tensor._make(rows), Tensor._make(t)].reshape((n, 1))
    z = _P.relu(x - x_y + margin)
    if p == 2:
        z = z * z
    not_target = np.ones((n, c), dtype=x.data.dtype)
    not_target[rows, t] = 0
    z = z * Tensor._make(not_target)
    if weight is not None:
        z = z * Tensor._make(weight.data[t].reshape(n, 1).astype(x.data.dtype))
    loss = z.sum(1) / c
    if input.ndim != 2:
        loss = loss.reshape(tuple(target.shape))
    return reduce_loss(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-label one-versus-all loss: l = -mean_c w_c (t_c log sigmoid(x_c) + (1 - t_c) log sigmoid(-x_c)).

    ``input`` x and ``target`` t (0/1 per class): (N, C) or (C,); the mean is over the last
    (class) dim, giving one loss per sample, then reduced. ``weight`` (C,) rescales the classes.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    loss = -(target * _P.logsigmoid(input) + (1 - target) * _P.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return reduce_loss(loss, reduction)
