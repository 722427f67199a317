"""Sum-like reductions: ``sum``, ``mean``, ``prod``, ``nansum``, ``nanmean``, ``all``, ``any`` and
``count_nonzero`` (re-exported by ``npgrad.ops.reduce``).

Gradients: sum / mean broadcast the output gradient back over the reduced dims (mean divides by the
count); prod is exact with zeros in the input (the product of the other factors, never 0/0); the
nan-variants give NaN positions zero gradient. all / any / count_nonzero have no gradient.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._index_util import scalar_type_name
from ._reduce_util import _acc_dtype, _count, _reduce, _to_input
from ._util import normalize_dims, wrap_dim
from .shape import cat, flip, narrow, permute, reshape


# ----------------------------------------------------------------------------- sum / mean / prod
class Sum(Function):
    """``x`` summed over ``axes`` into dtype ``dt``; the backward broadcasts the gradient back over ``axes``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool, dt: np.dtype) -> np.ndarray:
        ctx.args = (x.data.shape, axes, keepdim)
        return _reduce(np.add, x.data, axes, keepdim, dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _to_input(grad, *ctx.args), None, None, None


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum over dims: ``out = sum_{i in dim} input[i]``.

    Args:
        input (Tensor): any tensor.
        dim (int or tuple of ints, optional): the dims to reduce; None (or ``()``) reduces all of them.
        keepdim (bool): keep the reduced dims with size 1.
        dtype (dtype, optional): the dtype to accumulate in and return.

    Returns:
        Tensor: ``input``'s shape without (or with size 1 at) the reduced dims. Its dtype is ``dtype``
        if given, int64 for integer and bool input, else ``input``'s (float16 accumulates in float32).
        The gradient is the incoming one broadcast back over the reduced dims.
    """
    axes = normalize_dims(dim, input.data.ndim)
    return Sum.apply(input, axes, keepdim, _acc_dtype(input.data.dtype, dtype))


class Mean(Function):
    """``x`` averaged over ``axes`` in dtype ``dt``; the backward broadcasts ``grad / N`` back over ``axes``."""

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
    """Arithmetic mean over dims: ``out = (1 / N) sum_{i in dim} input[i]``, ``N`` the number of reduced elements.

    Args:
        input (Tensor): a floating tensor (or any tensor when ``dtype`` is floating).
        dim (int or tuple of ints, optional): the dims to reduce; None (or ``()``) reduces all of them.
        keepdim (bool): keep the reduced dims with size 1.
        dtype (dtype, optional): a floating dtype to compute and return in.

    Returns:
        Tensor: ``input``'s shape without (or with size 1 at) the reduced dims; NaN where ``N == 0``.
        The gradient is ``grad / N`` broadcast back over the reduced dims.
    """
    if dtype is None and input.data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {scalar_type_name(input.data.dtype)}")
    dt = input.data.dtype if dtype is None else _dtype.to_dtype(dtype).np
    if dt.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                           f"complex dtype. Got: {scalar_type_name(dt)}")
    return Mean.apply(input, normalize_dims(dim, input.data.ndim), keepdim, dt)


class Prod(Function):
    """``x`` multiplied over ``axes``; the backward is the product of the other factors (exact with zeros)."""

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
    from ._reduce_scans import cumprod  # the scans build on sum/prod: imported here to break the cycle

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
    """Product over one dim or all of them: ``out = prod_{i in dim} input[i]``.

    Args:
        input (Tensor): any tensor.
        dim (int, optional): the dim to reduce; None multiplies all elements into a 0-d result.
        keepdim (bool): keep the reduced dim with size 1 (only with ``dim``).
        dtype (dtype, optional): the dtype to accumulate in and return.

    Returns:
        Tensor: the products; int64 for integer and bool input unless ``dtype`` says otherwise. The
        gradient of each element is ``grad`` times the product of the other elements of its group,
        computed without dividing, so it is exact where the input has zeros.
    """
    a = input.data
    axes = tuple(range(a.ndim)) if dim is None else normalize_dims(wrap_dim(dim, a.ndim), a.ndim)
    return Prod.apply(input, axes, keepdim and dim is not None, _acc_dtype(a.dtype, dtype))


# ----------------------------------------------------------------------------- nan-aware
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
    """Sum ignoring NaN: ``out = sum_{i in dim, input[i] not NaN} input[i]``.

    Args:
        input (Tensor): any tensor (NaN only exists in floating ones).
        dim (int or tuple of ints, optional): the dims to reduce; None (or ``()``) reduces all of them.
        keepdim (bool): keep the reduced dims with size 1.
        dtype (dtype, optional): the dtype to accumulate in and return.

    Returns:
        Tensor: as :func:`sum`; NaN positions get zero gradient.
    """
    x = NanToZero.apply(input) if input.data.dtype.kind == "f" else input
    return sum(x, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of the non-NaN elements: ``out = nansum(input, dim) / count(input[i] not NaN)``.

    Args:
        input (Tensor): a floating tensor.
        dim (int or tuple of ints, optional): the dims to reduce; None (or ``()``) reduces all of them.
        keepdim (bool): keep the reduced dims with size 1.
        dtype (dtype, optional): the dtype to accumulate in and return.

    Returns:
        Tensor: the means; NaN where a group holds only NaN. NaN positions get zero gradient.
    """
    a = input.data
    if a.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{scalar_type_name(a.dtype)}")
    total = nansum(input, dim, keepdim, dtype=dtype)
    count = np.sum(~np.isnan(a), axis=normalize_dims(dim, a.ndim), keepdims=keepdim)
    return total / Tensor._make(np.asarray(count, dtype=total.data.dtype))


# ----------------------------------------------------------------------------- logical and counting
def _logical(fn: Any, x: Tensor, dim: Any, keepdim: bool) -> Tensor:
    """all/any's worker: ``fn`` (np.all or np.any) over ``dim`` as bool (uint8 for uint8 input)."""
    a = x.data
    axes = () if isinstance(dim, (tuple, list)) and len(dim) == 0 else normalize_dims(dim, a.ndim)
    out = np.asarray(fn(a, axis=axes, keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8 if a.dtype == np.uint8 else np.bool_))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Logical AND over dims: ``out = input[i] != 0 for every i in dim``.

    Args:
        input (Tensor): any tensor.
        dim (int or tuple of ints, optional): the dims to reduce; None reduces all of them.
        keepdim (bool): keep the reduced dims with size 1.

    Returns:
        Tensor: bool (uint8 for uint8 input); True for an empty group. No gradient.
    """
    return _logical(np.all, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Logical OR over dims: ``out = input[i] != 0 for some i in dim``.

    Takes the same arguments as :func:`all` and returns the same shape and dtype (bool, uint8 for
    uint8 input); False for an empty group. No gradient.
    """
    return _logical(np.any, input, dim, keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Number of non-zero elements over dims: ``out = #{i in dim : input[i] != 0}``.

    Args:
        input (Tensor): any tensor.
        dim (int or tuple of ints, optional): the dims to reduce; None (or ``()``) reduces all of them.

    Returns:
        Tensor: int64, ``input``'s shape without the reduced dims. No gradient.
    """
    axes = normalize_dims(dim, input.data.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(input.data, axis=axes), dtype=np.int64))
