"""Shape ops: views, reshapes, concatenation and friends. The backward of a shape op is the inverse
rearrangement of the gradient (a view's backward is a view the other way)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _shape_args
from ._util import normalize_dims, wrap_dim


def _share_version(out: Tensor, base: Tensor) -> Tensor:
    """Views share the version counter of their base (in-place on either is seen by both)."""
    if np.shares_memory(out.data, base.data) if out.data.size and base.data.size else False:
        out._version_ref = base._version_ref
    return out


# ----------------------------------------------------------------------------- sum_to / expand
class SumTo(Function):
    """Sum a broadcast tensor back to ``shape`` (the gradient of broadcasting)."""

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
    shape = tuple(shape)
    nd = len(shape)
    if nd < x.data.ndim:
        raise RuntimeError(
            f"expand(npgrad.Tensor{{{list(x.shape)}}}, size={list(shape)}): the number of sizes provided ({nd}) "
            f"must be greater or equal to the number of dimensions in the tensor ({x.data.ndim})"
        )
    src = (1,) * (nd - x.data.ndim) + x.data.shape
    target = tuple(s if n == -1 else n for n, s in zip(shape, src))
    for i, (n, s) in enumerate(zip(target, src)):
        if s != 1 and n != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size ({s}) at non-singleton "
                f"dimension {i}.  Target sizes: {list(shape)}.  Tensor sizes: {list(x.shape)}"
            )
    if target == x.data.shape:
        return x
    return _share_version(Expand.apply(x, target), x)


# ----------------------------------------------------------------------------- reshape family
class Reshape(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, shape: tuple) -> np.ndarray:
        ctx.in_shape = x.data.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return reshape(grad, ctx.in_shape), None


def _infer_shape(shape: tuple, numel: int, in_shape: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = _infer_shape(tuple(int(s) for s in shape), x.data.size, x.data.shape)
    if shape == x.data.shape:
        return x
    return _share_version(Reshape.apply(x, shape), x)


def view(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = _infer_shape(tuple(int(s) for s in shape), x.data.size, x.data.shape)
    if shape != x.data.shape and not x.data.flags.c_contiguous and x.data.size > 1:
        try:
            np.lib.stride_tricks.as_strided  # the view must be expressible without a copy
            test = x.data.view()
            test.shape = shape
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    return reshape(x, shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.data.ndim == 0:
        return reshape(x, (1,))
    s, e = wrap_dim(start_dim, x.data.ndim), wrap_dim(end_dim, x.data.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = x.data.shape
    return reshape(x, shp[:s] + (int(np.prod(shp[s : e + 1])),) + shp[e + 1 :])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    d = wrap_dim(dim, x.data.ndim)
    sizes = tuple(int(s) for s in sizes)
    inner = _infer_shape(sizes, x.data.shape[d], (x.data.shape[d],))
    return reshape(x, x.data.shape[:d] + inner + x.data.shape[d + 1 :])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    shp = x.data.shape
    if dim is None:
        axes = {i for i, s in enumerate(shp) if s == 1}
    else:
        axes = {d for d in normalize_dims(dim, x.data.ndim) if shp[d] == 1} if x.data.ndim else set()
    return reshape(x, tuple(s for i, s in enumerate(shp) if i not in axes))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = wrap_dim(dim, x.data.ndim + 1)
    return reshape(x, x.data.shape[:d] + (1,) + x.data.shape[d:])


# ----------------------------------------------------------------------------- permutations
class Permute(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return x.data.transpose(dims)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return permute(grad, tuple(np.argsort(ctx.dims))), None


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    nd = x.data.ndim
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
    return _share_version(Permute.apply(x, dims), x)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = x.data.ndim
    if nd < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    dims = list(range(nd))
    dims[a], dims[b] = dims[b], dims[a]
    return permute(x, dims)


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the same number "
            f"of dims as destination ({dst} dims)"
        )
    nd = x.data.ndim
    src_w = [wrap_dim(s, nd) for s in src]
    dst_w = [wrap_dim(d, nd) for d in dst]
    perm: list = [None] * nd
    for s, d in zip(src_w, dst_w):
        perm[d] = s
    rest = iter(a for a in range(nd) if a not in src_w)
    return permute(x, [p if p is not None else next(rest) for p in perm])


# ----------------------------------------------------------------------------- copies and casts
class Clone(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        return x.data.copy()

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        return grad


def clone(x: Tensor) -> Tensor:
    return Clone.apply(x)


class Cast(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, dtype: np.dtype) -> np.ndarray:
        ctx.in_dtype = x.data.dtype
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return (cast(grad, ctx.in_dtype) if ctx.in_dtype.kind == "f" else None), None


def cast(x: Tensor, dtype: np.dtype) -> Tensor:
    if x.data.dtype == dtype:
        return x
    if dtype.kind != "f":
        return Tensor._make(x.data.astype(dtype))
    return Cast.apply(x, np.dtype(dtype))


class CopyFrom(Function):
    """``dst.copy_(src)`` as an op: the result is src broadcast to dst's shape and cast to dst's dtype."""

    @staticmethod
    def forward(ctx: Function, dst: Tensor, src: Tensor) -> np.ndarray:
        ctx.src_meta = (src.data.shape, src.data.dtype)
        return np.broadcast_to(src.data, dst.data.shape).astype(dst.data.dtype)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return None, grad


def copy_from(dst: Tensor, src: Tensor) -> Tensor:
    return CopyFrom.apply(dst, src)


# ----------------------------------------------------------------------------- repeat / tile
class Repeat(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, reps: tuple) -> np.ndarray:
        ctx.in_shape, ctx.reps = x.data.shape, reps
        return np.tile(x.data.reshape((1,) * (len(reps) - x.data.ndim) + x.data.shape), reps)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        nd = len(ctx.reps)
        src = (1,) * (nd - len(ctx.in_shape)) + ctx.in_shape
        inter = []
        for r, s in zip(ctx.reps, src):
            inter += [r, s]
        g = reshape(grad, inter).sum(dim=tuple(range(0, 2 * nd, 2)))
        return reshape(g, ctx.in_shape), None


def repeat(x: Tensor, sizes: Sequence[int]) -> Tensor:
    sizes = tuple(sizes)
    if len(sizes) < x.data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    return Repeat.apply(x, sizes)


def tile(x: Tensor, dims: Sequence[int]) -> Tensor:
    dims = tuple(dims)
    if len(dims) < x.data.ndim:
        dims = (1,) * (x.data.ndim - len(dims)) + dims
    return repeat(x, dims)


# ----------------------------------------------------------------------------- cat / stack / split
class Cat(Function):
    @staticmethod
    def forward(ctx: Function, dim: int, *xs: Tensor) -> np.ndarray:
        ctx.dim = dim
        ctx.sizes = [x.data.shape[dim] for x in xs]
        return np.concatenate([x.data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return (None,) + split(grad, ctx.sizes, ctx.dim)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    # torch skips 1-d empty tensors (legacy behaviour)
    kept = [t for t in tensors if not (t.data.ndim == 1 and t.data.size == 0)] or tensors[:1]
    ref = kept[0]
    if ref.data.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.data.ndim)
    for i, t in enumerate(kept):
        if t.data.ndim != ref.data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.data.ndim} and {t.data.ndim}"
            )
        for k in range(ref.data.ndim):
            if k != d and t.data.shape[k] != ref.data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {ref.data.shape[k]} but "
                    f"got size {t.data.shape[k]} for tensor number {i} in the list."
                )
    from .._dtype import promote_types

    dt = kept[0].data.dtype
    for t in kept[1:]:
        dt = promote_types(dt, t.data.dtype)
    kept = [cast(t, dt) for t in kept]
    if len(kept) == 1:
        return clone(kept[0])
    return Cat.apply(d, *kept)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shp = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shp:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shp)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(shp) + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


class Slice(Function):
    """Basic (view) slicing ``x[key]`` with a tuple of slices/ints; backward scatters into zeros."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, key: tuple) -> np.ndarray:
        ctx.key, ctx.in_shape = key, x.data.shape
        return x.data[key]

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return SliceBackward.apply(grad, ctx.key, ctx.in_shape), None


