"""``x[key]``, ``x[key] = v`` and the ops built on them: ``index_put``, ``index_copy``,
``masked_select``, ``masked_scatter`` and ``take`` (re-exported by ``npgrad.ops.index``).

Basic keys give views sharing memory and version counter with ``x``. Advanced keys go through
``Index`` (a copy, whose gradient ``IndexBackward`` scatter-adds back) and ``IndexPut`` (a write,
whose gradient is the incoming gradient with the written positions zeroed, and for the values the
gradient read at those positions).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._index_key import _expand_msg, _parse_index, _target_shape
from ._index_util import _add_flat, _broadcast_shapes, _check_bounds, _dim_lin, _index_array, scalar_type_name
from ._util import wrap_dim
from .shape import expand, narrow, reshape, slice_view


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
    """Zeros of ``shape`` with ``grad`` added at the advanced ``key`` (repeated positions accumulate).

    The adjoint of ``Index``: its backward is ``Index`` again, so double backward works.
    """

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
    """``x[key1][key2]``: a view for the basic part, then ``Index`` for the advanced part (either may be None)."""
    out = x if key1 is None else slice_view(x, key1)
    return out if key2 is None else Index.apply(out, key2)


def _put(out: np.ndarray, key1: tuple | None, key2: tuple | None, value: Any) -> None:
    """``out[key1][key2] = value`` in place on a NumPy array (either key may be None)."""
    if key2 is None:
        out[key1 if key1 is not None else ...] = value
    else:
        (out[key1] if key1 is not None else out)[key2] = value


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]`` with torch's semantics: ``out = x[basic part][advanced part]``.

    Ints, slices, ``None`` and ``...`` (basic indexing) give a view sharing memory and version counter
    with ``x``. Integer tensors/arrays/lists and bool masks (advanced indexing) give a copy; the dims
    they index are replaced by their broadcast shape, placed where torch places them.

    Args:
        x (Tensor): the tensor to index.
        index: an int, slice, ``None``, ``...``, bool, integer or bool tensor/array/list, or a tuple of
            these (one entry per indexed dim).

    Returns:
        Tensor: a view for basic indexing, a new tensor otherwise. The gradient flows back to the
        selected positions (scatter-added where advanced indices repeat).
    """
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
    """``IndexPut`` as a plain function, for ``Tensor._inplace``."""
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


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """Out-of-place ``input[indices] = values``: ``out = input`` with ``out[indices] = values``.

    With ``accumulate``, ``out[indices] += values`` instead, and repeated positions sum; without it,
    which of several values written to one position survives is unspecified (as in torch).

    Args:
        input (Tensor): the destination (not modified).
        indices (tuple of Tensor): one index per leading dim, as in ``input[indices]`` (integer tensors
            or bool masks).
        values (Tensor): same dtype as ``input``, broadcastable to the shape of ``input[indices]``.
        accumulate (bool): add instead of overwrite.

    Returns:
        Tensor: of ``input``'s shape. Gradients: ``input`` receives the incoming gradient (with the
        written positions zeroed unless ``accumulate``), ``values`` the gradient read at ``indices``.
    """
    if values.data.dtype != input.data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{scalar_type_name(input.data.dtype)} for the destination and "
                           f"{scalar_type_name(values.data.dtype)} for the source.")
    key = _parse_index(input, tuple(indices))
    return (IndexPutAccumulate if accumulate else IndexPut).apply(input, key, values)


def index_put_(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """In-place :func:`index_put`: ``input[indices] = values`` (``+=`` with ``accumulate``).

    Args:
        input (Tensor): the destination, modified and returned.
        indices (tuple of Tensor): one index per leading dim, as in ``input[indices]``.
        values (Tensor): same dtype as ``input``, broadcastable to the shape of ``input[indices]``.
        accumulate (bool): add instead of overwrite (repeated positions sum).

    Returns:
        Tensor: ``input``, with its version bumped and the write recorded for autograd.
    """
    return input._inplace(index_put, indices, values, accumulate)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """Copy slices along ``dim``: ``out = input`` with ``out[..., index[j], ...] = source[..., j, ...]``.

    Args:
        input (Tensor): the destination (not modified).
        dim (int): the dim to index along.
        index (Tensor): a 1-D (or 0-d) int64 tensor of distinct positions in ``[0, input.size(dim))``.
        source (Tensor): same dtype as ``input``; ``input``'s shape with ``dim`` of size ``len(index)``.

    Returns:
        Tensor: of ``input``'s shape. Gradients: ``input`` receives the incoming gradient with the
        copied-over slices zeroed, ``source`` the gradient of those slices.
    """
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
    """``x[index] = value``, in place: the positions ``x[index]`` selects take ``value``.

    Bumps ``x``'s version. When autograd must see the write (``x`` or ``value`` requires grad) it is
    recorded as an ``IndexPut`` on ``x``'s history (with grad mode on); otherwise the data is written directly.

    Args:
        x (Tensor): the destination.
        index: any index :func:`getitem` accepts.
        value (Tensor or Number): broadcastable to the shape of ``x[index]`` (leading size-1 dims are
            dropped first); numbers are cast to ``x``'s dtype.

    Returns:
        None.
    """
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


# ----------------------------------------------------------------------------- masks and flat indices
def _bool_mask(mask: Any, op: str) -> np.ndarray:
    """``mask``'s data, checking that it is bool (``op`` names the caller in the error)."""
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask")
    return m


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements where a mask is true, flattened: ``out = [input[i] for i in row-major order if mask[i]]``.

    Args:
        input (Tensor): the source tensor.
        mask (Tensor): bool, broadcastable with ``input``.

    Returns:
        Tensor: 1-D, of length the number of true positions of the broadcast mask. The gradient
        scatters back to those positions.
    """
    m = _bool_mask(mask, "masked_select")
    shape = _broadcast_shapes(m.shape, input.data.shape)
    return Index.apply(expand(input, shape), (np.broadcast_to(m, shape),))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """Fill masked positions from a source, in order: the k-th true position of ``mask`` gets ``source.flatten()[k]``.

    Args:
        input (Tensor): the destination (not modified).
        mask (Tensor): bool, broadcastable to ``input``'s shape.
        source (Tensor): same dtype as ``input``, with at least as many elements as ``mask`` has true
            positions; only that many leading elements are read.

    Returns:
        Tensor: of ``input``'s shape. Gradients: ``input`` receives the incoming gradient outside the
        mask, ``source`` the gradient of the positions its elements went to (zero for the unread ones).
    """
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
    """Index the flattened input: ``out[i] = input.flatten()[index[i]]``, negative indices counting from the end.

    Args:
        input (Tensor): any tensor, read in row-major order.
        index (Tensor): int32/int64 positions in ``[-input.numel(), input.numel())``, any shape.

    Returns:
        Tensor: of ``index``'s shape and ``input``'s dtype. The gradient scatter-adds back.
    """
    idx = _index_array(index, "take").astype(np.intp)
    n = input.data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Index.apply(reshape(input, (-1,)), (np.where(idx < 0, idx + n, idx),))
