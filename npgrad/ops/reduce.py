"""Reductions, scans, selection/sorting and (log-)softmax, with torch's dtypes and gradient rules.

Gradients:
- sum / mean: the output gradient broadcast back over the reduced dims (divided by the count);
- amax / amin / max() / min() / median(): split evenly among the elements equal to the result;
- max(dim) / min(dim) / median(dim) / mode / kthvalue / topk / sort / cummax / cummin: the values
  are a ``Gather`` of the input at the returned indices, so the gradient is scattered to them;
- prod / cumprod: exact with zeros in the input (the product of the other factors, never 0/0);
- var: ``2 (x - mean) / (N - correction)``; std: var's times ``1 / (2 std)``, 0 where std == 0;
- softmax: ``y (g - sum(g y))``; log_softmax: ``g - exp(y) sum(g)``; logsumexp: ``g exp(x - out)``.
Every backward is written with Tensor ops, so double backward works.
"""
from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ..tensor import Tensor
from ._util import normalize_dims, wrap_dim
from .index import PutAlong, scalar_type_name, take_along
from .shape import cat, expand, flip, movedim, narrow, permute, reshape


def _return_type(name: str, fields: tuple = ("values", "indices")) -> type:
    cls = namedtuple(name, fields)
    cls.__module__ = "npgrad.return_types"
    return cls


_MAX, _MIN, _MEDIAN, _MODE, _KTH, _TOPK, _SORT, _CUMMAX, _CUMMIN = (
    _return_type(n) for n in ("max", "min", "median", "mode", "kthvalue", "topk", "sort", "cummax", "cummin"))
_AMINMAX = _return_type("aminmax", ("min", "max"))


# ----------------------------------------------------------------------------- helpers
def _keep_shape(shape: tuple, axes: tuple) -> tuple:
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _to_input(grad: Tensor, shape: tuple, axes: tuple, keepdim: bool) -> Tensor:
    """A reduction's output gradient broadcast back over the reduced dims to the input's ``shape``."""
    if not keepdim and axes:
        grad = reshape(grad, _keep_shape(shape, axes))
    return expand(grad, shape)


def _count(shape: tuple, axes: tuple) -> int:
    return math.prod(shape[a] for a in axes)


def _acc_dtype(dt: np.dtype, dtype: Any) -> np.dtype:
    """Output dtype of sum/prod/cumsum/cumprod: ``dtype`` if given, int64 for ints/bools, else the input's."""
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.dtype(np.int64) if dt.kind in "iub" else dt


def _reduce(ufunc: Any, a: np.ndarray, axes: tuple, keepdim: bool, dt: np.dtype) -> np.ndarray:
    """``ufunc.reduce`` (np.add / np.multiply) over ``axes`` into ``dt`` (half accumulates in float, like torch)."""
    acc = np.float32 if dt == np.float16 else dt
    out = ufunc.reduce(a, axis=axes, dtype=acc, keepdims=keepdim)
    return (out if type(out) is np.ndarray else np.asarray(out)).astype(dt, copy=False)


def _on_1d(fn: Any, x: Tensor, dim: int, *args: Any) -> Any:
    """Run a (values, indices) op on a 0-d tensor as on shape (1,), returning 0-d results (torch's rule)."""
    wrap_dim(dim, 0)
    res = fn(reshape(x, (1,)), 0, *args)
    return type(res)(*(reshape(t, ()) for t in res))


def _check_nonempty(a: np.ndarray, axes: tuple, name: str, full: bool) -> None:
    if a.size:
        return
    if full:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    for ax in axes:
        if a.shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


