"""Shape ops: views, reshapes, splitting and friends (the copying ones, such as concatenation, live in
``_combine`` and are re-exported here). The backward of a shape op is the inverse rearrangement of
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
            _check_broadcast(shape, s)
            shape = np.broadcast_shapes(shape, s)
    return tuple(expand(t, shape) for t in tensors)


def _check_broadcast(sa: tuple, sb: tuple) -> None:
    n = max(len(sa), len(sb))
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {n - i}"
            )


# ----------------------------------------------------------------------------- reshape family
class Reshape(Function):
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
    d = wrap_dim(dim, x.data.ndim + 1)
    return reshape(x, x.data.shape[:d] + (1,) + x.data.shape[d:], _Unsqueeze)


# ----------------------------------------------------------------------------- permutations
class Permute(Function):
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


# ----------------------------------------------------------------------------- slicing family
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


__all__ = [
    "sum_to", "expand", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "reshape", "view", "flatten",
    "view_dtype", "unflatten", "squeeze", "unsqueeze", "permute", "transpose", "t", "swapaxes", "swapdims", "movedim", "moveaxis",
    "clone", "cast", "copy_from", "fill", "repeat", "tile", "cat", "concat", "concatenate", "stack", "hstack",
    "vstack", "slice_view", "narrow", "split", "chunk", "unbind", "flip", "fliplr", "flipud", "roll", "pad",
    "Slice", "_share_version", "_shape_args",
]
