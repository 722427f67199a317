"""Loss functions of ``npgrad.nn.functional`` (torch's signatures, reductions, options and errors).

Every loss takes ``reduction`` in {'none', 'mean', 'sum'} (plus the legacy ``size_average`` /
``reduce`` flags). The classification losses are fused Functions:

* ``cross_entropy`` / ``nll_loss``: ``_ClassNLL`` over rows x of shape (M, C). With log-probs
  l = log_softmax(x) (cross entropy) or l = x (NLL), each row's loss is ``-sum_c A_ic l_ic`` where
  A holds the target weighting: (1 - eps) w_t onehot(t) + eps/C w for class indices (label
  smoothing eps, class weights w, ignored rows zero), or w * smoothed probabilities. Hence

      dL/dx_i = g_i (softmax(x_i) sum_c A_ic - A_i)    (cross entropy),   -g_i A_i  (NLL).

  The backward is one multiply and a scatter on raw arrays; under ``create_graph=True`` the same
  formula is evaluated with Tensor ops (softmax recomputed from x) so double backward works.
* ``binary_cross_entropy`` (log clamped at -100 like torch) and ``binary_cross_entropy_with_logits``
  (stable: (1 - t) x + (1 + (p - 1) t) softplus(-x)).

The remaining losses are compositions of differentiable Tensor ops.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import _state
from ...ops import binary as _B
from ...ops import pointwise as _P
from ...ops import reduce as _R
from ...ops.index import scalar_type_name
from ...tensor import Tensor
from .activation import pairwise_distance

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
    "margin_ranking_loss", "soft_margin_loss", "hinge_embedding_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_soft_margin_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


# ----------------------------------------------------------------------------- helpers
def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """Resolve torch's legacy ``size_average``/``reduce`` flags and validate ``reduction``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                      stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _const(value: Any, like: Tensor) -> Tensor:
    """A constant tensor in ``like``'s dtype (float32 math stays float32)."""
    return Tensor._make(np.asarray(value, dtype=like.data.dtype))


def _size_warning(input: Tensor, target: Tensor) -> None:  # noqa: A002
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def _weighted(loss: Tensor, weight: Tensor | None, input: Tensor, reduction: str,  # noqa: A002
              mean_by_weight: bool) -> Tensor:
    """torch 2.x's optional elementwise ``weight`` of mse/l1/huber losses."""
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- regression losses
def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """(x - y)^2, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    d = input - target
    return _weighted(d * d, weight, input, reduction, True)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """|x - y|, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    return _weighted(_P.abs(input - target), weight, input, reduction, True)


