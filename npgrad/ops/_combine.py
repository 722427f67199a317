"""Shape ops that make new memory: copies and casts (``clone``, ``cast``, ``copy_from``, ``fill``),
tiling (``repeat``, ``tile``), joining (``cat``, ``stack``, ``hstack``, ``vstack``) and reordering
(``flip``, ``roll``). Re-exported by ``npgrad.ops.shape``; each backward is differentiable.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor, _shape_args
from ._util import wrap_dim


# ----------------------------------------------------------------------------- copies, casts, fills
class Clone(Function):
    """A copy of ``x`` in new memory; the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        return x.data.copy()

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        return grad


def clone(x: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy in new memory; the gradient passes through unchanged."""
    return Clone.apply(x)


class Cast(Function):
    """``x`` converted to a floating ``dtype``; backward casts the gradient back to ``x``'s dtype."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Function, x: Tensor, dtype: np.dtype) -> np.ndarray:
        ctx.in_dtype = x.data.dtype
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return (cast(grad, ctx.in_dtype) if ctx.in_dtype.kind == "f" else None), None


def cast(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (differentiable between floating dtypes)."""
    dtype = np.dtype(dtype) if not isinstance(dtype, _dtype.dtype) else dtype.np
    if x.data.dtype == dtype:
        return x
    if dtype.kind != "f":
        return Tensor._make(x.data.astype(dtype))
    return Cast.apply(x, dtype)


class CopyFrom(Function):
    """``dst.copy_(src)`` as an op: the result is src broadcast to dst's shape and cast to dst's dtype."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx: Function, dst: Tensor, src: Tensor) -> np.ndarray:
        return np.broadcast_to(src.data, dst.data.shape).astype(dst.data.dtype)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return (_zeros_like(grad) if ctx.needs_input_grad[0] else None), grad


def copy_from(dst: Tensor, src: Tensor) -> Tensor:
    """The new value of ``dst`` after ``dst.copy_(src)``: ``src`` broadcast to ``dst``'s shape and dtype."""
    return CopyFrom.apply(dst, src)


class Fill(Function):
    """``x.fill_(value)`` as an op: a constant, so the gradient to ``x`` is zero."""

    node_name = "FillBackward0"

    @staticmethod
    def forward(ctx: Function, x: Tensor, value: Any) -> np.ndarray:
        return np.full(x.data.shape, value, x.data.dtype)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _zeros_like(grad), None


def fill(x: Tensor, value: Any) -> Tensor:
    """The new value of ``x`` after ``x.fill_(value)``: ``value`` everywhere (no gradient flows to ``x``)."""
    return Fill.apply(x, value)


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._make(np.zeros(t.data.shape, t.data.dtype))


# ----------------------------------------------------------------------------- repeat / tile
class Repeat(Function):
    """``x`` tiled ``reps[i]`` times along dim i; backward sums the copies of each element."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, reps: tuple) -> np.ndarray:
        ctx.in_shape, ctx.reps = x.data.shape, reps
        return np.tile(x.data.reshape((1,) * (len(reps) - x.data.ndim) + x.data.shape), reps)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        nd = len(ctx.reps)
        src = (1,) * (nd - len(ctx.in_shape)) + ctx.in_shape
        inter: list = []
        for r, s in zip(ctx.reps, src):
            inter += [r, s]
        g = _S.reshape(grad, inter).sum(dim=tuple(range(0, 2 * nd, 2)))
        return _S.reshape(g, ctx.in_shape), None


def repeat(x: Tensor, sizes: Sequence[int]) -> Tensor:
    """Tile ``x``: ``sizes[i]`` copies along dim i (leading sizes add new dims)."""
    sizes = _shape_args((tuple(sizes),))
    if len(sizes) < x.data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    return Repeat.apply(x, sizes)


def tile(x: Tensor, dims: Sequence[int]) -> Tensor:
    """``x`` repeated ``dims[i]`` times along dim i; unlike ``repeat``, too few ``dims`` are padded with 1s.

    E.g. a (2, 3) tensor with dims=(2,) -> (2, 6); with dims=(2, 1, 1) -> (2, 2, 3).
    """
    dims = _shape_args((tuple(dims),))
    if len(dims) < x.data.ndim:
        dims = (1,) * (x.data.ndim - len(dims)) + dims
    return repeat(x, dims)


# ----------------------------------------------------------------------------- cat / stack
def _promoted(tensors: list, name: str) -> list:
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    dt = tensors[0].data.dtype
    for t in tensors[1:]:
        dt = _dtype.promote_types(dt, t.data.dtype)
    return [cast(t, dt) for t in tensors]


class Cat(Function):
    """Concatenation along ``dim``; backward splits the gradient into the inputs' sizes."""

    @staticmethod
    def forward(ctx: Function, dim: int, *xs: Tensor) -> np.ndarray:
        ctx.dim = dim
        ctx.skip = [_legacy_empty(x, xs) for x in xs]
        ctx.sizes = [x.data.shape[dim] for x, s in zip(xs, ctx.skip) if not s]
        return np.concatenate([x.data for x, s in zip(xs, ctx.skip) if not s], axis=dim)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        pieces = iter(_S.split(grad, ctx.sizes, ctx.dim))
        empty = Tensor._make(np.zeros(0, grad.data.dtype))
        return (None,) + tuple(empty if s else next(pieces) for s in ctx.skip)


def _legacy_empty(x: Tensor, xs: tuple) -> bool:
    """torch skips 1-d empty tensors in cat when other inputs have another shape (legacy behaviour)."""
    return x.data.ndim == 1 and x.data.size == 0 and any(not (y.data.ndim == 1 and y.data.size == 0) for y in xs)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate along ``dim`` (dtypes promoted; 1-d empty tensors are skipped, like torch)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    tensors = _promoted(tensors, "cat")
    for i, t in enumerate(tensors):
        if t.data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, t) for i, t in enumerate(tensors) if not (t.data.ndim == 1 and t.data.size == 0)]
    kept = kept or list(enumerate(tensors))
    ref = kept[0][1]
    d = wrap_dim(dim, ref.data.ndim)
    for i, t in kept:
        if t.data.ndim != ref.data.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.data.ndim} and {t.data.ndim}")
        for k in range(ref.data.ndim):
            if k != d and t.data.shape[k] != ref.data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {ref.data.shape[k]} but "
                    f"got size {t.data.shape[k]} for tensor number {i} in the list."
                )
    if len(tensors) == 1:
        return clone(tensors[0])
    return Cat.apply(d, *tensors)


