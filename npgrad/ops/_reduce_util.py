"""Shared machinery of the reductions (re-exported by ``npgrad.ops.reduce``).

Holds the named-tuple return types (``npgrad.return_types.max`` ...), the helpers that broadcast a
reduction's gradient back to the input, torch's accumulation dtypes and empty-input checks, the sort
permutation used by the order statistics, and the two Functions shared by several reductions:
``Evenly`` (a value picked by amax/amin/max()/min()/median(), gradient split among ties) and
``Selected`` (one element per slice at known indices, gradient put back there).
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._index_gather import PutAlong
from ._util import quiet_fp, restore_fp, wrap_dim
from .shape import expand, reshape


def _return_type(name: str, fields: tuple = ("values", "indices")) -> type:
    """A named tuple class ``npgrad.return_types.<name>``, the counterpart of torch's ``torch.return_types``."""
    cls = namedtuple(name, fields)
    cls.__module__ = "npgrad.return_types"
    return cls


_MAX, _MIN, _MEDIAN, _MODE, _KTH, _TOPK, _SORT, _CUMMAX, _CUMMIN = (
    _return_type(n) for n in ("max", "min", "median", "mode", "kthvalue", "topk", "sort", "cummax", "cummin"))
_AMINMAX = _return_type("aminmax", ("min", "max"))


# ----------------------------------------------------------------------------- helpers
def _keep_shape(shape: tuple, axes: tuple) -> tuple:
    """``shape`` with the dims in ``axes`` set to 1 (a keepdim reduction's output shape)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _to_input(grad: Tensor, shape: tuple, axes: tuple, keepdim: bool) -> Tensor:
    """A reduction's output gradient broadcast back over the reduced dims to the input's ``shape``."""
    if not keepdim and axes:
        grad = reshape(grad, _keep_shape(shape, axes))
    return expand(grad, shape)


def _count(shape: tuple, axes: tuple) -> int:
    """The number of elements reduced over ``axes`` of ``shape``."""
    return math.prod(shape[a] for a in axes)


def _acc_dtype(dt: np.dtype, dtype: Any) -> np.dtype:
    """Output dtype of sum/prod/cumsum/cumprod: ``dtype`` if given, int64 for ints/bools, else the input's."""
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.dtype(np.int64) if dt.kind in "iub" else dt


def _reduce(ufunc: Any, a: np.ndarray, axes: tuple, keepdim: bool, dt: np.dtype) -> np.ndarray:
    """``ufunc.reduce`` (np.add / np.multiply) over ``axes`` into ``dt`` (half accumulates in float, like torch)."""
    acc = np.float32 if dt == np.float16 else dt
    token = quiet_fp()  # inf + -inf is NaN without a warning, as in torch
    try:
        out = ufunc.reduce(a, axis=axes, dtype=acc, keepdims=keepdim)
    finally:
        restore_fp(token)
    return (out if type(out) is np.ndarray else np.asarray(out)).astype(dt, copy=False)


def _on_1d(fn: Any, x: Tensor, dim: int, *args: Any) -> Any:
    """Run a (values, indices) op on a 0-d tensor as on shape (1,), returning 0-d results (torch's rule)."""
    wrap_dim(dim, 0)
    res = fn(reshape(x, (1,)), 0, *args)
    return type(res)(*(reshape(t, ()) for t in res))


def _nonempty_dim(a: np.ndarray, dim: int, name: str) -> int:
    """``dim`` wrapped for ``a`` (at least 1-D); IndexError, as torch words it, when that dim has size 0."""
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return d


def _check_nonempty(a: np.ndarray, axes: tuple, name: str, full: bool) -> None:
    """Reject an empty input of a reduction with no identity (``full``: over all dims) as torch does."""
    if a.size:
        return
    if full:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    for ax in axes:
        _nonempty_dim(a, ax, name)


# ----------------------------------------------------------------------------- values picked by a reduction
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


def _sort_order(a: np.ndarray, d: int, descending: bool, stable: bool = True) -> np.ndarray:
    """Sort permutation along ``d`` (NaN largest). Stable: equal elements keep index order, also descending;
    otherwise their order is unspecified (as in torch) and NumPy's faster introsort is used."""
    kind = "stable" if stable else None
    if not descending:
        return np.argsort(a, axis=d, kind=kind)
    r = np.argsort(np.flip(a, d), axis=d, kind=kind)
    return (a.shape[d] - 1) - np.flip(r, d)