def _huber(d: Tensor, delta: float, scale_quadratic: float, scale_linear: float) -> Tensor:
    """where(|d| < delta, scale_quadratic * d^2, scale_linear * (|d| - delta / 2))."""
    ad = _P.abs(d)
    small = Tensor._make(ad.data < delta)
    return _B.where(small, d * d * scale_quadratic, (ad - 0.5 * delta) * scale_linear)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta if |d| < beta else |d| - beta / 2 (beta = 0 gives L1)."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _size_warning(input, target)
    d = input - target
    loss = _P.abs(d) if beta == 0 else _huber(d, beta, 0.5 / beta, 1.0)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 if |d| < delta else delta (|d| - delta / 2)."""
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _size_warning(input, target)
    return _weighted(_huber(input - target, delta, 0.5, delta), weight, input, reduction, False)


# ----------------------------------------------------------------------------- NLL / cross entropy
class _ClassNLL(Function):
    """Rows x (M, C) -> per-row losses -sum_c A_ic l_ic, reduced (see the module docstring).

    ``spec`` = (mode, target, weight, ignore_index, eps, reduction, softmax) with mode 'index'
    (target: int array (M,)) or 'prob' (target: Tensor (M, C), passed as an argument for its grad).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, prob_target: Tensor | None, spec: tuple) -> np.ndarray:
        mode, target, w, ignore_index, eps, reduction, softmax = spec
        a = x.data
        m_rows, c = a.shape
        dt = a.dtype
        if softmax:
            shifted = a - a.max(axis=1, keepdims=True) if c else a.copy()
            e = np.exp(shifted)
            s = e.sum(axis=1, keepdims=True)
            logp = shifted
            logp -= np.log(s)
            ctx.e_over_s = (e, s)
        else:
            logp = a
        wvec = np.ones(c, dt) if w is None else w.astype(dt, copy=False)
        rows = np.arange(m_rows)
        if mode == "index":
            valid = target != ignore_index
            t_safe = np.where(valid, target, 0)
            coef_nll = (wvec[t_safe] * valid).astype(dt, copy=False)
            cs = valid.astype(dt) * (eps / c) if eps else None
            loss = -(1 - eps) * coef_nll * logp[rows, t_safe] if m_rows else np.zeros(0, dt)
            if eps:
                loss = loss - cs * (logp @ wvec)
            denom = coef_nll.sum()
            ctx.index = (t_safe, (1 - eps) * coef_nll, cs, wvec)
            b = (1 - eps) * coef_nll + (cs * wvec.sum() if eps else 0)
        else:
            tp = prob_target.data.astype(dt, copy=False)
            amat = (tp * (1 - eps) + eps / c) * wvec if (eps or w is not None) else tp
            loss = -(amat * logp).sum(axis=1)
            denom = m_rows
            ctx.amat = amat
            b = amat.sum(axis=1)
        ctx.b, ctx.wvec, ctx.spec = np.asarray(b, dt), wvec, spec
        ctx.denom = dt.type(denom)
        ctx.save_for_backward(x)
        if reduction == "none":
            return loss.astype(dt, copy=False)
        total = loss.sum(dtype=dt)
        if reduction == "sum":
            return np.asarray(total, dt)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(total / ctx.denom, dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        mode, _, _, _, eps, reduction, softmax = ctx.spec
        (x,) = ctx.saved_tensors
        m_rows, c = x.data.shape
        dt = x.data.dtype
        if reduction == "none":
            g_row = grad
        elif reduction == "sum":
            g_row = grad.expand((m_rows,))
        elif ctx.denom == 0:  # every target ignored: torch's gradient is zero
            g_row = (grad * 0).expand((m_rows,))
        else:
            g_row = (grad / _const(ctx.denom, grad)).expand((m_rows,))
        if mode == "index":
            t_safe, coef, cs, wvec = ctx.index
            amat = None
        else:
            amat = ctx.amat
        gx = gt = None
        if not _state.enabled:  # plain backward on raw arrays
            g = g_row.data
            if ctx.needs_input_grad[0]:
                if softmax:
                    e, s = ctx.e_over_s
                    gx = e * ((g * ctx.b)[:, None] / s)
                else:
                    gx = np.zeros((m_rows, c), dt)
                if amat is None:
                    gx[np.arange(m_rows), t_safe] -= g * coef  # one target per row: no duplicates
                    if cs is not None:
                        gx -= (g * cs)[:, None] * wvec
                else:
                    gx -= g[:, None] * amat
                gx = Tensor._make(gx.astype(dt, copy=False))
            if ctx.needs_input_grad[1]:
                logp = x.data if not softmax else np.log(ctx.e_over_s[0] / ctx.e_over_s[1])
                gt = Tensor._make(-(g[:, None] * (1 - eps) * ctx.wvec * logp).astype(dt, copy=False))
            return gx, gt, None
        if amat is None:  # dense target weighting for the differentiable path
            amat = np.zeros((m_rows, c), dt)
            amat[np.arange(m_rows), t_safe] = coef
            if cs is not None:
                amat += cs[:, None] * wvec
        g2 = g_row.reshape((m_rows, 1))
        if ctx.needs_input_grad[0]:
            gx = -(g2 * Tensor._make(amat))
            if softmax:
                gx = gx + _R.softmax(x, 1) * (g2 * Tensor._make(ctx.b.reshape(-1, 1)))
        if ctx.needs_input_grad[1]:
            logp = x if not softmax else _R.log_softmax(x, 1)
            gt = -(g2 * logp * Tensor._make(((1 - eps) * ctx.wvec).astype(dt)))
        return gx, gt, None


def _check_index_target(input: Tensor, target: Tensor, weight: Tensor | None) -> int:  # noqa: A002
    """Validate (input, class-index target, weight) like torch; returns the number of classes C."""
    if input.ndim < 1:
        raise RuntimeError("input tensor should be 1D or 2D")
    if target.data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_name(target)}")
    c = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        if input.ndim == 2 and target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.ndim == 0 or input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0] if target.ndim else 1}).")
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got weight "
                           f"tensor of shape: {list(weight.shape)}")
    return c