concat = concatenate = cat


class Stack(Function):
    """Stacking along a new dim ``dim``; backward unbinds the gradient along it."""

    @staticmethod
    def forward(ctx: Function, dim: int, *xs: Tensor) -> np.ndarray:
        ctx.dim = dim
        return np.stack([x.data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return (None,) + _S.unbind(grad, ctx.dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally-shaped tensors along a new dim ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    tensors = _promoted(tensors, "stack")
    shp = tensors[0].data.shape
    for i, t in enumerate(tensors):
        if t.data.shape != shp:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shp)} at entry 0 and "
                f"{list(t.data.shape)} at entry {i}"
            )
    return Stack.apply(wrap_dim(dim, len(shp) + 1), *tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate horizontally: along dim 1, or dim 0 for 1-d tensors (0-d ones count as shape (1,))."""
    tensors = [_S.reshape(t, (1,)) if t.data.ndim == 0 else t for t in tensors]
    return cat(tensors, 0 if tensors[0].data.ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate vertically along dim 0; 0-d and 1-d tensors first become rows of shape (1, n)."""
    return cat([_S.reshape(t, (1, -1)) if t.data.ndim < 2 else t for t in tensors], 0)


# ----------------------------------------------------------------------------- flip / roll
class Flip(Function):
    """``x`` reversed along ``dims`` (a copy); its own adjoint, so backward flips the gradient."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return np.flip(x.data, dims).copy()

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return Flip.apply(grad, ctx.dims), None


def flip(x: Tensor, dims: Sequence[int]) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy, like torch)."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    axes = tuple(wrap_dim(d, x.data.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return Flip.apply(x, axes)


def fliplr(x: Tensor) -> Tensor:
    """Reverse the columns (dim 1) of a tensor with at least 2 dims: ``flip(x, (1,))``."""
    if x.data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(x, (1,))


def flipud(x: Tensor) -> Tensor:
    """Reverse the rows (dim 0) of a tensor with at least 1 dim: ``flip(x, (0,))``."""
    if x.data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(x, (0,))


class Roll(Function):
    """Cyclic shift of ``x`` by ``shifts`` along ``dims``; backward shifts the gradient back."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, shifts: Any, dims: Any) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x.data, shifts, dims)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        neg = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return Roll.apply(grad, neg, ctx.dims), None, None


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor when dims is None)."""
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        s = int(shifts[0]) if isinstance(shifts, (tuple, list)) else int(shifts)
        return _S.reshape(Roll.apply(_S.flatten(x), s, 0), x.data.shape)
    if isinstance(dims, (int, np.integer)) and isinstance(shifts, (int, np.integer)):
        return Roll.apply(x, int(shifts), wrap_dim(dims, x.data.ndim))
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return Roll.apply(x, tuple(int(s) for s in shifts), tuple(wrap_dim(d, x.data.ndim) for d in dims))


__all__ = [
    "clone", "cast", "copy_from", "fill", "repeat", "tile", "cat", "concat", "concatenate", "stack", "hstack",
    "vstack", "flip", "fliplr", "flipud", "roll", "Clone", "Cast", "CopyFrom", "Fill", "Repeat", "Cat", "Stack",
    "Flip", "Roll",
]

from . import shape as _S  # noqa: E402  (reshape/flatten, and split/unbind for the cat/stack backwards)
