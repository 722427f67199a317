"""Indexing ops: ``x[key]`` / ``x[key] = v``, gather/scatter, index_* , masks, diagonals, searches.

Conventions shared by the differentiable ops here:
- a *selection* (``x[key]``, gather, index_select) has as gradient the scatter-add of the incoming
  gradient into zeros of the input's shape (repeated indices accumulate); that scatter is itself a
  Function whose backward is the selection again, so double backward works;
- a *write* (``x[key] = v``, scatter, index_fill) passes the gradient to ``x`` with the written
  positions zeroed, and to the written values the gradient gathered at those positions.
Scatter-adds are vectorised: flat target positions are computed by broadcasting, then summed with
``np.bincount`` (dense targets) or ``np.add.at`` (sparse ones). No Python loop runs over elements.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import as_tensor_operand, wrap_dim
from .shape import _share_version, clone, expand, narrow, reshape, slice_view

_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half"}


def scalar_type_name(dt: np.dtype) -> str:
    """torch's C++ name of a dtype (``Long``, ``Float``...), used in error messages."""
    return _TORCH_NAMES.get(np.dtype(dt).name, str(dt))


# ----------------------------------------------------------------------------- scatter-add kernels
def _add_flat(out: np.ndarray, lin: np.ndarray, src: np.ndarray) -> None:
    """``out.flat[lin] += src`` with repeated positions accumulating (``out`` is C-contiguous)."""
    flat = out.reshape(-1)
    src = src.reshape(-1) if src.size == lin.size else np.broadcast_to(src, lin.shape).reshape(-1)
    lin = lin.reshape(-1)
    if out.dtype.kind == "f" and lin.size * 4 >= flat.size:  # dense: one bincount pass
        flat += np.bincount(lin, weights=src, minlength=flat.size).astype(out.dtype, copy=False)
    else:
        np.add.at(flat, lin, src)


def _along_lin(idx: np.ndarray, dim: int, shape: tuple) -> np.ndarray:
    """Flat positions in a C-ordered array of ``shape`` of ``out[i0, .., idx[i], .., in]`` (gather's map)."""
    strides = np.cumprod((1,) + shape[:0:-1])[::-1] if shape else np.ones(0, np.intp)
    lin = idx.astype(np.intp) * int(strides[dim])
    for a, n in enumerate(idx.shape):
        if a != dim and n > 1:
            coord = np.arange(n, dtype=np.intp) * int(strides[a])
            lin = lin + coord.reshape([-1 if b == a else 1 for b in range(idx.ndim)])
    return np.broadcast_to(lin, idx.shape)


def _dim_lin(idx: np.ndarray, dim: int, shape: tuple) -> np.ndarray:
    """Flat positions of ``out[:, .., idx[j], .., :]`` for a 1-D ``idx`` along ``dim`` (index_add's map)."""
    pre, n, post = int(np.prod(shape[:dim])), shape[dim], int(np.prod(shape[dim + 1:]))
    lin = (np.arange(pre, dtype=np.intp)[:, None, None] * n + idx.astype(np.intp)[None, :, None]) * post
    return lin + np.arange(post, dtype=np.intp)


# ----------------------------------------------------------------------------- gather / put along a dim
def _take_np(a: np.ndarray, idx: np.ndarray, dim: int) -> np.ndarray:
    """np.take_along_axis where ``idx`` may be smaller than ``a`` in the other dims (gather's rule)."""
    if any(d != dim and s != n for d, (s, n) in enumerate(zip(idx.shape, a.shape))):
        a = a[tuple(slice(None) if d == dim else slice(0, s) for d, s in enumerate(idx.shape))]
    return np.take_along_axis(a, idx, dim)