def _check_bounds(t: np.ndarray, c: int, ignore_index: int) -> None:
    bad = ((t < 0) | (t >= c)) & (t != ignore_index)
    if bad.any():
        raise IndexError(f"Target {int(t[np.argmax(bad)])} is out of bounds.")


def _type_name(t: Tensor) -> str:
    return scalar_type_name(t.data.dtype)


def _rows(t: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N * d1 * ..., C); (C,) -> (1, C); (N, C) unchanged."""
    if t.ndim == 1:
        return t.reshape((1, t.shape[0]))
    if t.ndim == 2:
        return t
    return t.movedim(1, -1).reshape((-1, t.shape[1]))


def _class_loss(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str,  # noqa: A002
                eps: float, softmax: bool) -> Tensor:
    w = None if weight is None else np.asarray(weight.data)
    if softmax and tuple(input.shape) == tuple(target.shape):
        if target.data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got {_type_name(target)}")
        spec = ("prob", None, w, ignore_index, eps, reduction, softmax)
        out = _ClassNLL.apply(_rows(input), _rows(target), spec)
        batch_shape = (input.shape[0],) + tuple(input.shape[2:]) if input.ndim >= 2 else ()
    else:
        c = _check_index_target(input, target, weight)
        t = target.data.reshape(-1).astype(np.int64, copy=False)
        _check_bounds(t, c, ignore_index)
        spec = ("index", t, w, ignore_index, eps, reduction, softmax)
        out = _ClassNLL.apply(_rows(input), None, spec)
        batch_shape = tuple(target.shape)
    if reduction == "none":
        out = out.reshape(batch_shape)
    return out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """-log softmax(x)[target] (class indices) or -sum_c p_c log softmax(x)_c (class probabilities).

    Input (N, C), (C,) or (N, C, d1, ...); ``weight`` rescales classes; targets equal to
    ``ignore_index`` contribute nothing; ``label_smoothing`` mixes the target with uniform 1/C.
    'mean' divides by the summed weights of the non-ignored targets (by N*d1*... for probabilities).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    return _class_loss(input, target, weight, ignore_index, reduction, float(label_smoothing), True)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-w_t input[target] for log-probability input (N, C), (C,) or (N, C, d1, ...)."""
    reduction = _reduction(size_average, reduce, reduction)
    return _class_loss(input, target, weight, ignore_index, reduction, 0.0, False)


# ----------------------------------------------------------------------------- binary cross entropy
_BCE_EPS = float(np.float32(1e-12))  # torch's kernel constant is the float 1e-12f


class _BCE(Function):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100; d/dx = w (x - t) / max(x (1 - x), 1e-12),
    d/dt = w (log(1 - x) - log x)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, t: Tensor, w: Tensor | None) -> np.ndarray:
        a, ta = x.data, t.data.astype(x.data.dtype, copy=False)
        if a.size and (a.min() < 0 or a.max() > 1):
            raise RuntimeError("all elements of input should be between 0 and 1")
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(a), -100)
            log_1mx = np.maximum(np.log1p(-a), -100)
        loss = -(ta * log_x + (1 - ta) * log_1mx)
        if w is not None:
            loss = loss * w.data
        ctx.save_for_backward(x, t, w)
        return loss.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, t, w = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            denom = _P.clamp((1 - x) * x, min=_BCE_EPS)
            gx = (x - t) / denom * grad
            if w is not None:
                gx = gx * w
        if ctx.needs_input_grad[1]:  # torch: unclamped log(1 - x) - log(x)
            gw = grad if w is None else grad * w
            with np.errstate(divide="ignore"):
                gt = gw * (_P.log1p(-x) - _P.log(x))
        return gx, gt, None


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1]; each log is clamped at -100."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        weight = weight.expand(np.broadcast_shapes(tuple(target.shape), tuple(weight.shape)))
    return _reduce(_BCE.apply(input, target, weight), reduction)


class _Log1pExp(Function):
    """log(1 + exp(z)) without overflow (softplus with no linear cut-off); d/dz = sigmoid(z)."""

    @staticmethod
    def forward(ctx: Function, z: Tensor) -> np.ndarray:
        a = z.data
        ctx.save_for_backward(z)
        return (np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (z,) = ctx.saved_tensors
        return grad * _P.sigmoid(z)


class _BCEWithLogits(Function):
    """w ((1 - t) x + (1 + (p - 1) t) softplus(-x)); d/dx = w ((1 + (p - 1) t) sigmoid(x) - p t)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, t: Tensor, w: Tensor | None, pw: Tensor | None) -> np.ndarray:
        a = x.data
        ta = t.data.astype(a.dtype, copy=False)
        sp = np.maximum(-a, 0) + np.log1p(np.exp(-np.abs(a)))  # softplus(-x), stable
        if pw is None:
            loss = (1 - ta) * a + sp
        else:
            loss = (1 - ta) * a + (1 + (pw.data - 1) * ta) * sp
        if w is not None:
            loss = loss * w.data
        ctx.save_for_backward(x, t, w, pw)
        return loss.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, t, w, pw = ctx.saved_tensors
        gw = grad if w is None else grad * w
        gx = gt = None
        if ctx.needs_input_grad[0]:
            sig = _P.sigmoid(x)
            gx = gw * (sig - t) if pw is None else gw * ((1 + (pw - 1) * t) * sig - pw * t)
        if ctx.needs_input_grad[1]:
            gt = -(gw * x) if pw is None else gw * ((pw - 1) * _Log1pExp.apply(-x) - x)
        return gx, gt, None, None


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE on sigmoid(x) computed stably from logits; ``pos_weight`` scales the positive term."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return _reduce(_BCEWithLogits.apply(input, target, weight, pos_weight), reduction)