class SliceBackward(Function):
    @staticmethod
    def forward(ctx: Function, grad: Tensor, key: tuple, shape: tuple) -> np.ndarray:
        ctx.key = key
        out = np.zeros(shape, dtype=grad.data.dtype)
        out[key] = grad.data
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return Slice.apply(gg, ctx.key), None, None


def slice_view(x: Tensor, key: tuple) -> Tensor:
    return _share_version(Slice.apply(x, key), x)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    d = wrap_dim(dim, x.data.ndim)
    size = x.data.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return slice_view(x, key)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    d = wrap_dim(dim, x.data.ndim)
    size = x.data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension "
                f"{d}), but got split_sizes={sizes}"
            )
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = x.data.shape[wrap_dim(dim, x.data.ndim)]
    step = -(-size // chunks) if size else 1
    return split(x, max(step, 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple:
    d = wrap_dim(dim, x.data.ndim)
    return tuple(slice_view(x, (slice(None),) * d + (i,)) for i in range(x.data.shape[d]))


# ----------------------------------------------------------------------------- flip / roll / pad
class Flip(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return np.flip(x.data, dims)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return Flip.apply(grad, ctx.dims), None


def flip(x: Tensor, dims: Sequence[int]) -> Tensor:
    return Flip.apply(x, tuple(wrap_dim(d, x.data.ndim) for d in dims))


class Roll(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, shifts: Any, dims: Any) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x.data, shifts, dims)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        neg = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return Roll.apply(grad, neg, ctx.dims), None, None


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    if dims is None:
        flat = reshape(x, (-1,))
        return reshape(Roll.apply(flat, int(shifts) if not isinstance(shifts, (tuple, list)) else int(shifts[0]), 0), x.data.shape)
    if isinstance(dims, int):
        dims = wrap_dim(dims, x.data.ndim)
        shifts = int(shifts)
    else:
        dims = tuple(wrap_dim(d, x.data.ndim) for d in dims)
        shifts = tuple(int(s) for s in shifts)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return Roll.apply(x, shifts, dims)


class Pad(Function):
    """Constant/reflect/replicate/circular padding. ``pad`` lists (left, right) pairs from the last dim."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, widths: tuple, mode: str, value: float) -> np.ndarray:
        ctx.widths, ctx.mode, ctx.in_shape = widths, mode, x.data.shape
        np_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
        pos = tuple((max(a, 0), max(b, 0)) for a, b in widths)
        data = x.data
        neg = tuple(slice(-a if a < 0 else None, b if b < 0 else None) for a, b in widths)
        data = data[neg]
        if np_mode == "constant":
            return np.pad(data, pos, mode="constant", constant_values=value)
        return np.pad(data, pos, mode=np_mode)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return PadBackward.apply(grad, ctx.widths, ctx.mode, ctx.in_shape), None, None, None


class PadBackward(Function):
    @staticmethod
    def forward(ctx: Function, grad: Tensor, widths: tuple, mode: str, in_shape: tuple) -> np.ndarray:
        ctx.widths, ctx.mode = widths, mode
        g = grad.data
        if mode == "constant":
            inner = tuple(slice(max(a, 0), g.shape[i] - max(b, 0)) for i, (a, b) in enumerate(widths))
            out = np.zeros(in_shape, dtype=g.dtype)
            neg = tuple(slice(-a if a < 0 else None, (in_shape[i] + b) if b < 0 else None) for i, (a, b) in enumerate(widths))
            out[neg] = g[inner]
            return out
        # non-constant modes: scatter-add every padded position back to its source index (vectorized)
        idx_per_dim = []
        for size, (a, b) in zip(in_shape, widths):
            src = np.arange(-a, size + b)
            if mode == "reflect":
                period = 2 * (size - 1) if size > 1 else 1
                src = np.abs(((src % period) + period) % period)
                src = np.where(src >= size, period - src, src)
            elif mode == "replicate":
                src = np.clip(src, 0, size - 1)
            else:
                src = src % size
            idx_per_dim.append(src)
        out = np.zeros(in_shape, dtype=g.dtype)
        for axis, src in enumerate(idx_per_dim):
            if len(src) == in_shape[axis] and np.array_equal(src, np.arange(in_shape[axis])):
                continue
            moved = np.moveaxis(g, axis, 0)
            acc = np.zeros((in_shape[axis],) + moved.shape[1:], dtype=g.dtype)
            np.add.at(acc, src, moved)
            g = np.moveaxis(acc, 0, axis)
        out[...] = g
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return Pad.apply(gg, ctx.widths, ctx.mode, 0.0), None, None, None


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.data.ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but got padding "
            f"length {len(pad)} and input of dimension {x.data.ndim}"
        )
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unsupported padding mode: {mode}")
    widths = [(0, 0)] * x.data.ndim
    for i in range(len(pad) // 2):
        widths[x.data.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "reflect":
        for axis, (a, b) in enumerate(widths):
            if a >= x.data.shape[axis] or b >= x.data.shape[axis]:
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                    f"padding ({a}, {b}) at dimension {axis} of input {list(x.shape)}"
                )
    return Pad.apply(x, tuple(widths), mode, 0.0 if value is None else value)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    shape = np.broadcast_shapes(*(t.data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


__all__ = [
    "sum_to", "expand", "reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
    "transpose", "movedim", "clone", "cast", "repeat", "tile", "cat", "concat", "concatenate", "stack",
    "narrow", "split", "chunk", "unbind", "flip", "roll", "pad", "broadcast_tensors", "slice_view",
    "copy_from", "_shape_args",
]
