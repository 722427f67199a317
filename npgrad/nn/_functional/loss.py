"""Regression and distribution losses of ``npgrad.nn.functional`` (torch's signatures, options and errors).

The loss functions are split by family:

* this file: regression losses (``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``huber_loss``)
  and distribution losses (``kl_div``, ``poisson_nll_loss``, ``gaussian_nll_loss``);
* ``loss_class.py``: classification losses (``cross_entropy``, ``nll_loss`` and the binary cross
  entropies), fused Functions with hand-written backwards;
* ``loss_margin.py``: margin and embedding losses (hinge, triplet, cosine embedding, ...);
* ``_loss_util.py``: the ``reduction`` handling they all share.

Every loss takes ``reduction`` in {'none', 'mean', 'sum'} (plus the legacy ``size_average`` /
``reduce`` flags). The losses here are compositions of differentiable Tensor ops, so their
gradients of any order come from autograd.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ...ops import binary as _B
from ...ops import pointwise as _P
from ...tensor import Tensor
from ._loss_util import REDUCTIONS, const_like, reduce_loss, resolve_reduction, warn_size_mismatch, weighted_reduce

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss"]


# ----------------------------------------------------------------------------- regression losses
def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error: l = (x - y)^2 per element, then reduced.

    ``input`` and ``target`` broadcast (a shape mismatch warns, like torch). The optional
    ``weight`` (``input``'s shape) multiplies l; 'mean' then divides by sum(weight). Returns a
    scalar, or a tensor of the broadcast shape for ``reduction='none'``.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    warn_size_mismatch(input, target)
    d = input - target
    return weighted_reduce(d * d, weight, input, reduction, True)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error: l = |x - y| per element, then reduced (``weight`` as in ``mse_loss``)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    warn_size_mismatch(input, target)
    return weighted_reduce(_P.abs(input - target), weight, input, reduction, True)


def _huber(d: Tensor, delta: float, scale_quadratic: float, scale_linear: float) -> Tensor:
    """where(|d| < delta, scale_quadratic * d^2, scale_linear * (|d| - delta / 2))."""
    ad = _P.abs(d)
    small = Tensor._make(ad.data < delta)
    return _B.where(small, d * d * scale_quadratic, (ad - 0.5 * delta) * scale_linear)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1: with d = x - y, l = 0.5 d^2 / beta where |d| < beta, else |d| - beta / 2; reduced.

    Quadratic near zero, linear in the tails; ``beta = 0`` is exactly ``l1_loss``. Negative
    ``beta`` raises RuntimeError.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    warn_size_mismatch(input, target)
    d = input - target
    loss = _P.abs(d) if beta == 0 else _huber(d, beta, 0.5 / beta, 1.0)
    return reduce_loss(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
               weight: Tensor | None = None) -> Tensor:
    """Huber loss: with d = x - y, l = 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2); reduced.

    Equals ``delta * smooth_l1_loss(x, y, beta=delta)``. ``delta`` must be positive; the optional
    elementwise ``weight`` multiplies l before a plain reduction.
    """
    reduction = resolve_reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    warn_size_mismatch(input, target)
    return weighted_reduce(_huber(input - target, delta, 0.5, delta), weight, input, reduction, False)


# ----------------------------------------------------------------------------- distribution losses
def _xlogy_self(t: Tensor) -> Tensor:
    """t log t with 0 log 0 = 0 (differentiable where t > 0)."""
    pos = Tensor._make(t.data > 0)
    safe = _B.where(pos, t, const_like(1, t))
    return _B.where(pos, t * _P.log(safe), const_like(0, t))


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence, pointwise: l = t (log t - x), with 0 log 0 = 0.

    ``input`` x holds log-probabilities; ``target`` t probabilities, or log-probabilities with
    ``log_target`` (then l = exp(t) (t - x)). ``reduction='batchmean'`` divides the sum by the
    batch size ``input.shape[0]`` (the true KL per sample); 'mean' averages over every element
    and warns, as in torch.
    """
    if size_average is not None or reduce is not None:
        reduction = resolve_reduction(size_average, reduce, "mean")
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    loss = _P.exp(target) * (target - input) if log_target else _xlogy_self(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return reduce_loss(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` t under Poisson(rate), dropping the constant log(t!).

    With ``log_input`` the input is log(rate) and l = exp(x) - t x; otherwise it is the rate and
    l = x - t log(x + eps). ``full`` adds Stirling's approximation of log(t!),
    t log t - t + 0.5 log(2 pi t), where t > 1. Reduced by ``reduction``.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    loss = _P.exp(input) - target * input if log_input else input - target * _P.log(input + eps)
    if full:
        big = Tensor._make(target.data > 1)
        safe = _B.where(big, target, const_like(1, target))
        stirling = safe * _P.log(safe) - safe + 0.5 * _P.log(2 * math.pi * safe)
        loss = loss + _B.where(big, stirling, const_like(0, stirling))
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,  # noqa: A002
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under N(input, var): l = 0.5 (log v + (x - t)^2 / v).

    v = max(var, eps) (clamped without cutting var's gradient); ``full`` adds 0.5 log(2 pi).
    ``var`` is a float, a tensor of ``input``'s shape, one with a single dim of size 1 (broadcast),
    or ``input``'s shape without the last dim (one variance per sample). Negative entries raise
    ValueError.
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(np.full(input.data.shape, var, dtype=input.data.dtype))
    elif (var.data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    # clamp without cutting the gradient (torch clamps a clone under no_grad)
    var = var + Tensor._make((np.maximum(var.data, eps) - var.data).astype(var.data.dtype))
    d = input - target
    loss = 0.5 * (_P.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)
