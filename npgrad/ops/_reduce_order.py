"""Sorting and order statistics: ``sort``, ``argsort``, ``msort``, ``topk``, ``kthvalue``, ``median``,
``mode``, ``quantile`` and ``nanquantile`` (re-exported by ``npgrad.ops.reduce``).

NaN sorts as the largest value. Values returned with indices are a gather of the input at those
indices, so their gradient is scattered back there; ``median()`` over everything splits its gradient
among ties; quantile interpolates between two gathered sorted values.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._index_gather import take_along
from ._reduce_util import (
    _KTH, _MEDIAN, _MODE, _SORT, _TOPK, Evenly, _keep_shape, _nonempty_dim, _on_1d, _picked, _sort_order,
)
from ._util import wrap_dim
from .shape import movedim, reshape


# ----------------------------------------------------------------------------- sort / topk
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """Sort along a dim: ``values[..., i] <= values[..., i + 1]`` (``>=`` when ``descending``).

    NaN sorts as the largest value.

    Args:
        input (Tensor): any tensor.
        dim (int): the dim to sort along.
        descending (bool): largest first.
        stable (bool): keep equal elements in their original order; otherwise their order is
            unspecified (as in torch) and a faster sort is used.

    Returns:
        (Tensor, Tensor): the named tuple ``(values, indices)``, ``indices`` (int64) the original
        positions along ``dim``. The gradient of ``values`` goes back to those positions.
    """
    a = input.data
    if a.ndim == 0:
        return _on_1d(lambda t, d: sort(t, d, descending), input, dim)
    d = wrap_dim(dim, a.ndim)
    idx = _sort_order(a, d, descending, stable)
    return _SORT(take_along(input, d, idx, True), Tensor._make(idx.astype(np.int64, copy=False)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The permutation that sorts along a dim: ``input.gather(dim, out)`` is sorted.

    Args:
        input (Tensor): any tensor (NaN sorts as the largest value).
        dim (int): the dim to sort along.
        descending (bool): largest first.
        stable (bool): keep equal elements in their original order.

    Returns:
        Tensor: int64 of ``input``'s shape. No gradient.
    """
    a = input.data
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return Tensor._make(np.zeros((), np.int64))
    return Tensor._make(_sort_order(a, wrap_dim(dim, a.ndim), descending, stable).astype(np.int64, copy=False))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) elements along a dim and their positions.

    NaN counts as larger than every number.

    Args:
        input (Tensor): a non-bool tensor.
        k (int): how many to take, ``0 <= k <= input.size(dim)``.
        dim (int): the dim to search along.
        largest (bool): take the largest (True) or the smallest (False).
        sorted (bool): return them in order (largest first when ``largest``); otherwise the order is
            unspecified.

    Returns:
        (Tensor, Tensor): the named tuple ``(values, indices)``, ``input``'s shape with ``dim`` of size
        ``k``; ``indices`` are int64. The gradient of ``values`` goes back to the chosen positions.
    """
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
    """Sort along the first dim, ascending: ``sort(input, dim=0).values``.

    Args:
        input (Tensor): any tensor.

    Returns:
        Tensor: the sorted values; the gradient goes back to their original positions.
    """
    return sort(input, 0).values


# ----------------------------------------------------------------------------- order statistics
def _kth(x: Tensor, dim: int, keepdim: bool, k: int | None, rt: type, name: str) -> Any:
    """The k-th smallest (1-based) along ``dim``, or the lower median (``k`` None; NaN if the row has one)."""
    a = x.data
    if a.ndim == 0:
        return _on_1d(_kth, x, dim, False, k, rt, name)
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if k is not None and not 1 <= k <= builtins.max(n, 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    _nonempty_dim(a, d, name)
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
    """Lower median: the element of rank ``(N - 1) // 2`` among the ``N`` sorted ones (NaN if any is NaN).

    Args:
        input (Tensor): any tensor.
        dim (int, optional): the dim to reduce; None takes the median of all elements.
        keepdim (bool): with ``dim``, keep the reduced dim with size 1.

    Returns:
        Tensor or (Tensor, Tensor): without ``dim``, the 0-d median (NaN for an empty input), its
        gradient split evenly among the elements equal to it. With ``dim``, the named tuple
        ``(values, indices)``, ``indices`` (int64) a position of each median, which gets the gradient.
    """
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
    """The ``k``-th smallest element along a dim (1-based): ``out = sort(input, dim).values[..., k - 1]``.

    Args:
        input (Tensor): a tensor, non-empty along ``dim``.
        k (int): the rank, ``1 <= k <= input.size(dim)``.
        dim (int): the dim to search along.
        keepdim (bool): keep the reduced dim with size 1.

    Returns:
        (Tensor, Tensor): the named tuple ``(values, indices)``, ``indices`` (int64) the position of
        each value along ``dim``, where its gradient goes.
    """
    return _kth(input, dim, keepdim, int(k), _KTH, "kthvalue")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """Most frequent value along a dim: ``out = argmax_v #{i : input[i] == v}``, the smallest ``v`` on ties.

    Args:
        input (Tensor): a tensor, non-empty along ``dim``.
        dim (int): the dim to reduce.
        keepdim (bool): keep the reduced dim with size 1.

    Returns:
        (Tensor, Tensor): the named tuple ``(values, indices)``, ``indices`` (int64) the last position
        of each value along ``dim``, where its gradient goes.
    """
    a = input.data
    if a.ndim == 0:
        return _on_1d(mode, input, dim, False)
    d = _nonempty_dim(a, dim, "mode")
    n = a.shape[d]
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
    """The ``q``-quantiles along a dim: the sorted values read at rank ``r = q (N - 1)``, interpolated.

    ``N`` is the size of the reduced dim; a group holding NaN gives NaN.

    Args:
        input (Tensor): a non-empty float32/float64 tensor.
        q (float or Tensor): the quantile level(s) in ``[0, 1]``: a number, a 0-d tensor or a 1-D
            tensor of ``input``'s dtype (a tensor ``q`` that requires grad gets a gradient under
            ``"linear"``).
        dim (int, optional): the dim to reduce; None uses all elements, flattened.
        keepdim (bool): keep the reduced dim (all dims when ``dim`` is None) with size 1.
        interpolation (str): between the two sorted neighbours ``lo <= r <= hi`` of the rank ``r``:
            ``"linear"`` ``v_lo + (r - lo) (v_hi - v_lo)``, ``"lower"`` ``v_lo``, ``"higher"`` ``v_hi``,
            ``"midpoint"`` ``(v_lo + v_hi) / 2``, ``"nearest"`` the value at the rounded rank.

    Returns:
        Tensor: the quantiles; for a 1-D ``q`` a leading dim of size ``len(q)`` comes first. The
        gradient flows to the (one or two) sorted elements each quantile is read from.
    """
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """:func:`quantile` ignoring NaN: the non-NaN sorted values read at rank ``r = q (N' - 1)``, interpolated.

    ``N'`` counts the non-NaN elements of the group; a group of only NaN gives NaN. The arguments,
    result shape and gradient are those of :func:`quantile`.
    """
    return _quantile(input, q, dim, keepdim, interpolation, True)