# ----------------------------------------------------------------------------- sum / mean / prod
class Sum(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool, dt: np.dtype) -> np.ndarray:
        ctx.args = (x.data.shape, axes, keepdim)
        return _reduce(np.add, x.data, axes, keepdim, dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _to_input(grad, *ctx.args), None, None, None


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (an int, a tuple, or None/() for all dims); ints and bools sum to int64."""
    axes = normalize_dims(dim, input.data.ndim)
    return Sum.apply(input, axes, keepdim, _acc_dtype(input.data.dtype, dtype))


class Mean(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool, dt: np.dtype) -> np.ndarray:
        ctx.args = (x.data.shape, axes, keepdim)
        ctx.n = _count(x.data.shape, axes)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(_reduce(np.add, x.data, axes, keepdim, dt) / ctx.n).astype(dt, copy=False)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _to_input(grad / ctx.n, *ctx.args), None, None, None


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Arithmetic mean over ``dim``; like torch, integer inputs need an explicit floating ``dtype``."""
    if dtype is None and input.data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {scalar_type_name(input.data.dtype)}")
    dt = input.data.dtype if dtype is None else _dtype.to_dtype(dtype).np
    if dt.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                           f"complex dtype. Got: {scalar_type_name(dt)}")
    return Mean.apply(input, normalize_dims(dim, input.data.ndim), keepdim, dt)


class Prod(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool, dt: np.dtype) -> np.ndarray:
        a = x.data
        ctx.args = (a.shape, axes, keepdim)
        ctx.has_zero = builtins.bool(ctx.needs_input_grad[0] and (a == 0).any())
        out = _reduce(np.multiply, a, axes, keepdim, dt)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, out = ctx.saved_tensors
        g = _to_input(grad, *ctx.args)
        if not ctx.has_zero:
            return g * _to_input(out, *ctx.args) / x, None, None, None
        return g * _prod_others(x, ctx.args[1]), None, None, None


