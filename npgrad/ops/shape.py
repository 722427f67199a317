"""Shape ops: broadcasting, reshapes, squeezes and permutations. Two families live in their own
files and are re-exported here: the copying ops (concatenation, tiling, flips...) in ``_combine``
and the slicing ops (``narrow``, ``split``, ``chunk``, ``unbind``) in ``_slicing``. The backward of a shape op is the inverse rearrangement of
the gradient (a view's backward is a view the other way), so every backward here is itself
differentiable.

Ops that return views in torch (reshape when possible, view, permute/transpose, expand, squeeze,
unsqueeze, narrow, split/chunk/unbind outputs, basic slicing) return NumPy views sharing memory
with the input here too, registered with ``npgrad.ops._views.make_view`` (shared version counter,
in-place writes through the view update the base's history). Everything else returns new memory.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _shape_args
from ._combine import (  # noqa: F401 - re-exported: the copying shape ops live in _combine
    Cast, Cat, Clone, CopyFrom, Fill, Flip, Repeat, Roll, Stack, cast, cat, clone, concat, concatenate, copy_from,
    fill, flip, fliplr, flipud, hstack, repeat, roll, stack, tile, vstack,
)
from ._pad import pad
from .binary import check_broadcast
from ._slicing import (  # noqa: F401 - re-exported: the slicing ops live in _slicing
    Slice, SliceBackward, Split, Unbind, chunk, narrow, slice_view, split, unbind,
)
from ._util import normalize_dims, wrap_dim
from ._views import make_view


def _share_version(out: Tensor, base: Tensor) -> Tensor:
    """For views that cannot be replayed from their base (e.g. diagonal): share the version counter.

    In-place changes through such a view that autograd must record raise a clear error.
    """
    if out is not base and np.may_share_memory(out.data, base.data):
        out._version_ref = base._version_ref
        out.__dict__["_base"] = base if base._base is None else base._base
        out.__dict__["_view_steps"] = None
        out.__dict__["_view_base_fn"] = out._base._grad_fn
    return out


# ----------------------------------------------------------------------------- sum_to / expand
class SumTo(Function):
    """Sum a broadcast tensor back to ``shape`` (the gradient of broadcasting)."""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Function, x: Tensor, shape: tuple) -> np.ndarray:
        ctx.in_shape = x.data.shape
        return _sum_to_array(x.data, shape)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return expand(grad, ctx.in_shape), None


def _sum_to_array(a: np.ndarray, shape: tuple) -> np.ndarray:
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and a.shape[i + lead] != 1)
    out = a.sum(axis=axes, keepdims=True) if axes else a
    if lead:
        out = out.reshape(out.shape[lead:])
    return out.reshape(shape) if out.shape != tuple(shape) else out


def sum_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``x`` over the dimensions that broadcasting added or stretched so that it has ``shape``."""
    shape = tuple(shape)
    if x.data.shape == shape:
        return x
    return SumTo.apply(x, shape)