class Gather(Function):
    """``out[..i..] = x[..idx[i]..]`` along ``dim`` (take_along_dim); the index may be smaller than ``x``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int, idx: np.ndarray, unique: bool) -> np.ndarray:
        ctx.args = (dim, idx, x.data.shape, unique)
        return _take_np(x.data, idx, dim)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, shape, unique = ctx.args
        return PutAlong.apply(grad, dim, idx, shape, unique), None, None, None


class PutAlong(Function):
    """Scatter(-add) ``src`` into zeros of ``shape`` at ``idx`` along ``dim``: the adjoint of ``Gather``."""

    @staticmethod
    def forward(ctx: Function, src: Tensor, dim: int, idx: np.ndarray, shape: tuple, unique: bool) -> np.ndarray:
        ctx.args = (dim, idx, unique)
        out = np.zeros(shape, dtype=src.data.dtype)
        lin = _along_lin(idx, dim, shape)
        if unique:
            out.reshape(-1)[lin.reshape(-1)] = src.data.reshape(-1)
        else:
            _add_flat(out, lin, src.data)
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        dim, idx, unique = ctx.args
        return Gather.apply(gg, dim, idx, unique), None, None, None, None


def take_along(x: Tensor, dim: int, idx: np.ndarray, unique: bool = False) -> Tensor:
    """``Gather`` without validation (``unique``: no position is selected twice, a faster backward)."""
    return Gather.apply(x, dim, idx, unique)


def _index_array(index: Any, op: str, allowed: str = "int32/int64") -> np.ndarray:
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.kind not in "iu" or (allowed == "int64" and data.dtype != np.int64):
        raise RuntimeError(f"{op}(): Expected dtype {allowed} for index")
    return data


def _first_bad(idx: np.ndarray, lo: int, hi: int) -> int:
    """The first element (C order) of ``idx`` outside ``[lo, hi)``, as torch reports it."""
    flat = idx.reshape(-1)
    return int(flat[np.argmax((flat < lo) | (flat >= hi))])


def _check_bounds(idx: np.ndarray, size: int, dim: int, exc: type = RuntimeError, prefix: str = "") -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise exc(f"{prefix}index {_first_bad(idx, 0, size)} is out of bounds for dimension {dim} with size {size}")


def _check_scatter_shapes(x: Tensor, dim: int, idx: np.ndarray, src: Any, op: str) -> None:
    if builtins.max(idx.ndim, 1) != builtins.max(x.data.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    ishape, xshape = idx.shape, x.data.shape
    if isinstance(src, Tensor) and builtins.max(src.data.ndim, 1) != builtins.max(idx.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    too_big = any(a != dim and s > n for a, (s, n) in enumerate(zip(ishape, xshape)))
    if isinstance(src, Tensor):
        too_big = too_big or any(s > n for s, n in zip(ishape, src.data.shape))
        if too_big:
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(xshape)} apart from "
                               f"dimension {dim} and to be no larger size than src {list(src.data.shape)}")
    elif too_big:
        bad = next(a for a, (s, n) in enumerate(zip(ishape, xshape)) if a != dim and s > n)
        raise RuntimeError(f"Size does not match at dimension {bad} expected index {list(ishape)} to be no larger "
                           f"than self {list(xshape)} apart from dimension {dim}")
    _check_bounds(idx, xshape[dim] if xshape else 1, dim)


def _broadcast_shapes(sa: tuple, sb: tuple) -> tuple:
    """np.broadcast_shapes with torch's error message."""
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        i = next(i for i in range(1, min(len(sa), len(sb)) + 1) if sa[-i] != sb[-i] and 1 not in (sa[-i], sb[-i]))
        raise RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at "
                           f"non-singleton dimension {max(len(sa), len(sb)) - i}") from None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` (for dim 0); gradient: scatter-add into zeros."""
    idx = _index_array(index, "gather")
    d = wrap_dim(dim, input.data.ndim)
    _check_scatter_shapes(input, d, idx, None, "gather")
    if input.data.ndim == 0 or idx.ndim == 0:
        out = gather(reshape(input, (-1,)), 0, Tensor._make(idx.reshape(-1)))
        return reshape(out, idx.shape)
    return Gather.apply(input, d, idx, False)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """``gather`` after broadcasting ``input`` and ``indices`` in every dim but ``dim``; no dim: flat."""
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return gather(reshape(input, (-1,)), 0, Tensor._make(idx.reshape(-1)))
    x = input
    if x.data.ndim != idx.ndim:
        raise RuntimeError(
            f"torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
            f"{x.data.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    d = wrap_dim(dim, x.data.ndim)
    xs, is_ = list(x.data.shape), list(idx.shape)
    xs[d] = is_[d] = 1
    common = list(_broadcast_shapes(tuple(xs), tuple(is_)))
    x = expand(x, tuple(common[:d] + [x.data.shape[d]] + common[d + 1:]))
    idx = np.broadcast_to(idx, tuple(common[:d] + [idx.shape[d]] + common[d + 1:]))
    return gather(x, d, Tensor._make(idx))


# ----------------------------------------------------------------------------- scatter family
class ScatterOp(Function):
    """``out = x`` with ``src`` written (``set``), added (``add``) or multiplied (``mul``) at ``idx`` along ``dim``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int, idx: np.ndarray, src: Any, mode: str) -> np.ndarray:
        ctx.args = (dim, idx, mode, isinstance(src, Tensor))
        out = np.array(x.data, order="C")
        lin = _along_lin(idx, dim, out.shape)
        s = src.data if isinstance(src, Tensor) else np.asarray(src, dtype=out.dtype)
        if mode == "set":
            out.reshape(-1)[lin.reshape(-1)] = np.broadcast_to(s, lin.shape).reshape(-1)
        elif mode == "add":
            _add_flat(out, lin, s)
        else:
            np.multiply.at(out.reshape(-1), lin.reshape(-1), np.broadcast_to(s, lin.shape).reshape(-1))
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, mode, src_is_tensor = ctx.args
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            if mode == "set":
                keep = np.ones(grad.data.shape, dtype=bool)
                keep.reshape(-1)[_along_lin(idx, dim, keep.shape).reshape(-1)] = False
                gx = grad * Tensor._make(keep)
            else:
                gx = grad
        if src_is_tensor and ctx.needs_input_grad[3]:
            gsrc = Gather.apply(grad, dim, idx, False)
        return gx, None, None, gsrc, None


def _scatter(x: Tensor, dim: int, index: Any, src: Any, mode: str, op: str, reduce_arg: bool = False) -> Tensor:
    idx = _index_array(index, op, "int64")
    d = wrap_dim(dim, x.data.ndim)
    if isinstance(src, Tensor) and src.data.dtype != x.data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(x, d, idx, src if isinstance(src, Tensor) else None, op)
    if x.data.ndim == 0 or idx.ndim == 0:
        src1 = reshape(src, (-1,)) if isinstance(src, Tensor) else src
        return reshape(_scatter(reshape(x, (-1,)), 0, idx.reshape(-1), src1, mode, op, reduce_arg), x.data.shape)
    if isinstance(src, Tensor) and src.data.shape != idx.shape:
        src = slice_view(src, tuple(slice(0, s) for s in idx.shape))
    elif not isinstance(src, Tensor):
        src = src.item() if isinstance(src, np.ndarray) else src
    return (_ScatterReduceArg if reduce_arg else ScatterOp).apply(x, d, idx, src, mode)


class _ScatterReduceArg(ScatterOp):
    """``scatter(..., reduce=...)``: forward like ScatterOp; torch has no derivative for it."""

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        raise RuntimeError("derivative for aten::scatter is not implemented")


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,  # noqa: A002
            reduce: str | None = None) -> Tensor:
    """Write ``src`` (a tensor or a scalar ``value``) into a copy of ``input`` at ``index`` along ``dim``."""
    if src is None:
        src = value
    if isinstance(src, Tensor) and src.data.ndim == 0 and not isinstance(index, Tensor):
        src = src.item()
    if reduce is None:
        return _scatter(input, dim, index, src, "set", "scatter")
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    return _scatter(input, dim, index, src, "add" if reduce == "add" else "mul", "scatter", reduce_arg=True)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    """``out = input`` with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    return _scatter(input, dim, index, src, "add", "scatter_add")


_SR_MODES = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduce(Function):
    """torch.scatter_reduce: combine ``src`` into ``x`` at ``idx`` along ``dim`` with sum/prod/mean/amax/amin.

    Gradients: sum -> gather; mean -> gather of grad / count; amax/amin -> split evenly among the
    contributions equal to the result; prod -> grad * (product of the other contributions).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int, idx: np.ndarray, src: Tensor, mode: str,
                include_self: bool) -> np.ndarray:
        a, s = x.data, src.data
        out = np.array(a, order="C")
        flat, lin = out.reshape(-1), _along_lin(idx, dim, a.shape).reshape(-1)
        sv = s.reshape(-1)
        touched = np.zeros(a.size, dtype=bool)
        touched[lin] = True
        if not include_self:
            flat[touched] = _reduce_identity(mode, a.dtype)
        count = None
        if mode in ("sum", "mean"):
            _add_flat(out, lin, sv)
            if mode == "mean":
                count = np.bincount(lin, minlength=a.size).reshape(a.shape) + (1 if include_self else 0)
                count = np.maximum(count, 1)
                out = out // count if a.dtype.kind in "iub" else out / count.astype(a.dtype)
                out = out.astype(a.dtype, copy=False)
        else:
            {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[mode].at(flat, lin, sv)
        ctx.args = (dim, idx, mode, include_self, touched.reshape(a.shape), count)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, mode, include_self, touched, count = ctx.args
        x, src, out = ctx.saved_tensors
        dt = grad.data.dtype
        self_w = np.where(touched, 1.0 if include_self else 0.0, 1.0).astype(dt)
        if mode == "sum":
            gx, gs = grad * Tensor._make(self_w), Gather.apply(grad, dim, idx, False)
        elif mode == "mean":
            g = grad / Tensor._make(count.astype(dt))
            gx, gs = g * Tensor._make(self_w), Gather.apply(g, dim, idx, False)
        elif mode in ("amax", "amin"):
            o = out.data
            m_self = x.data == o  # counted among the ties even when not included (torch's rule)
            m_src = src.data == _take_np(o, idx, dim)
            n = m_self.astype(dt)
            _add_flat(n, _along_lin(idx, dim, n.shape), m_src.astype(dt))
            g = grad / Tensor._make(np.maximum(n, 1))
            gx = g * Tensor._make(m_self * self_w)
            gs = Gather.apply(g, dim, idx, False) * Tensor._make(m_src.astype(dt))
        else:
            others_x, others_s = _prod_others_scatter(x.data, src.data, out.data, idx, dim, touched, include_self)
            gx = grad * Tensor._make(others_x)
            gs = Gather.apply(grad, dim, idx, False) * Tensor._make(others_s)
        needs = ctx.needs_input_grad
        return (gx if needs[0] else None), None, None, (gs if needs[3] else None), None, None


def _reduce_identity(mode: str, dt: np.dtype) -> Any:
    """The start value of a reduction group that excludes ``self`` (include_self=False)."""
    if mode in ("sum", "mean"):
        return 0
    if mode == "prod":
        return 1
    if dt.kind == "f":
        return -np.inf if mode == "amax" else np.inf
    info = np.iinfo(dt) if dt.kind in "iu" else None
    return (info.min if mode == "amax" else info.max) if info else mode == "amin"


class _ScatterReduceProd(ScatterReduce):
    #: the product-of-others factor is computed from data, so the gradient is not differentiated again
    once_differentiable = True


def _prod_others_scatter(a: np.ndarray, s: np.ndarray, out: np.ndarray, idx: np.ndarray, dim: int,
                         touched: np.ndarray, include_self: bool) -> tuple:
    """For every contribution to a product group: the product of the group's other members (zero-safe)."""
    lin = _along_lin(idx, dim, a.shape).reshape(-1)
    self_in = ~touched | include_self
    zeros = np.where(self_in, a == 0, False).astype(np.int64).reshape(-1)
    np.add.at(zeros, lin, (s == 0).reshape(-1).astype(np.int64))
    nz = np.where(self_in & (a != 0), a, 1).astype(a.dtype).reshape(-1)
    np.multiply.at(nz, lin, np.where(s == 0, 1, s).reshape(-1))
    zeros, nz = zeros.reshape(a.shape), nz.reshape(a.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ox = np.where(a == 0, np.where(zeros == 1, nz, 0), out / np.where(a == 0, 1, a))
        zs, nzs, os_ = (_take_np(t, idx, dim) for t in (zeros, nz, out))
        osrc = np.where(s == 0, np.where(zs == 1, nzs, 0), os_ / np.where(s == 0, 1, s))
    return np.where(self_in, ox, 0).astype(a.dtype), osrc.astype(a.dtype)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim`` (sum, prod, mean, amax, amin)."""
    if reduce not in _SR_MODES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    idx = _index_array(index, "scatter_reduce", "int64")
    d = wrap_dim(dim, input.data.ndim)
    if src.data.dtype != input.data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(input, d, idx, src, "scatter_reduce")
    if input.data.ndim == 0 or idx.ndim == 0:
        out = scatter_reduce(reshape(input, (-1,)), 0, Tensor._make(idx.reshape(-1)), reshape(src, (-1,)), reduce,
                             include_self=include_self)
        return reshape(out, input.data.shape)
    if src.data.shape != idx.shape:
        src = slice_view(src, tuple(slice(0, s) for s in idx.shape))
    fn = _ScatterReduceProd if reduce == "prod" else ScatterReduce
    return fn.apply(input, d, idx, src, reduce, include_self)


# ----------------------------------------------------------------------------- index_select / index_add / fill
class IndexAdd(Function):
    """``out = x`` (zeros of ``shape`` when ``x`` is None) with ``alpha * src`` added at ``idx`` along ``dim``."""

    @staticmethod
    def forward(ctx: Function, x: Any, dim: int, idx: np.ndarray, src: Tensor, alpha: Any, shape: tuple) -> np.ndarray:
        ctx.args = (dim, idx, alpha)
        out = np.zeros(shape, src.data.dtype) if x is None else np.array(x.data, order="C")
        s = src.data if alpha == 1 else src.data * alpha
        if out.size:
            _add_flat(out, _dim_lin(idx, dim, shape), s.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, alpha = ctx.args
        gs = None
        if ctx.needs_input_grad[3]:
            gs = IndexSelect.apply(grad, dim, idx)
            if alpha != 1:
                gs = gs * alpha
        return grad if ctx.needs_input_grad[0] else None, None, None, gs, None, None


class IndexSelect(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int, idx: np.ndarray) -> np.ndarray:
        ctx.args = (dim, idx, x.data.shape)
        return np.take(x.data, idx, axis=dim)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, shape = ctx.args
        return IndexAdd.apply(None, dim, idx, grad, 1, shape), None, None


def _vector_index(index: Any, op: str) -> np.ndarray:
    idx = _index_array(index, op, "int32 or int64")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return idx.reshape(-1)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """The slices ``input[..., index[j], ...]`` along ``dim``, stacked; gradient: index_add into zeros."""
    idx = _vector_index(index, "index_select")
    if input.data.ndim == 0:
        wrap_dim(dim, 0)
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
        return reshape(index_select(reshape(input, (1,)), 0, Tensor._make(idx)), ())
    d = wrap_dim(dim, input.data.ndim)
    _check_bounds(idx, input.data.shape[d], d, RuntimeError, "index_select(): ")
    return IndexSelect.apply(input, d, idx)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """``input`` with ``alpha * source[..., j, ...]`` added to ``input[..., index[j], ...]`` (accumulating)."""
    idx = _vector_index(index, "index_add")
    x = input
    if x.data.ndim == 0:
        return reshape(index_add(reshape(x, (1,)), 0, Tensor._make(idx), reshape(source, (-1,)), alpha=alpha), ())
    d = wrap_dim(dim, x.data.ndim)
    src = source if isinstance(source, Tensor) else as_tensor_operand(source)
    ssize = src.data.shape[d] if src.data.ndim else 1
    if idx.size != ssize:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({ssize}), for dim: {d}")
    expected = x.data.shape[:d] + (idx.size,) + x.data.shape[d + 1:]
    if src.data.shape != expected:
        if src.data.size != int(np.prod(expected)):
            raise RuntimeError(f"index_add_(): source shape {list(src.shape)} does not match {list(expected)}")
        src = reshape(src, expected)
    _check_bounds(idx, x.data.shape[d], d)
    return IndexAdd.apply(x, d, idx, src, alpha, x.data.shape)


def _dim_mask(shape: tuple, dim: int, idx: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape[dim], dtype=bool)
    mask[idx] = True
    return mask.reshape((-1,) + (1,) * (len(shape) - dim - 1))


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``input`` with the slices at ``index`` along ``dim`` set to ``value`` (a number or 0-d tensor)."""
    from .binary import where

    idx = _vector_index(index, "index_fill")
    x = input
    d = wrap_dim(dim, x.data.ndim)
    if x.data.ndim:
        _check_bounds(idx, x.data.shape[d], d, IndexError)
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.data.ndim} dimension(s).")
        value = value.to(x.dtype)
    else:
        value = Tensor._make(np.asarray(value, dtype=x.data.dtype))
    mask = _dim_mask(x.data.shape, d, idx) if x.data.ndim else np.asarray(idx.size > 0)
    return where(Tensor._make(mask), value, x)


# ----------------------------------------------------------------------------- masks
def _bool_mask(mask: Any, op: str) -> np.ndarray:
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask")
    return m


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements of ``input`` where the (broadcast) ``mask`` is True, as a 1-D tensor."""
    m = _bool_mask(mask, "masked_select")
    shape = _broadcast_shapes(m.shape, input.data.shape)
    return Index.apply(expand(input, shape), (np.broadcast_to(m, shape),))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with the positions where ``mask`` is True filled, in order, from ``source``'s elements."""
    m = _bool_mask(mask, "masked_scatter_")
    if source.data.dtype != input.data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{scalar_type_name(input.data.dtype)} and {scalar_type_name(source.data.dtype)}")
    try:
        m = np.broadcast_to(m, input.data.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter_: mask of shape {list(m.shape)} is not broadcastable to self of "
                           f"shape {list(input.shape)}") from None
    k = int(m.sum())
    if source.data.size < k:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    vals = reshape(source, (-1,))
    if vals.data.size != k:
        vals = narrow(vals, 0, 0, k)
    return IndexPut.apply(input, (None, (m,)), vals)


def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """``input.flatten()[index]`` (negative indices wrap); the result has ``index``'s shape."""
    idx = _index_array(index, "take").astype(np.intp)
    n = input.data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Index.apply(reshape(input, (-1,)), (np.where(idx < 0, idx + n, idx),))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or a tuple of 1-D index tensors."""
    a = input.data
    if a.ndim == 0:
        n = int(a != 0)
        return (Tensor._make(np.zeros(n, np.int64)),) if as_tuple else Tensor._make(np.zeros((n, 0), np.int64))
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(a))
    return Tensor._make(np.argwhere(a).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """``nonzero(input)``: an ``(n, ndim)`` int64 tensor of the non-zero positions."""
    return nonzero(input)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape ``tensor.shape + (num_classes,)`` with a 1 at each class index."""
    a = tensor.data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros((a.size, num_classes), dtype=np.int64)
    out[np.arange(a.size), a.reshape(-1)] = 1
    return Tensor._make(out.reshape(a.shape + (num_classes,)))


# ----------------------------------------------------------------------------- triangles and diagonals
class Tri(Function):
    """Keep the lower (``np.tril``) or upper (``np.triu``) triangle; self-adjoint, so backward is the same op."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, k: int, lower: bool) -> np.ndarray:
        ctx.args = (k, lower)
        return (np.tril if lower else np.triu)(x.data, k)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return Tri.apply(grad, *ctx.args), None, None


def _tri(x: Tensor, diagonal: int, lower: bool) -> Tensor:
    if x.data.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions")
    return Tri.apply(x, int(diagonal), lower)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Zero the elements above the ``diagonal``-th diagonal of the last two dims."""
    return _tri(input, diagonal, True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Zero the elements below the ``diagonal``-th diagonal of the last two dims."""
    return _tri(input, diagonal, False)


def _diag_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """Writable view of the ``offset`` diagonal of dims (d1, d2), appended as the last dim (torch layout)."""
    n1, n2 = a.shape[d1], a.shape[d2]
    r0, c0 = (0, offset) if offset >= 0 else (-offset, 0)
    length = builtins.max(0, builtins.min(n1 - r0, n2 - c0))
    if length:
        key = [slice(None)] * a.ndim
        key[d1], key[d2] = slice(r0, None), slice(c0, None)
        a = a[tuple(key)]
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (length,)
    strides = tuple(a.strides[i] for i in rest) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


class Diagonal(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, offset: int, d1: int, d2: int) -> np.ndarray:
        ctx.args = (offset, d1, d2, x.data.shape)
        return _diag_view(x.data, offset, d1, d2)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        offset, d1, d2, shape = ctx.args
        return DiagScatter.apply(grad, offset, d1, d2, shape), None, None, None


class DiagScatter(Function):
    """Zeros of ``shape`` with ``src`` written on a diagonal: diagonal's adjoint, and diag_embed."""

    @staticmethod
    def forward(ctx: Function, src: Tensor, offset: int, d1: int, d2: int, shape: tuple) -> np.ndarray:
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, dtype=src.data.dtype)
        _diag_view(out, offset, d1, d2)[...] = src.data
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


def _diag_dims(dim1: int, dim2: int, ndim: int) -> tuple:
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """A view of the ``offset`` diagonal of dims ``(dim1, dim2)``, appended as the last dimension."""
    d1, d2 = _diag_dims(dim1, dim2, input.data.ndim)
    return _share_version(Diagonal.apply(input, int(offset), d1, d2), input)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """A tensor whose ``offset`` diagonal over dims (dim1, dim2) holds ``input``'s last dim; zeros elsewhere."""
    nd = input.data.ndim + 1
    d1, d2 = _diag_dims(dim1, dim2, nd)
    n = (input.data.shape[-1] if input.data.ndim else 1) + builtins.abs(int(offset))
    rest = list(input.data.shape[:-1])
    for d in sorted((d1, d2)):
        rest.insert(d, n)
    src = input if input.data.ndim else reshape(input, (1,))
    return DiagScatter.apply(src, int(offset), d1, d2, tuple(rest))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """1-D input: a square matrix with it on the ``diagonal``-th diagonal; 2-D input: that diagonal (a copy)."""
    if input.data.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.data.ndim == 2:
        return clone(globals()["diagonal"](input, diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.data.ndim}D")


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """Sum of the main diagonal of a matrix (int inputs give int64)."""
    if input.data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.data.ndim}")
    return diagonal(input).sum()


# ----------------------------------------------------------------------------- searching
def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,  # noqa: A002
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """Insertion points of ``input`` into the innermost dim of ``sorted_sequence`` (left: first ``>=``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    seq = sorted_sequence.data
    vals = input.data if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        seq = np.take_along_axis(seq, _index_array(sorter, "searchsorted"), -1)
    sd = "right" if right else "left"
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), vals, side=sd)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
                f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        out = _batched_searchsorted(seq, vals, sd)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def _batched_searchsorted(seq: np.ndarray, vals: np.ndarray, side: str) -> np.ndarray:
    """Row-wise searchsorted in one call: dense global ranks, offset by row, keep every row sorted."""
    n, m = seq.shape[-1], vals.shape[-1]
    s2, v2 = seq.reshape(-1, n), vals.reshape(-1, m)
    _, inv = np.unique(np.concatenate([s2.ravel(), v2.ravel()]), return_inverse=True)
    inv = inv.reshape(-1)
    width = int(inv.max()) + 2 if inv.size else 1
    rows = np.arange(s2.shape[0], dtype=np.int64)[:, None] * width
    skeys = inv[: s2.size].reshape(s2.shape) + rows
    vkeys = inv[s2.size:].reshape(v2.shape) + rows
    pos = np.searchsorted(skeys.ravel(), vkeys.ravel(), side=side).reshape(v2.shape)
    return (pos - np.arange(s2.shape[0])[:, None] * n).reshape(vals.shape)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """Index of the bucket of each element: ``boundaries[i-1] < x <= boundaries[i]`` (``right``: ``<=``, ``<``)."""
    if boundaries.data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None) -> Any:
    """The distinct elements (or slices along ``dim``), sorted; optionally inverse indices and counts (int64)."""
    a = input.data
    axis = None if dim is None else wrap_dim(dim, a.ndim)
    kw = {"equal_nan": False} if axis is None else {}
    res = np.unique(a, return_inverse=True, return_counts=True, axis=axis, **kw)
    vals, inv, counts = res
    inv = inv.reshape(a.shape) if axis is None else inv.reshape(-1)
    out = [Tensor._make(vals)]
    if return_inverse:
        out.append(Tensor._make(inv.astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


# ----------------------------------------------------------------------------- x[key] and x[key] = v
_VALID = "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices"


def _as_items(index: Any) -> tuple:
    """torch's rule: a short list holding sequences/tensors/slices/None/... is read as a tuple of indices."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (Tensor, np.ndarray, list, tuple, slice)) or i is None or i is Ellipsis for i in index):
        return tuple(index)
    return (index,)


def _as_index_array(it: Any) -> Any:
    """A tensor/array/list index as an int (0-d int tensor) or a bool / intp NumPy array."""
    arr = it.data if isinstance(it, Tensor) else np.asarray(it)
    if arr.dtype == np.uint8 or arr.dtype == np.bool_:
        return arr.astype(bool, copy=False)
    if arr.dtype.kind in "iu":
        return int(arr) if arr.ndim == 0 and isinstance(it, Tensor) else arr.astype(np.intp, copy=False)
    if arr.size == 0 and not isinstance(it, Tensor):
        return arr.astype(np.intp)
    if isinstance(it, Tensor) or arr.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    raise IndexError(f"{_VALID} (got {type(it).__name__})")


def _slice_part(v: Any) -> Any:
    return None if v is None else int(v.item() if isinstance(v, Tensor) else v)


def _basic_fast(shape: tuple, index: Any) -> tuple | None:
    """The common ``x[i]`` / ``x[i, a:b]`` case (Python ints and forward slices only), validated; else None."""
    key = index if type(index) is tuple else (index,)
    if len(key) > len(shape):
        return None
    for n, k in zip(shape, key):
        if type(k) is int:
            if not -n <= k < n:
                return None
        elif type(k) is not slice or not (k.step is None or (type(k.step) is int and k.step > 0)):
            return None
    return key


def _parse_index(x: Tensor, index: Any) -> tuple:
    """Split an index into torch's two stages: a basic (view) key, then an advanced key or None.

    Stage 1 applies ints, slices, None and Ellipsis as a NumPy view. Stage 2 indexes that view with the
    integer arrays / bool masks, every other dim taking ``slice(None)`` (ints are gone by then, which is
    how torch places the advanced dims: ``x[0, :, [0, 1]]`` has shape ``(3, 2, 5)`` for ``x`` of shape
    ``(2, 3, 4, 5)``, where NumPy would give ``(2, 3, 5)``).
    """
    fast = _basic_fast(x.data.shape, index)
    if fast is not None:
        return fast, None
    items, conv, consumed = _as_items(index), [], 0
    for it in items:
        if it is None or it is Ellipsis:
            conv.append(it)
        elif isinstance(it, (bool, np.bool_)):
            conv.append(np.asarray(it))
        elif isinstance(it, (int, np.integer)):
            conv.append(int(it))
            consumed += 1
        elif isinstance(it, slice):
            step = _slice_part(it.step)
            if step is not None and step <= 0:
                raise ValueError("slice step cannot be zero" if step == 0 else "step must be greater than zero")
            conv.append(slice(_slice_part(it.start), _slice_part(it.stop), step))
            consumed += 1
        elif isinstance(it, (Tensor, np.ndarray, list, tuple)):
            a = _as_index_array(it)
            conv.append(a)
            consumed += a.ndim if isinstance(a, np.ndarray) and a.dtype == bool else 1
        else:
            raise IndexError(f"{_VALID} (got {type(it).__name__})")
    shape, ndim = x.data.shape, x.data.ndim
    if sum(it is Ellipsis for it in conv) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        if ndim == 0 and any(isinstance(it, int) for it in conv):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    key1, key2, dim, advanced = [], [], 0, False
    for it in conv:
        if it is Ellipsis:
            key1.append(it)
            key2.extend([slice(None)] * (ndim - consumed))
            dim += ndim - consumed
        elif it is None:
            key1.append(None)
            key2.append(slice(None))
        elif isinstance(it, int):
            if not -shape[dim] <= it < shape[dim]:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {shape[dim]}")
            key1.append(it)
            dim += 1
        elif isinstance(it, slice):
            key1.append(it)
            key2.append(slice(None))
            dim += 1
        elif it.dtype == bool:
            advanced = True
            if it.ndim == 0:  # x[True] / x[False]: a new dim of size 1 (True) or 0 (False)
                key1.append(None)
                key2.append(slice(None) if it else np.zeros(0, np.intp))
                continue
            for j, (m, n) in enumerate(zip(it.shape, shape[dim:])):
                if m != n:
                    raise IndexError(f"The shape of the mask {list(it.shape)} at index {j} does not match the shape "
                                     f"of the indexed tensor {list(shape)} at index {dim + j}")
            key1.extend([slice(None)] * it.ndim)
            key2.append(it)
            dim += it.ndim
        else:
            advanced = True
            n = shape[dim]
            if it.size:
                lo, hi = it.min(), it.max()
                if lo < -n or hi >= n:
                    bad = _first_bad(it, -n, n)
                    raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
                if lo < 0:
                    it = np.where(it < 0, it + n, it)
            key1.append(slice(None))
            key2.append(it)
            dim += 1
    if advanced:
        arrays = [k for k in key2 if isinstance(k, np.ndarray)]
        try:
            np.broadcast_shapes(*(a.shape if a.dtype != bool else (int(a.sum()),) for a in arrays))
        except ValueError:
            shapes = ", ".join(str(list(a.shape)) for a in arrays)
            raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes "
                             f"{shapes}") from None
    trivial = all(k is Ellipsis or k == slice(None) for k in key1) and None not in key1
    return (None if trivial else tuple(key1)), (tuple(key2) if advanced else None)


def _index_add_key(out: np.ndarray, key: tuple, g: np.ndarray, fresh: bool = False) -> None:
    """``out[key] += g`` for an advanced ``key`` (repeated positions accumulate; ``fresh``: out is zeros)."""
    arrays = [(i, k) for i, k in enumerate(key) if isinstance(k, np.ndarray)]
    if all(k.dtype == bool for _, k in arrays):  # masks never select a position twice
        if fresh:
            out[key] = g
        else:
            out[key] += g
    elif len(arrays) == 1 and arrays[0][1].ndim and out.size:  # x[:, :, idx]: one vectorised index_add
        d, idx = arrays[0]
        _add_flat(out, _dim_lin(idx.reshape(-1), d, out.shape),
                  g.reshape(out.shape[:d] + (idx.size,) + out.shape[d + 1:]))
    else:
        np.add.at(out, key, g)


class Index(Function):
    """Advanced indexing ``x[key]`` (a copy); backward scatter-adds into zeros (``IndexBackward``)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, key: tuple) -> np.ndarray:
        ctx.args = (key, x.data.shape)
        return np.asarray(x.data[key])

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        key, shape = ctx.args
        return IndexBackward.apply(grad, key, shape), None


class IndexBackward(Function):
    @staticmethod
    def forward(ctx: Function, grad: Tensor, key: tuple, shape: tuple) -> np.ndarray:
        ctx.key = key
        out = np.zeros(shape, dtype=grad.data.dtype)
        _index_add_key(out, key, grad.data, fresh=True)
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return Index.apply(gg, ctx.key), None, None


def _get(x: Tensor, key1: tuple | None, key2: tuple | None) -> Tensor:
    out = x if key1 is None else slice_view(x, key1)
    return out if key2 is None else Index.apply(out, key2)


def _put(out: np.ndarray, key1: tuple | None, key2: tuple | None, value: Any) -> None:
    if key2 is None:
        out[key1 if key1 is not None else ...] = value
    else:
        (out[key1] if key1 is not None else out)[key2] = value


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]`` with torch's semantics: basic indexing gives a view sharing memory (and version
    counter) with ``x``; integer-array / mask indexing gives a copy whose gradient scatter-adds back."""
    key1, key2 = _parse_index(x, index)
    if key1 is None and key2 is None:
        return slice_view(x, (Ellipsis,))  # x[...] / x[:]: a new alias, not x itself
    return _get(x, key1, key2)


class IndexPut(Function):
    """``x`` with ``value`` written at ``key`` (``(key1, key2)`` as from ``_parse_index``; last write wins).

    Gradient: to ``x`` the incoming gradient with the written positions zeroed; to ``value`` the
    gradient read at every written position (summed to ``value``'s shape by the engine)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, key: tuple, value: Tensor) -> np.ndarray:
        ctx.key = key
        out = x.data.copy()
        _put(out, *key, value.data)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(grad.data.shape, dtype=bool)
            _put(keep, *ctx.key, False)
            gx = grad * Tensor._make(keep)
        if ctx.needs_input_grad[2]:
            gv = _get(grad, *ctx.key)
        return gx, None, gv


def _index_put(x: Tensor, key: tuple, value: Tensor) -> Tensor:
    return IndexPut.apply(x, key, value)


class IndexPutAccumulate(Function):
    """``x`` with ``value`` added at ``key`` (repeated positions accumulate): index_put(accumulate=True)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, key: tuple, value: Tensor) -> np.ndarray:
        key1, key2 = ctx.key = key
        out = x.data.copy()
        region = out[key1] if key1 is not None else out
        v = np.broadcast_to(value.data, _target_shape(x.data.shape, key1, key2))
        if key2 is None:
            region += v
        else:
            _index_add_key(region, key2, v)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return grad, None, (_get(grad, *ctx.key) if ctx.needs_input_grad[2] else None)


def _target_shape(shape: tuple, key1: tuple | None, key2: tuple | None) -> tuple:
    """Shape of ``x[key]`` computed on a zero-stride stand-in (no data is copied for basic keys)."""
    probe = np.broadcast_to(np.empty((), np.int8), shape)
    probe = probe[key1] if key1 is not None else probe
    return np.shape(probe[key2] if key2 is not None else probe)


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """Out-of-place ``input[indices] = values`` (``accumulate``: ``+=``, summing repeated positions)."""
    if values.data.dtype != input.data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{scalar_type_name(input.data.dtype)} for the destination and "
                           f"{scalar_type_name(values.data.dtype)} for the source.")
    key = _parse_index(input, tuple(indices))
    return (IndexPutAccumulate if accumulate else IndexPut).apply(input, key, values)


def index_put_(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """In-place ``index_put``."""
    return input._inplace(index_put, indices, values, accumulate)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with ``input[..., index[j], ...] = source[..., j, ...]`` along ``dim``."""
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {scalar_type_name(data.dtype)}")
    if source.data.dtype != input.data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{scalar_type_name(input.data.dtype)} and (source) {scalar_type_name(source.data.dtype)}")
    idx = data.reshape(-1)
    x = input if input.data.ndim else reshape(input, (1,))
    d = wrap_dim(dim, input.data.ndim)
    ssize = source.data.shape[d] if source.data.ndim else 1
    if idx.size != ssize:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) ({ssize})")
    _check_bounds(idx, x.data.shape[d], d, IndexError, "index_copy_(): ")
    src = reshape(source, x.data.shape[:d] + (idx.size,) + x.data.shape[d + 1:])
    return reshape(IndexPut.apply(x, (None, (slice(None),) * d + (idx,)), src), input.data.shape)


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value`` in place (bumps the version); recorded as an ``IndexPut`` when autograd is involved."""
    key1, key2 = _parse_index(x, index)
    if isinstance(value, Tensor):
        v = value
    elif isinstance(value, (bool, int, float, np.bool_, np.number)):
        v = Tensor._make(np.asarray(value, dtype=x.data.dtype))
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a {x.type()}")
    target = _target_shape(x.data.shape, key1, key2)
    vshape = v.data.shape
    while len(vshape) > len(target) and vshape[0] == 1:
        vshape = vshape[1:]
    try:
        if np.broadcast_shapes(vshape, target) != target:
            raise ValueError
    except ValueError:
        if key2 is None:
            raise RuntimeError(_expand_msg(vshape, target)) from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to indexing "
                           f"result of shape {list(target)}") from None
    if vshape != v.data.shape:
        v = reshape(v, vshape)
    if x._needs_record((v,)):
        x._inplace(_index_put, (key1, key2), v.to(x.dtype))
        return
    if not x.data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                           "memory location. Please clone() the tensor before performing the operation.")
    _put(x.data, key1, key2, v.data)
    x._bump_version()


def _expand_msg(vshape: tuple, target: tuple) -> str:
    for i in range(1, len(vshape) + 1):
        if vshape[-i] != 1 and (i > len(target) or vshape[-i] != target[-i]):
            n = target[-i] if i <= len(target) else 1
            return (f"The expanded size of the tensor ({n}) must match the existing size ({vshape[-i]}) at "
                    f"non-singleton dimension {len(target) - i}.  Target sizes: {list(target)}.  Tensor sizes: "
                    f"{list(vshape)}")
    return f"cannot broadcast {list(vshape)} to {list(target)}"


__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_fill",
    "masked_select", "masked_scatter", "take_along_dim", "take", "nonzero", "argwhere", "one_hot", "tril",
    "triu", "diagonal", "diag", "diag_embed", "trace", "searchsorted", "bucketize", "unique", "index_put",
    "index_put_", "index_copy",
]
