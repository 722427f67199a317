"""Classification losses of ``npgrad.nn.functional``: cross entropy, NLL and the binary cross entropies.

Both multi-class losses are one fused Function, ``_ClassNLL``, over rows x of shape (M, C)
(inputs (N, C, d1, ...) are first moved to rows). With log-probabilities l = log_softmax(x)
(cross entropy) or l = x (NLL), row i's loss is ``-sum_c A_ic l_ic``, where A holds the target
weighting: (1 - eps) w_t onehot(t) + eps/C w for class indices t (label smoothing eps, class
weights w, ignored rows zero), or w * smoothed probabilities for probability targets. Hence

    dL/dx_i = g_i (softmax(x_i) sum_c A_ic - A_i)    (cross entropy),   -g_i A_i  (NLL).

The backward is one multiply and a scatter on raw arrays; under ``create_graph=True`` the same
formula is evaluated with Tensor ops (softmax recomputed from x) so double backward works.

``binary_cross_entropy`` clamps each log at -100 like torch; ``binary_cross_entropy_with_logits``
is computed stably from logits as (1 - t) x + (1 + (p - 1) t) softplus(-x).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import _state
from ...ops import pointwise as _P
from ...ops import reduce as _R
from ...ops.index import scalar_type_name
from ...tensor import Tensor
from ._loss_util import const_like, reduce_loss, resolve_reduction

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]


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
            g_row = (grad / const_like(ctx.denom, grad)).expand((m_rows,))
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
    """Cross entropy of logits: l = -w_t log softmax(x)[t] per sample (class indices t).

    ``input`` x: logits of shape (N, C), (C,) or (N, C, d1, ...), the softmax taken over C.
    ``target``: class indices (int64, shape (N,), () or (N, d1, ...)), or class probabilities of
    ``input``'s shape, for which l = -sum_c w_c p_c log softmax(x)_c. ``weight`` (C,) rescales the
    classes; index targets equal to ``ignore_index`` contribute nothing; ``label_smoothing`` eps
    replaces the target by (1 - eps) target + eps / C. 'mean' divides by the summed weights of the
    non-ignored targets (by N*d1*... for probability targets). Returns a scalar, or the per-sample
    losses for ``reduction='none'``.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    return _class_loss(input, target, weight, ignore_index, reduction, float(label_smoothing), True)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: l = -w_t x[t] per sample, for log-probabilities x (e.g. log_softmax).

    Shapes, ``weight``, ``ignore_index`` and the 'mean' rule are those of ``cross_entropy`` with
    class-index targets; ``cross_entropy(x, t) == nll_loss(log_softmax(x, 1), t)``.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
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
    """Binary cross entropy of probabilities: l = -w (t log x + (1 - t) log(1 - x)), reduced.

    ``input`` x must lie in [0, 1] (RuntimeError otherwise) and ``target`` t has x's shape;
    ``weight`` broadcasts to it. Each log is clamped at -100, like torch, so x = 0 or 1 stays finite.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        weight = weight.expand(np.broadcast_shapes(tuple(target.shape), tuple(weight.shape)))
    return reduce_loss(_BCE.apply(input, target, weight), reduction)


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
    """Binary cross entropy of sigmoid(x), computed stably from the logits x.

    l = -w (p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))) = w ((1 - t) x + (1 + (p - 1) t) softplus(-x)),
    with ``pos_weight`` p (broadcast over the last, class dim; 1 when None) scaling the positive
    term and ``weight`` w broadcast to x. ``target`` t has x's shape. Reduced by ``reduction``.
    """
    reduction = resolve_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return reduce_loss(_BCEWithLogits.apply(input, target, weight, pos_weight), reduction)
