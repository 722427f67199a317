"""Cumulative ops along one dim: ``cumsum``, ``cumprod``, ``cummax``, ``cummin`` and ``diff``
(re-exported by ``npgrad.ops.reduce``).

Gradients: cumsum's is the reversed cumulative sum of the output gradient; cumprod's is exact with
zeros in the input; cummax/cummin's values are a gather at the returned indices; diff is built from
``narrow`` and subtraction. Every backward is written with Tensor ops.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ..tensor import Tensor
from ._index_gather import take_along
from ._reduce_sums import prod, sum
from ._reduce_util import _CUMMAX, _CUMMIN, _acc_dtype, _on_1d
from ._util import wrap_dim
from .shape import cat, flip, movedim, narrow, reshape


def _rev_cumsum(g: Tensor, d: int) -> Tensor:
    """``g`` summed from the end along ``d``: the gradient of a cumsum."""
    return g if g.data.ndim == 0 else flip(cumsum(flip(g, (d,)), d), (d,))


class Cumsum(Function):
    """Running sum of ``x`` along ``d`` in dtype ``dt``; the backward is the reversed running sum of the gradient."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int, dt: np.dtype) -> np.ndarray:
        ctx.d = d
        a = x.data
        return np.cumsum(a, axis=d, dtype=dt) if a.ndim else a.astype(dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _rev_cumsum(grad, ctx.d), None, None


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum along a dim: ``out[..., i] = sum_{j <= i} input[..., j]``.

    Args:
        input (Tensor): any tensor.
        dim (int): the dim to scan along.
        dtype (dtype, optional): the dtype to accumulate in and return.

    Returns:
        Tensor: of ``input``'s shape; int64 for integer and bool input unless ``dtype`` says otherwise.
        The gradient is the reversed running sum of the incoming one.
    """
    return Cumsum.apply(input, wrap_dim(dim, input.data.ndim), _acc_dtype(input.data.dtype, dtype))


class Cumprod(Function):
    """Running product of ``x`` along ``d`` in dtype ``dt``; the backward is exact where ``x`` has zeros."""

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
    """Running product along a dim: ``out[..., i] = prod_{j <= i} input[..., j]``.

    Takes the same arguments as :func:`cumsum` and returns the same shape and dtype (int64 for integer
    and bool input unless ``dtype`` says otherwise). The gradient ``d out_i / d x_k = prod_{j <= i, j != k} x_j``
    is computed without dividing by ``x``, so it is exact where the input has zeros.
    """
    return Cumprod.apply(input, wrap_dim(dim, input.data.ndim), _acc_dtype(input.data.dtype, dtype))


def _cum_extreme(x: Tensor, dim: int, is_max: bool) -> Any:
    """cummax/cummin's worker: running extreme along ``dim`` and the latest index attaining it."""
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
    """Running maximum along a dim: ``values[..., i] = max_{j <= i} input[..., j]``, with where it was reached.

    NaN propagates: from the first NaN on, the values are NaN.

    Args:
        input (Tensor): any tensor.
        dim (int): the dim to scan along.

    Returns:
        (Tensor, Tensor): the named tuple ``(values, indices)`` of ``input``'s shape; ``indices`` (int64)
        is the last position ``j <= i`` holding ``values[..., i]``, and receives its gradient.
    """
    return _cum_extreme(input, dim, True)


def cummin(input: Tensor, dim: int) -> Any:
    """Running minimum along a dim: ``values[..., i] = min_{j <= i} input[..., j]``, with where it was reached.

    The mirror of :func:`cummax`: same arguments, named tuple ``(values, indices)`` and gradient rule.
    """
    return _cum_extreme(input, dim, False)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,  # noqa: A002
         append: Tensor | None = None) -> Tensor:
    """``n``-th forward difference along a dim: ``out[..., i] = x[..., i + 1] - x[..., i]``, applied ``n`` times.

    ``x`` is ``input`` with ``prepend`` and ``append`` concatenated before and after it along ``dim``;
    bool tensors use XOR instead of subtraction.

    Args:
        input (Tensor): at least 1-D.
        n (int): how many times to difference (0 returns ``x``).
        dim (int): the dim to difference along.
        prepend (Tensor, optional): values to put before ``input``, same number of dims.
        append (Tensor, optional): values to put after ``input``, same number of dims.

    Returns:
        Tensor: ``x``'s shape with ``dim`` shortened by ``n`` (not below 0). Differentiable.
    """
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