class Expand(Function):
    """Broadcast ``x`` to ``shape`` (a read-only view); backward sums the gradient back (``sum_to``)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, shape: tuple) -> np.ndarray:
        ctx.in_shape = x.data.shape
        return np.broadcast_to(x.data, shape)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return sum_to(grad, ctx.in_shape), None


def expand(x: Tensor, shape: Sequence[int]) -> Tensor:
    """A read-only view with size-1 dims stretched to ``shape`` (-1 keeps a size; new dims lead)."""
    shape = tuple(int(s) for s in shape)
    nd = len(shape)
    if nd < x.data.ndim:
        raise RuntimeError(
            f"expand(npgrad.{x.type().split('.')[-1]}{{{list(x.data.shape)}}}, size={list(shape)}): the number of "
            f"sizes provided ({nd}) must be greater or equal to the number of dimensions in the tensor ({x.data.ndim})"
        )
    lead = nd - x.data.ndim
    for i in range(lead):
        if shape[i] < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[i]}) isn't allowed in a leading, non-existing dimension {i}"
            )
    src = (1,) * lead + x.data.shape
    target = tuple(s if n == -1 else n for n, s in zip(shape, src))
    for i, (n, s) in enumerate(zip(target, src)):
        if s != 1 and n != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size ({s}) at non-singleton "
                f"dimension {i}.  Target sizes: {list(shape)}.  Tensor sizes: {list(x.data.shape)}"
            )
    if target == x.data.shape:
        return x
    return make_view(Expand.apply(x, target), x, ("expand", target))


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """``x`` broadcast to ``shape`` (a view, NumPy's broadcasting rules); the same as ``expand``."""
    return expand(x, shape)


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape all ``shapes`` broadcast to (torch.broadcast_shapes)."""
    from ..tensor import Size

    norm = [(int(s),) if isinstance(s, (int, np.integer)) else tuple(int(d) for d in s) for s in shapes]
    out: tuple = ()
    for k, shp in enumerate(norm):
        try:
            out = np.broadcast_shapes(out, shp)
        except ValueError:
            for i in range(1, len(shp) + 1):
                if i <= len(out) and shp[-i] not in (1, out[-i]) and out[-i] != 1:
                    raise RuntimeError(
                        f"Attempting to broadcast a dimension of length {shp[-i]} at {-i}! Mismatching argument at "
                        f"index {k} had {shp}; but expected shape should be broadcastable to {list(out)}"
                    ) from None
            raise
    return Size(out)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Expand all tensors to their common broadcast shape (views)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shapes = [t.data.shape for t in tensors]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        shape = shapes[0]
        for s in shapes[1:]:
            check_broadcast(shape, s)
            shape = np.broadcast_shapes(shape, s)
    return tuple(expand(t, shape) for t in tensors)


# ----------------------------------------------------------------------------- reshape family
class Reshape(Function):
    """``x`` with a new shape, same elements in row-major order; backward reshapes the gradient back."""

    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx: Function, x: Tensor, shape: tuple) -> np.ndarray:
        ctx.in_shape = x.data.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return reshape(grad, ctx.in_shape), None


def _infer_shape(shape: tuple, numel: int) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of {numel} elements into shape {list(shape)} because the unspecified "
                "dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class _UnsafeView(Reshape):
    node_name = "UnsafeViewBackward0"  # torch's name for a reshape that had to copy


class _Squeeze(Reshape):
    node_name = "SqueezeBackward1"


class _Unsqueeze(Reshape):
    node_name = "UnsqueezeBackward0"


def reshape(x: Tensor, shape: Sequence[int], _node: type = Reshape) -> Tensor:
    """Same elements in a new shape (one size may be -1): a view when the memory layout allows, else a copy."""
    shape = _infer_shape(_shape_args((shape,)), x.data.size)
    if shape == x.data.shape:
        return x
    if _node is Reshape and not x.data.flags.c_contiguous:
        _node = _UnsafeView
    return make_view(_node.apply(x, shape), x, ("reshape", shape))


def view(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Like ``reshape`` but always a view; raises (like torch) when the strides do not allow one."""
    shape = _infer_shape(_shape_args((shape,)), x.data.size)
    if not x.data.flags.c_contiguous:
        try:
            np.reshape(x.data, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    if shape == x.data.shape:
        return x
    return make_view(Reshape.apply(x, shape), x, ("reshape", shape))


def view_dtype(x: Tensor, dtype: Any) -> Tensor:
    """The same memory reinterpreted as ``dtype`` (the last dim scales by the itemsize ratio)."""
    from .. import _dtype

    target = _dtype.to_dtype(dtype).np
    try:
        arr = x.data.view(target)
    except ValueError:
        raise RuntimeError(
            f"self.stride(-1) must be 1 to view {_dtype._FROM_NP[x.data.dtype]} as {_dtype._FROM_NP[target]} (different "
            "element sizes), but got a non-contiguous last dimension or incompatible size"
        ) from None
    return _share_version(Tensor._make(arr), x)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim`` .. ``end_dim`` (inclusive) into one of their product size.

    E.g. (N, C, H, W) with start_dim=1 -> (N, C*H*W); a 0-d tensor becomes shape (1,). A view
    when the memory layout allows (see ``reshape``).
    """
    if x.data.ndim == 0:
        return reshape(x, (1,))
    s, e = wrap_dim(start_dim, x.data.ndim), wrap_dim(end_dim, x.data.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = x.data.shape
    n = 1
    for d in shp[s : e + 1]:
        n *= d
    return reshape(x, shp[:s] + (n,) + shp[e + 1 :])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (their product must equal its size; one may be -1).

    E.g. (N, 12) with dim=1, sizes=(3, -1) -> (N, 3, 4). The inverse of ``flatten``.
    """
    d = wrap_dim(dim, x.data.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        inner = _infer_shape(sizes, x.data.shape[d])
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({x.data.shape[d]}) in the input tensor"
        ) from None
    return reshape(x, x.data.shape[:d] + inner + x.data.shape[d + 1 :])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``: an int or a tuple; other sizes are left alone)."""
    shp = x.data.shape
    if dim is None:
        axes = {i for i, s in enumerate(shp) if s == 1}
    elif isinstance(dim, (list, tuple)) and not dim:
        axes = set()
    else:
        axes = {d for d in normalize_dims(dim, x.data.ndim) if shp[d] == 1}
    return reshape(x, tuple(s for i, s in enumerate(shp) if i not in axes), _Squeeze)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """A view with a new size-1 dim inserted at position ``dim`` (in [-ndim-1, ndim])."""
    d = wrap_dim(dim, x.data.ndim + 1)
    return reshape(x, x.data.shape[:d] + (1,) + x.data.shape[d:], _Unsqueeze)


# ----------------------------------------------------------------------------- permutations
class Permute(Function):
    """Reorder the dims of ``x`` by ``dims`` (a view); backward applies the inverse permutation."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return x.data.transpose(dims)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return permute(grad, tuple(int(i) for i in np.argsort(ctx.dims))), None


class _Transpose(Permute):
    node_name = "TransposeBackward0"


class _T(Permute):
    node_name = "TBackward0"


def permute(x: Tensor, dims: Sequence[int], _node: type = Permute) -> Tensor:
    """A view whose dim i is ``x``'s dim ``dims[i]``; ``dims`` is a permutation of range(ndim).

    E.g. (N, H, W, C) with dims=(0, 3, 1, 2) -> (N, C, H, W). Negative dims count from the end.
    """
    nd = x.data.ndim
    dims = tuple(dims)
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    if dims == tuple(range(nd)):
        return x
    return make_view(_node.apply(x, dims), x, ("permute", dims))


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dims ``dim0`` and ``dim1`` swapped (0-d and 1-d tensors are returned as they are)."""
    nd = x.data.ndim
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    if nd < 2:
        return x
    dims = list(range(nd))
    dims[a], dims[b] = dims[b], dims[a]
    return permute(x, dims, _Transpose)


def t(x: Tensor) -> Tensor:
    """Transpose of a matrix (0-d and 1-d tensors are returned as they are)."""
    if x.data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.data.ndim}D")
    return permute(x, (1, 0), _T) if x.data.ndim == 2 else x


swapaxes = swapdims = transpose


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the other dims keep their order."""
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the same number "
            f"of dims as destination ({dst} dims)"
        )
    nd = x.data.ndim
    src_w = [wrap_dim(s, nd) for s in src]
    dst_w = [wrap_dim(d, nd) for d in dst]
    if len(set(src_w)) != len(src_w):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
    if len(set(dst_w)) != len(dst_w):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
    perm: list = [None] * nd
    for s, d in zip(src_w, dst_w):
        perm[d] = s
    rest = iter(a for a in range(nd) if a not in src_w)
    return permute(x, [p if p is not None else next(rest) for p in perm])


moveaxis = movedim


__all__ = [
    "sum_to", "expand", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "reshape", "view", "flatten",
    "view_dtype", "unflatten", "squeeze", "unsqueeze", "permute", "transpose", "t", "swapaxes", "swapdims", "movedim", "moveaxis",
    "clone", "cast", "copy_from", "fill", "repeat", "tile", "cat", "concat", "concatenate", "stack", "hstack",
    "vstack", "slice_view", "narrow", "split", "chunk", "unbind", "flip", "fliplr", "flipud", "roll", "pad",
    "Slice", "_share_version", "_shape_args",
]