def _prod_others(x: Tensor, axes: tuple) -> Tensor:
    """For each element, the product of the other elements of its reduction group (exclusive scans, no division)."""
    nd = x.data.ndim
    if not axes:
        return Tensor._make(np.ones(x.data.shape, x.data.dtype))
    rest = [a for a in range(nd) if a not in axes]
    perm = rest + list(axes)
    xt = permute(x, perm)
    moved = xt.data.shape
    lead, n = moved[: len(rest)], _count(x.data.shape, axes)
    xt = reshape(xt, lead + (n,))
    one = Tensor._make(np.ones(lead + (1,), x.data.dtype))
    left = cumprod(cat([one, narrow(xt, -1, 0, n - 1)], -1), -1)
    right = flip(cumprod(flip(cat([narrow(xt, -1, 1, n - 1), one], -1), (-1,)), -1), (-1,))
    return permute(reshape(left * right, moved), tuple(np.argsort(perm)))


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product over one dim (or all); ints and bools multiply in int64. The gradient is exact with zeros."""
    a = input.data
    axes = tuple(range(a.ndim)) if dim is None else normalize_dims(wrap_dim(dim, a.ndim), a.ndim)
    return Prod.apply(input, axes, keepdim and dim is not None, _acc_dtype(a.dtype, dtype))


# ----------------------------------------------------------------------------- extremes
class Evenly(Function):
    """A value of ``x`` picked by a reduction (amax, amin, max(), min(), median()), passed in as ``out``.

    The gradient is split evenly among the elements of each group equal to the result (NaN matches NaN)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, out: np.ndarray, axes: tuple, keepdim: bool) -> np.ndarray:
        ctx.args = (axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.args
        a, o = x.data, out.data if keepdim else np.expand_dims(out.data, axes)
        hit = (a == o) | (np.isnan(a) & np.isnan(o)) if a.dtype.kind == "f" else a == o
        w = hit.astype(grad.data.dtype)
        count = np.add.reduce(hit, axis=axes, dtype=np.intp, keepdims=True)
        if count.size and count.max() > 1:
            w /= count
        return _to_input(grad, a.shape, axes, keepdim) * Tensor._make(w), None, None, None


def _extreme(x: Tensor, dim: Any, keepdim: bool, is_max: bool, name: str) -> Tensor:
    a = x.data
    axes = normalize_dims(dim, a.ndim)
    _check_nonempty(a, axes, name, dim is None or dim == () or dim == [])
    out = np.asarray((np.max if is_max else np.min)(a, axis=axes, keepdims=keepdim))
    return Evenly.apply(x, out, axes, keepdim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (() = all dims); the gradient is split evenly among ties."""
    return _extreme(input, dim, keepdim, True, "amax")


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (() = all dims); the gradient is split evenly among ties."""
    return _extreme(input, dim, keepdim, False, "amin")


class Selected(Function):
    """One element of ``x`` per slice along ``dim``, at ``idx`` (keepdim-shaped; ``values`` when the caller
    already has them), squeezed unless ``keepdim``. The gradient is put back at ``idx``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int, idx: np.ndarray, keepdim: bool, values: Any) -> np.ndarray:
        ctx.args = (dim, idx, x.data.shape)
        v = np.take_along_axis(x.data, idx, dim) if values is None else values
        return v if keepdim else v.reshape(idx.shape[:dim] + idx.shape[dim + 1:])

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, shape = ctx.args
        return PutAlong.apply(reshape(grad, idx.shape), dim, idx, shape, True), None, None, None, None


def _picked(x: Tensor, d: int, idx: np.ndarray, keepdim: bool, rt: type, values: Any = None) -> Any:
    """``rt(values, indices)`` for a selection (max/min/median/kthvalue/mode) along ``d``."""
    out = Selected.apply(x, d, idx, keepdim, values)
    return rt(out, Tensor._make((idx if keepdim else idx.squeeze(d)).astype(np.int64)))


def _arg_extreme(x: Tensor, dim: int, keepdim: bool, is_max: bool) -> Any:
    a, rt, name = x.data, (_MAX if is_max else _MIN), ("max" if is_max else "min")
    if a.ndim == 0:
        return _on_1d(_arg_extreme, x, dim, False, is_max)
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = (np.argmax if is_max else np.argmin)(a, axis=d, keepdims=True)
    return _picked(x, d, idx, keepdim, rt, (np.max if is_max else np.min)(a, axis=d, keepdims=True))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``max(x)``: the maximum (0-d); ``max(x, dim)``: ``(values, indices)``; ``max(x, other)``: maximum."""
    if isinstance(dim, Tensor):
        from .binary import maximum

        return maximum(input, dim)
    if dim is None:
        return _extreme(input, None, False, True, "max")
    return _arg_extreme(input, dim, keepdim, True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``min(x)``: the minimum (0-d); ``min(x, dim)``: ``(values, indices)``; ``min(x, other)``: minimum."""
    if isinstance(dim, Tensor):
        from .binary import minimum

        return minimum(input, dim)
    if dim is None:
        return _extreme(input, None, False, False, "min")
    return _arg_extreme(input, dim, keepdim, False)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over one dim or over everything."""
    if dim is None:
        return _AMINMAX(_extreme(input, None, False, False, "aminmax"), _extreme(input, None, False, True, "aminmax"))
    return _AMINMAX(_extreme(input, dim, keepdim, False, "aminmax"), _extreme(input, dim, keepdim, True, "aminmax"))


def _arg(x: Tensor, dim: int | None, keepdim: bool, fn: Any, name: str) -> Tensor:
    a = x.data
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        r = np.asarray(fn(a.reshape(-1)))
        return Tensor._make(r.reshape((1,) * a.ndim if keepdim else ()).astype(np.int64))
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    if a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return Tensor._make(np.asarray(fn(a, axis=d, keepdims=keepdim)).astype(np.int64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the (first) maximum, flat when ``dim`` is None (int64, no gradient)."""
    return _arg(input, dim, keepdim, np.argmax, "argmax")


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the (first) minimum, flat when ``dim`` is None (int64, no gradient)."""
    return _arg(input, dim, keepdim, np.argmin, "argmin")


# ----------------------------------------------------------------------------- var / std
class Var(Function):
    """``sum((x - mean)^2) / max(N - correction, 0)`` over ``axes``; its square root when ``take_sqrt``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool, correction: Any, take_sqrt: bool) -> np.ndarray:
        a = x.data
        n = _count(a.shape, axes)
        dof = builtins.max(n - correction, 0)
        if dof <= 0:
            warnings.warn(f"{'std' if take_sqrt else 'var'}(): degrees of freedom is <= 0. Correction should be "
                          "strictly less than the reduction factor (input numel divided by output numel).",
                          stacklevel=4)
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.asarray(a - np.sum(a, axis=axes, keepdims=True) / n)
            dev *= dev
            out = np.asarray(np.sum(dev, axis=axes, keepdims=keepdim) / dof).astype(a.dtype, copy=False)
            if take_sqrt:
                np.sqrt(out, out=out)
        ctx.args = (axes, keepdim, dof, take_sqrt)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        from .binary import where

        x, out = ctx.saved_tensors
        axes, keepdim, dof, take_sqrt = ctx.args
        if take_sqrt:  # d std = d var / (2 std), defined as 0 where std == 0 (torch)
            zero = Tensor._make(np.zeros((), grad.data.dtype))
            grad = where(Tensor._make(out.data == 0), zero, grad / (out * 2))
        g = _to_input(grad, x.data.shape, axes, keepdim)
        scale = 2.0 / dof if dof > 0 else float("inf")
        return g * (x - mean(x, axes, True)) * scale, None, None, None, None


def _var_args(dim: Any, unbiased: Any, correction: Any, name: str) -> tuple:
    if isinstance(dim, bool):  # var(x, True): the legacy positional ``unbiased``
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _var(x: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, take_sqrt: bool) -> Tensor:
    name = "std" if take_sqrt else "var"
    dim, correction = _var_args(dim, unbiased, correction, name)
    if x.data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return Var.apply(x, normalize_dims(dim, x.data.ndim), keepdim, correction, take_sqrt)


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
        correction: Any = None) -> Tensor:
    """Variance with Bessel-style ``correction`` (default 1; ``unbiased=False`` means 0)."""
    return _var(input, dim, unbiased, keepdim, correction, False)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
        correction: Any = None) -> Tensor:
    """Standard deviation: ``sqrt(var)``; its gradient is 0 where std is 0 (torch)."""
    return _var(input, dim, unbiased, keepdim, correction, True)


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """``(var, mean)`` over the same dims."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, mean(input, _var_args(dim, None, None, "var")[0], keepdim)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """``(std, mean)`` over the same dims."""
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, mean(input, _var_args(dim, None, None, "std")[0], keepdim)


# ----------------------------------------------------------------------------- order statistics
def _sort_order(a: np.ndarray, d: int, descending: bool, stable: bool = True) -> np.ndarray:
    """Sort permutation along ``d`` (NaN largest). Stable: equal elements keep index order, also descending;
    otherwise their order is unspecified (as in torch) and NumPy's faster introsort is used."""
    kind = "stable" if stable else None
    if not descending:
        return np.argsort(a, axis=d, kind=kind)
    r = np.argsort(np.flip(a, d), axis=d, kind=kind)
    return (a.shape[d] - 1) - np.flip(r, d)


def _kth(x: Tensor, dim: int, keepdim: bool, k: int | None, rt: type, name: str) -> Any:
    """The k-th smallest (1-based) along ``dim``, or the lower median (``k`` None; NaN if the row has one)."""
    a = x.data
    if a.ndim == 0:
        return _on_1d(_kth, x, dim, False, k, rt, name)
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if k is not None and not 1 <= k <= builtins.max(n, 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if n == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    order = _sort_order(a, d, False)
    shape = _keep_shape(a.shape, (d,))
    if k is None:
        pos = np.full(shape, (n - 1) // 2, dtype=np.intp)
        if a.dtype.kind == "f":
            nans = np.isnan(a).sum(axis=d, keepdims=True)
            pos = np.where(nans > 0, n - nans, pos)
    else:
        pos = np.full(shape, k - 1, dtype=np.intp)
    return _picked(x, d, np.take_along_axis(order, pos, d), keepdim, rt)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """Lower median: over everything (0-d, gradient split among ties) or along ``dim`` -> (values, indices)."""
    if dim is not None:
        return _kth(input, dim, keepdim, None, _MEDIAN, "median")
    a = input.data
    if a.size == 0:
        return Tensor._make(np.full((), np.nan, a.dtype if a.dtype.kind == "f" else np.float32))
    flat = a.reshape(-1)
    if a.dtype.kind == "f" and np.isnan(flat).any():
        value = np.asarray(np.nan, a.dtype)
    else:
        k = (flat.size - 1) // 2
        value = np.asarray(np.partition(flat, k)[k])
    return Evenly.apply(input, value, tuple(range(a.ndim)), False)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The ``k``-th smallest element along ``dim`` -> (values, indices)."""
    return _kth(input, dim, keepdim, int(k), _KTH, "kthvalue")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """Most frequent value along ``dim`` (the smallest on ties) and the index of its last occurrence."""
    a = input.data
    if a.ndim == 0:
        return _on_1d(mode, input, dim, False)
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    rows = np.moveaxis(a, d, -1).reshape(-1, n)
    order = np.argsort(rows, axis=1, kind="stable")
    s = np.take_along_axis(rows, order, 1)
    new_run = np.ones(s.shape, dtype=bool)
    new_run[:, 1:] = s[:, 1:] != s[:, :-1]
    pos = np.arange(n)
    run_len = pos - np.maximum.accumulate(np.where(new_run, pos, 0), axis=1) + 1
    best = np.argmax(run_len, axis=1)  # end of the first longest run: smallest value, last index
    idx = order[np.arange(rows.shape[0]), best].reshape(np.moveaxis(a, d, -1).shape[:-1])
    return _picked(input, d, np.expand_dims(idx, d), keepdim, _MODE)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str, ignore_nan: bool) -> Tensor:
    """Sorted positions ``q (n - 1)`` interpolated by ``interpolation``; the q dim is put first.

    quantile: a row holding NaN gives NaN. nanquantile: ``n`` counts the non-NaN elements of the row.
    """
    name, a = ("nanquantile" if ignore_nan else "quantile"), input.data
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if isinstance(q, Tensor):
        if q.data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.data.dtype != a.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qv, scalar = q.data.reshape(-1), q.data.ndim == 0
        if qv.size and (qv.min() < 0 or qv.max() > 1):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qv, scalar = np.asarray([q], dtype=a.dtype), True
    if a.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, d = reshape(input, (-1,)), 0
    else:
        d = wrap_dim(dim, a.ndim)
        x = input if a.ndim else reshape(input, (1,))
    s = movedim(sort(x, d).values, d, -1)
    nan = np.isnan(s.data)  # NaN sorts last
    if ignore_nan:  # span over the non-NaN prefix; an all-NaN row (rank < 0) reads its first, NaN, element
        span = (~nan).sum(axis=-1, keepdims=True) - 1
        raw = (qv * span).astype(a.dtype)
        dead, dead_rank = raw < 0, 0
    else:  # a row holding NaN reads its last element, the NaN
        span = np.full(nan.shape[:-1] + (1,), x.data.shape[d] - 1)
        raw = (qv * span).astype(a.dtype)
        dead, dead_rank = np.broadcast_to(nan[..., -1:], raw.shape), span
    ranks = np.where(dead, dead_rank, raw).astype(a.dtype)
    ranks = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation, lambda r: r)(ranks)
    out = take_along(s, s.data.ndim - 1, ranks.astype(np.intp))
    if interpolation in ("linear", "midpoint"):
        above = take_along(s, s.data.ndim - 1, np.ceil(ranks).astype(np.intp))
        if interpolation == "midpoint":
            w = Tensor._make(np.full_like(ranks, 0.5))
        elif isinstance(q, Tensor) and q.requires_grad:  # the weight q n - floor(q n) is differentiable in q
            from .binary import where

            w = where(Tensor._make(dead), Tensor._make(ranks), reshape(q, (-1,)) * Tensor._make(span.astype(a.dtype)))
            w = w - Tensor._make(np.floor(ranks))
        else:
            w = Tensor._make(ranks - np.floor(ranks))
        out = out + (above - out) * w
    out = movedim(out, -1, 0)
    if keepdim:
        rest = (1,) * a.ndim if dim is None else a.shape[:d] + (1,) + a.shape[d + 1:]
        out = reshape(out, (qv.size,) + rest)
    return reshape(out, out.data.shape[1:]) if scalar else out


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles (q a float or 1-D tensor) along ``dim`` or of all elements; NaN rows give NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """``quantile`` ignoring NaN (a row of only NaN gives NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


# ----------------------------------------------------------------------------- nan-aware, logsumexp, logical
class NanToZero(Function):
    """NaN replaced by 0; the gradient is multiplied by the not-NaN mask (so inf * 0 gives NaN, as in torch)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        nan = np.isnan(x.data)
        ctx.keep = ~nan
        return np.where(nan, 0, x.data).astype(x.data.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        return grad * Tensor._make(ctx.keep)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum treating NaN as zero (NaN positions get zero gradient)."""
    x = NanToZero.apply(input) if input.data.dtype.kind == "f" else input
    return sum(x, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of the non-NaN elements."""
    a = input.data
    if a.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{scalar_type_name(a.dtype)}")
    total = nansum(input, dim, keepdim, dtype=dtype)
    count = np.sum(~np.isnan(a), axis=normalize_dims(dim, a.ndim), keepdims=keepdim)
    return total / Tensor._make(np.asarray(count, dtype=total.data.dtype))


class LogSumExp(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool) -> np.ndarray:
        a = x.data if x.data.dtype.kind == "f" else x.data.astype(_dtype.get_default_dtype().np)
        with np.errstate(divide="ignore", invalid="ignore"):
            if a.size == 0:
                out = np.log(np.sum(np.exp(a), axis=axes, keepdims=keepdim))
            else:
                m = np.max(a, axis=axes, keepdims=True)
                m = np.where(np.isfinite(m), m, 0).astype(a.dtype, copy=False)
                out = np.log(np.sum(np.exp(a - m), axis=axes, keepdims=True)) + m
                if not keepdim:
                    out = out.reshape(tuple(s for i, s in enumerate(a.shape) if i not in axes))
        out = np.asarray(out)
        ctx.args = (axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        from .pointwise import exp

        x, out = ctx.saved_tensors
        axes, keepdim = ctx.args
        o = out if keepdim else reshape(out, _keep_shape(x.data.shape, axes))
        return _to_input(grad, x.data.shape, axes, keepdim) * exp(x - o), None, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably by shifting by the maximum."""
    return LogSumExp.apply(input, normalize_dims(dim, input.data.ndim), keepdim)


def _logical(fn: Any, x: Tensor, dim: Any, keepdim: bool) -> Tensor:
    a = x.data
    axes = () if isinstance(dim, (tuple, list)) and len(dim) == 0 else normalize_dims(dim, a.ndim)
    out = np.asarray(fn(a, axis=axes, keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8 if a.dtype == np.uint8 else np.bool_))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is non-zero (bool; uint8 for uint8 input)."""
    return _logical(np.all, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element over ``dim`` is non-zero (bool; uint8 for uint8 input)."""
    return _logical(np.any, input, dim, keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Number of non-zero elements over ``dim`` (int64)."""
    axes = normalize_dims(dim, input.data.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(input.data, axis=axes), dtype=np.int64))


# ----------------------------------------------------------------------------- scans
def _rev_cumsum(g: Tensor, d: int) -> Tensor:
    return g if g.data.ndim == 0 else flip(cumsum(flip(g, (d,)), d), (d,))


class Cumsum(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int, dt: np.dtype) -> np.ndarray:
        ctx.d = d
        a = x.data
        return np.cumsum(a, axis=d, dtype=dt) if a.ndim else a.astype(dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _rev_cumsum(grad, ctx.d), None, None


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum along ``dim`` (ints and bools accumulate in int64)."""
    return Cumsum.apply(input, wrap_dim(dim, input.data.ndim), _acc_dtype(input.data.dtype, dtype))


class Cumprod(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int, dt: np.dtype) -> np.ndarray:
        a = x.data
        ctx.d = d
        ctx.has_zero = builtins.bool(ctx.needs_input_grad[0] and (a == 0).any())
        y = np.cumprod(a, axis=d, dtype=dt) if a.ndim else a.astype(dt)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        if x.data.ndim == 0:
            return grad, None, None
        if not ctx.has_zero:
            return _rev_cumsum(grad * y, ctx.d) / x, None, None
        if _state.enabled:  # create_graph: the O(n) formula below is not differentiable where x == 0
            return _cumprod_grad_quadratic(x, grad, ctx.d), None, None
        return _cumprod_grad_with_zeros(x, y, grad, ctx.d), None, None


def _cumprod_grad_quadratic(x: Tensor, g: Tensor, d: int) -> Tensor:
    """``grad_k = sum_{i >= k} g_i prod_{j <= i, j != k} x_j`` from an (n, n) table per slice (torch's
    differentiable fallback, vectorised): row k is the cumprod of ``x`` with ``x_k`` replaced by 1."""
    from .binary import where

    xm, gm = movedim(x, d, -1), movedim(g, d, -1)
    n = xm.data.shape[-1]
    lead = xm.data.shape[:-1]
    one = Tensor._make(np.ones((), x.data.dtype))
    table = cumprod(where(Tensor._make(np.eye(n, dtype=bool)), one, reshape(xm, lead + (1, n))), -1)
    upper = Tensor._make(np.triu(np.ones((n, n), x.data.dtype)))
    return movedim(sum(table * upper * reshape(gm, lead + (1, n)), -1), -1, d)


def _cumprod_grad_with_zeros(x: Tensor, y: Tensor, g: Tensor, d: int) -> Tensor:
    """Exact cumprod gradient when ``x`` has zeros; ``z`` is the first zero of each slice along ``d``.

    Before ``z``: ``revcumsum(g y) / x`` (x is non-zero there and y vanishes from z on); at ``z``:
    ``prod(x[:z]) * sum_{i >= z} g_i prod(x[z+1 : i+1])``; after ``z``: 0.
    """
    from .binary import where

    a = x.data
    n = a.shape[d]
    pos = np.arange(n).reshape([n if i == d else 1 for i in range(a.ndim)])
    zero_mask = a == 0
    z = np.where(zero_mask.any(axis=d, keepdims=True), np.argmax(zero_mask, axis=d, keepdims=True), n)
    one, zero = Tensor._make(np.ones((), a.dtype)), Tensor._make(np.zeros((), a.dtype))
    before = Tensor._make(pos < z)
    safe = where(before, x, one)
    term1 = where(before, _rev_cumsum(g * y, d) / safe, zero)
    w = cumprod(where(Tensor._make(pos <= z), one, x), d)
    s = sum(g * w * Tensor._make((pos >= z).astype(a.dtype)), d, True)
    term2 = where(Tensor._make(pos == z), prod(safe, d, True) * s, zero)
    return term1 + term2


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running product along ``dim``; the gradient is exact with zeros in the input."""
    return Cumprod.apply(input, wrap_dim(dim, input.data.ndim), _acc_dtype(input.data.dtype, dtype))


def _cum_extreme(x: Tensor, dim: int, is_max: bool) -> Any:
    a, rt = x.data, (_CUMMAX if is_max else _CUMMIN)
    if a.ndim == 0:
        return _on_1d(_cum_extreme, x, dim, is_max)
    d = wrap_dim(dim, a.ndim)
    run = (np.maximum if is_max else np.minimum).accumulate(a, axis=d)
    hit = (a == run) | np.isnan(a) if a.dtype.kind == "f" else a == run
    pos = np.arange(a.shape[d]).reshape([-1 if i == d else 1 for i in range(a.ndim)])
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d)  # latest position holding the running extreme
    return rt(take_along(x, d, idx, False), Tensor._make(idx.astype(np.int64)))


def cummax(input: Tensor, dim: int) -> Any:
    """Running maximum along ``dim`` and the index where it was (last) attained."""
    return _cum_extreme(input, dim, True)


def cummin(input: Tensor, dim: int) -> Any:
    """Running minimum along ``dim`` and the index where it was (last) attained."""
    return _cum_extreme(input, dim, False)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,  # noqa: A002
         append: Tensor | None = None) -> Tensor:
    """``n``-th forward difference along ``dim`` (XOR for bool), after concatenating prepend/append."""
    if input.data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.data.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    if builtins.any(p.data.ndim != input.data.ndim for p in parts):
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x.data.shape[d]
        if length == 0:
            break
        hi, lo = narrow(x, d, 1, length - 1), narrow(x, d, 0, length - 1)
        x = Tensor._make(hi.data ^ lo.data) if x.data.dtype == np.bool_ else hi - lo
    return x


# ----------------------------------------------------------------------------- softmax
def _softmax_dim(dim: Any, ndim: int) -> int:
    if dim is None:  # torch's legacy implicit dim
        warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X "
                      "as an argument.", stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return wrap_dim(dim, ndim)


def _softmax_input(x: Tensor, dtype: Any, name: str) -> Tensor:
    if dtype is not None:
        x = x.to(dtype)
    if x.data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{scalar_type_name(x.data.dtype)}'")
    return x


def _shifted(a: np.ndarray, d: int) -> np.ndarray:
    """``a - max(a, d)`` as a new array (0-d handled as shape (1,))."""
    b = a.reshape(1) if a.ndim == 0 else a
    return (b - b.max(axis=d, keepdims=True)).reshape(a.shape) if b.size else b.copy().reshape(a.shape)


class Softmax(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int) -> np.ndarray:
        ctx.d = d
        y = _shifted(x.data, d)
        np.exp(y, out=y)
        if y.size:
            y /= y.sum(axis=d if y.ndim else None, keepdims=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        return y * (grad - sum(grad * y, ctx.d, True)), None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int) -> np.ndarray:
        ctx.d = d
        y = _shifted(x.data, d)
        if y.size:
            with np.errstate(divide="ignore"):
                y -= np.log(np.exp(y).sum(axis=d if y.ndim else None, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        from .pointwise import exp

        (y,) = ctx.saved_tensors
        return grad - exp(y) * sum(grad, ctx.d, True), None


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x - max) / sum(exp(x - max))`` along ``dim`` (optionally computed in ``dtype``)."""
    x = _softmax_input(input, dtype, "softmax")
    return Softmax.apply(x, _softmax_dim(dim, x.data.ndim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - max - log(sum(exp(x - max)))`` along ``dim`` (optionally computed in ``dtype``)."""
    x = _softmax_input(input, dtype, "log_softmax")
    return LogSoftmax.apply(x, _softmax_dim(dim, x.data.ndim))


# ----------------------------------------------------------------------------- sort / topk
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """Sorted values along ``dim`` and their original indices (NaN sorts as largest; ``stable`` keeps ties in
    index order, else their order is unspecified, as in torch)."""
    a = input.data
    if a.ndim == 0:
        return _on_1d(lambda t, d: sort(t, d, descending), input, dim)
    d = wrap_dim(dim, a.ndim)
    idx = _sort_order(a, d, descending, stable)
    return _SORT(take_along(input, d, idx, True), Tensor._make(idx.astype(np.int64, copy=False)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim`` (int64)."""
    a = input.data
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return Tensor._make(np.zeros((), np.int64))
    return Tensor._make(_sort_order(a, wrap_dim(dim, a.ndim), descending, stable).astype(np.int64, copy=False))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices; NaN counts as largest."""
    a = input.data
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if a.ndim == 0:
        return _on_1d(lambda t, d: topk(t, k, d, largest, sorted), input, dim)
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if k in (0, n) or (a.dtype.kind == "f" and np.isnan(a).any()):
        idx = np.take(_sort_order(a, d, largest, False), np.arange(k), axis=d)
    else:  # O(n) partition, then order only the k selected
        part = np.argpartition(a, n - k if largest else k - 1, axis=d)
        idx = np.take(part, np.arange(n - k, n) if largest else np.arange(k), axis=d)
        if sorted:
            idx = np.take_along_axis(idx, _sort_order(np.take_along_axis(a, idx, d), d, largest, False), d)
    return _TOPK(take_along(input, d, idx, True), Tensor._make(idx.astype(np.int64, copy=False)))


def msort(input: Tensor) -> Tensor:  # noqa: A002
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


__all__ = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "var", "std",
    "var_mean", "std_mean", "median", "kthvalue", "mode", "quantile", "nanquantile", "nansum", "nanmean",
    "logsumexp", "all", "any", "count_nonzero", "cumsum", "cumprod", "cummax", "cummin", "diff", "softmax", "log_softmax", "sort",
    "argsort", "topk", "msort",
]
