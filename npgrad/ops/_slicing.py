"""Slicing shape ops: basic indexing, ``narrow``, ``split``/``chunk`` and ``unbind``.

Every result is a view of the input (NumPy basic indexing shares memory), registered with
``npgrad.ops._views.make_view``. The backward of a slice scatters the gradient into zeros of the
input's shape; the pieces of ``split``/``unbind`` get their gradients joined back with
``cat``/``stack``. Re-exported by ``npgrad.ops.shape``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._combine import cat, stack
from ._util import wrap_dim
from ._views import make_view

__all__ = ["Slice", "SliceBackward", "slice_view", "narrow", "Split", "split", "chunk", "Unbind", "unbind"]


def _array_key(key: tuple) -> tuple:
    """A basic-index key that yields an array (never a NumPy scalar), by ending it with Ellipsis."""
    return key if any(k is Ellipsis for k in key) else key + (Ellipsis,)


class Slice(Function):
    """Basic (view) indexing ``x[key]`` with a tuple of slices/ints/None; backward scatters into zeros."""

    node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx: Function, x: Tensor, key: tuple) -> np.ndarray:
        ctx.key, ctx.in_shape = key, x.data.shape
        return x.data[_array_key(key)]

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return SliceBackward.apply(grad, ctx.key, ctx.in_shape), None


class SliceBackward(Function):
    """The gradient of ``Slice``: ``grad`` scattered into zeros of the input shape; backward slices again."""

    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx: Function, grad: Tensor, key: tuple, shape: tuple) -> np.ndarray:
        ctx.key = key
        out = np.zeros(shape, dtype=grad.data.dtype)
        out[_array_key(key)] = grad.data
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return Slice.apply(gg, ctx.key), None, None


def slice_view(x: Tensor, key: tuple) -> Tensor:
    """``x[key]`` for a basic key (ints, slices, None, Ellipsis): a view."""
    return make_view(Slice.apply(x, key), x, ("slice", key))


def narrow(x: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The view ``x[..., start:start + length, ...]`` along ``dim`` (a negative ``start`` counts from the end)."""
    d = wrap_dim(dim, x.data.ndim)
    size = x.data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return slice_view(x, (slice(None),) * d + (slice(start, start + length),))


class Split(Function):
    """Pieces of ``x`` along ``dim`` (views); backward concatenates the gradients."""

    node_name = "SplitWithSizesBackward0"

    @staticmethod
    def forward(ctx: Function, x: Tensor, keys: tuple, dim: int) -> tuple:
        ctx.dim = dim
        return tuple(x.data[_array_key(k)] for k in keys)

    @staticmethod
    def backward(ctx: Function, *grads: Tensor) -> tuple:
        return cat(list(grads), ctx.dim), None, None


def _pieces(x: Tensor, keys: list, dim: int) -> tuple:
    outs = Split.apply(x, tuple(keys), dim)
    return tuple(make_view(o, x, ("slice", k)) for o, k in zip(outs, keys))


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
    d = wrap_dim(dim, x.data.ndim)
    size = x.data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step < 0 or (step == 0 and size):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if size and step else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension "
                f"{d}), but got split_sizes={sizes}"
            )
    keys, start = [], 0
    for s in sizes:
        keys.append((slice(None),) * d + (slice(start, start + s),))
        start += s
    return _pieces(x, keys, d)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    """At most ``chunks`` pieces of size ceil(size / chunks) along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.data.ndim)
    size = x.data.shape[d]
    if size == 0:
        return split(x, [0] * chunks, d)
    return split(x, -(-size // chunks), d)


class Unbind(Function):
    """The slices of ``x`` along ``dim`` (views); backward stacks the gradients."""

    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int) -> tuple:
        ctx.dim = dim
        pre = (slice(None),) * dim
        return tuple(x.data[pre + (i, Ellipsis)] for i in range(x.data.shape[dim]))

    @staticmethod
    def backward(ctx: Function, *grads: Tensor) -> tuple:
        return stack(list(grads), ctx.dim), None


def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices of ``x`` along ``dim`` (views), e.g. the rows of a matrix."""
    d = wrap_dim(dim, x.data.ndim)
    if x.data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    n = x.data.shape[d]
    if n == 0:
        return ()
    outs = Unbind.apply(x, d)
    pre = (slice(None),) * d
    return tuple(make_view(o, x, ("slice", pre + (i,))) for i, o in enumerate(outs))
