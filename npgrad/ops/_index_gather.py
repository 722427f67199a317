"""Selections along one dim and their adjoints: ``gather`` / ``take_along_dim``, ``index_select``,
``index_add`` and ``index_fill`` (re-exported by ``npgrad.ops.index``).

A selection's gradient is the scatter-add of the incoming gradient into zeros of the input's shape
(``PutAlong`` for ``Gather``, ``IndexAdd`` for ``IndexSelect``); each adjoint's backward is the
selection again, so double backward works.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._index_util import (
    _add_flat, _along_lin, _broadcast_shapes, _check_bounds, _check_scatter_shapes, _dim_lin, _index_array, _take_np,
)
from ._util import as_tensor_operand, wrap_dim
from .shape import expand, reshape


# ----------------------------------------------------------------------------- gather / put along a dim
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
    """Gather along ``dim`` without validation: ``out[..., i, ...] = x[..., idx[..., i, ...], ...]``.

    For internal callers whose indices are known to be valid (sort, topk, quantile...).

    Args:
        x (Tensor): the source tensor.
        dim (int): a non-negative dim of ``x``.
        idx (np.ndarray): integer positions along ``dim``, with ``x``'s number of dims.
        unique (bool): promise that no position is selected twice, which lets the backward write
            instead of accumulate.

    Returns:
        Tensor: of ``idx``'s shape; differentiable (``Gather``).
    """
    return Gather.apply(x, dim, idx, unique)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """Gather values along ``dim``: ``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim == 0``.

    The other dims are read at the output position itself: for ``dim == 1``,
    ``out[i][j][k] = input[i][index[i][j][k]][k]``, and so on.

    Args:
        input (Tensor): the source tensor.
        dim (int): the dim to index along (negative counts from the end).
        index (Tensor): int32/int64 positions along ``dim``, with ``input``'s number of dims and no
            larger than ``input`` in any other dim; every value must lie in ``[0, input.size(dim))``.
        sparse_grad (bool): accepted for compatibility; the gradient is always dense.

    Returns:
        Tensor: of ``index``'s shape and ``input``'s dtype. The gradient scatter-adds into zeros of
        ``input``'s shape (repeated positions accumulate).
    """
    idx = _index_array(index, "gather")
    d = wrap_dim(dim, input.data.ndim)
    _check_scatter_shapes(input, d, idx, None, "gather")
    if input.data.ndim == 0 or idx.ndim == 0:
        out = gather(reshape(input, (-1,)), 0, Tensor._make(idx.reshape(-1)))
        return reshape(out, idx.shape)
    return Gather.apply(input, d, idx, False)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """Gather along ``dim`` after broadcasting: ``out = gather(input', dim, indices')``.

    ``input`` and ``indices`` are first broadcast against each other in every dim but ``dim``
    (``input'``, ``indices'``). With ``dim=None`` both are flattened first:
    ``out[i] = input.flatten()[indices.flatten()[i]]``.

    Args:
        input (Tensor): the source tensor.
        indices (Tensor): int32/int64 positions along ``dim``, with ``input``'s number of dims.
        dim (int, optional): the dim to index along; None to index the flattened input.

    Returns:
        Tensor: the gathered values (1-D when ``dim`` is None). Differentiable like :func:`gather`.
    """
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
    """``np.take(x, idx, axis=dim)``: the slices of ``x`` at a 1-D ``idx`` along ``dim``.

    The backward adds the gradient slices back into zeros of ``x``'s shape (``IndexAdd``).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, dim: int, idx: np.ndarray) -> np.ndarray:
        ctx.args = (dim, idx, x.data.shape)
        return np.take(x.data, idx, axis=dim)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        dim, idx, shape = ctx.args
        return IndexAdd.apply(None, dim, idx, grad, 1, shape), None, None


def _vector_index(index: Any, op: str) -> np.ndarray:
    """``index`` as a flat int32/int64 array, checking that it is at most 1-D (index_select/add/fill)."""
    idx = _index_array(index, op, "int32 or int64")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return idx.reshape(-1)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """Select slices along ``dim``: ``out[..., j, ...] = input[..., index[j], ...]``.

    Args:
        input (Tensor): the source tensor.
        dim (int): the dim to select along.
        index (Tensor): a 1-D (or 0-d) int32/int64 tensor of positions in ``[0, input.size(dim))``;
            repeats are allowed.

    Returns:
        Tensor: ``input``'s shape with ``dim`` resized to ``len(index)``. The gradient adds each
        selected slice's gradient back into its source slice (repeats accumulate).
    """
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
    """Add slices along ``dim``: ``out = input``, then ``out[..., index[j], ...] += alpha * source[..., j, ...]``.

    Repeated indices accumulate.

    Args:
        input (Tensor): the tensor to add into (not modified).
        dim (int): the dim to index along.
        index (Tensor): a 1-D (or 0-d) int32/int64 tensor of positions in ``[0, input.size(dim))``.
        source (Tensor): ``input``'s shape with ``dim`` of size ``len(index)`` (or as many elements).
        alpha (Number): the scale of ``source``.

    Returns:
        Tensor: of ``input``'s shape and dtype. Gradients: ``input`` receives the incoming gradient,
        ``source`` the gradient selected at ``index`` times ``alpha``.
    """
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
    """A bool mask over dim ``dim`` of ``shape``, True at ``idx``, shaped to broadcast against ``shape[dim:]``."""
    mask = np.zeros(shape[dim], dtype=bool)
    mask[idx] = True
    return mask.reshape((-1,) + (1,) * (len(shape) - dim - 1))


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:  # noqa: A002
    """Fill slices along ``dim``: ``out = input`` with ``out[..., index[j], ...] = value`` for every ``j``.

    Args:
        input (Tensor): the source tensor (not modified).
        dim (int): the dim to index along.
        index (Tensor): a 1-D (or 0-d) int32/int64 tensor of positions in ``[0, input.size(dim))``.
        value (Number or Tensor): the fill value, a number or a 0-d tensor (cast to ``input``'s dtype).

    Returns:
        Tensor: of ``input``'s shape and dtype. The gradient reaches ``input`` outside the filled
        slices and a tensor ``value`` as the sum over them.
    """
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