# ----------------------------------------------------------------------------- distribution losses
def _xlogy_self(t: Tensor) -> Tensor:
    """t log t with 0 log 0 = 0 (differentiable where t > 0)."""
    pos = Tensor._make(t.data > 0)
    safe = _B.where(pos, t, _const(1, t))
    return _B.where(pos, t * _P.log(safe), _const(0, t))


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Pointwise KL: t (log t - x) (or exp(t) (t - x) with ``log_target``); input is log-probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, "mean")
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    loss = _P.exp(target) * (target - input) if log_target else _xlogy_self(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """exp(x) - t x (``log_input``) or x - t log(x + eps); ``full`` adds Stirling's t log t - t + log(2 pi t)/2."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = _P.exp(input) - target * input if log_input else input - target * _P.log(input + eps)
    if full:
        big = Tensor._make(target.data > 1)
        safe = _B.where(big, target, _const(1, target))
        stirling = safe * _P.log(safe) - safe + 0.5 * _P.log(2 * math.pi * safe)
        loss = loss + _B.where(big, stirling, _const(0, stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,  # noqa: A002
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 (log max(var, eps) + (x - t)^2 / max(var, eps)) (+ 0.5 log 2 pi with ``full``)."""
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
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    # clamp without cutting the gradient (torch clamps a clone under no_grad)
    var = var + Tensor._make((np.maximum(var.data, eps) - var.data).astype(var.data.dtype))
    d = input - target
    loss = 0.5 * (_P.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- margin / embedding losses
def _relu(x: Tensor) -> Tensor:
    return _P.relu(x)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1."""
    reduction = _reduction(size_average, reduce, reduction)
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
    zero = _const(0, cos)
    loss = _B.where(Tensor._make(target.data == 1), 1 - cos, zero) + _B.where(
        Tensor._make(target.data == -1), _relu(cos - margin), zero)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
            f"{input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _reduce(_relu(-target * (input1 - input2) + margin), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), computed stably."""
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce(_Log1pExp.apply(-target * input), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (summed where y is neither)."""
    reduction = _reduction(size_average, reduce, reduction)
    zero = _const(0, input)
    loss = _B.where(Tensor._make(target.data != 1), _relu(margin - input), zero) + _B.where(
        Tensor._make(target.data != -1), input, zero)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable | None = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with a custom distance (default pairwise_distance)."""
    reduction = _reduction(None, None, reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs"
        )
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _B.minimum(d_neg, dist(positive, negative))
    return _reduce(_relu(d_pos - d_neg + margin), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(||a - p + eps||_p - ||a - n + eps||_p + margin, 0) (``swap``: also try d(p, n))."""
    reduction = _reduction(size_average, reduce, reduction)
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _B.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(_relu(d_pos - d_neg + margin), reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C per sample."""
    reduction = _reduction(size_average, reduce, reduction)
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
    z = _relu(x - x_y + margin)
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
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-(t log sigmoid(x) + (1 - t) log sigmoid(-x)), weighted, averaged over classes."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * _P.logsigmoid(input) + (1 - target) * _P.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)
