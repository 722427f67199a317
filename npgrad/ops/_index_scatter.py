"""Writes along one dim: ``scatter``, ``scatter_add`` and ``scatter_reduce`` (re-exported by
``npgrad.ops.index``).

The gradient to the input is the incoming gradient with the overwritten positions zeroed (``set``)
or passed through (``add``); the gradient to ``src`` is the incoming gradient gathered at ``index``.
``scatter_reduce`` has per-mode rules, documented on ``ScatterReduce``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._index_gather import Gather
from ._index_util import _add_flat, _along_lin, _check_scatter_shapes, _index_array, _take_np
from ._util import wrap_dim
from .shape import reshape, slice_view


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


def _scatter_args(x: Tensor, dim: int, index: Any, src: Any, op: str, dtype_op: str) -> tuple:
    """Validate a scatter-family call (index dtype, shapes and bounds, ``src``'s dtype): ``(idx, dim)``."""
    idx = _index_array(index, op, "int64")
    d = wrap_dim(dim, x.data.ndim)
    if isinstance(src, Tensor) and src.data.dtype != x.data.dtype:
        raise RuntimeError(f"{dtype_op}(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(x, d, idx, src if isinstance(src, Tensor) else None, op)
    return idx, d


def _src_like(src: Tensor, idx: np.ndarray) -> Tensor:
    """``src`` cut to ``idx``'s shape: a scatter reads only the leading block of a larger ``src``."""
    return src if src.data.shape == idx.shape else slice_view(src, tuple(slice(0, s) for s in idx.shape))


def _scatter(x: Tensor, dim: int, index: Any, src: Any, mode: str, op: str, reduce_arg: bool = False) -> Tensor:
    """The scatter/scatter_add worker: validate, fold 0-d operands to 1-D, apply ``ScatterOp`` (``mode``)."""
    idx, d = _scatter_args(x, dim, index, src, op, op)
    if x.data.ndim == 0 or idx.ndim == 0:
        src1 = reshape(src, (-1,)) if isinstance(src, Tensor) else src
        return reshape(_scatter(reshape(x, (-1,)), 0, idx.reshape(-1), src1, mode, op, reduce_arg), x.data.shape)
    if isinstance(src, Tensor):
        src = _src_like(src, idx)
    else:
        src = src.item() if isinstance(src, np.ndarray) else src
    return (_ScatterReduceArg if reduce_arg else ScatterOp).apply(x, d, idx, src, mode)


class _ScatterReduceArg(ScatterOp):
    """``scatter(..., reduce=...)``: forward like ScatterOp; torch has no derivative for it."""

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        raise RuntimeError("derivative for aten::scatter is not implemented")


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,  # noqa: A002
            reduce: str | None = None) -> Tensor:
    """Write values along ``dim``: ``out = input``, then ``out[index[i][j][k]][j][k] = src[i][j][k]`` for ``dim == 0``.

    Where ``index`` repeats a position, which of the written values survives is unspecified (as in torch).
    With ``reduce`` the values are combined with the existing ones instead of replacing them.

    Args:
        input (Tensor): the destination (not modified).
        dim (int): the dim to index along.
        index (Tensor): int64 positions along ``dim``, with ``input``'s number of dims, no larger than
            ``input`` in the other dims nor than ``src`` in any dim.
        src (Tensor or Number): the values, read at ``index``'s positions; a number is written at every one.
        value (Number): keyword alternative to a scalar ``src``.
        reduce (str, optional): ``"add"`` or ``"multiply"`` to combine instead of overwrite (no gradient).

    Returns:
        Tensor: of ``input``'s shape and dtype. Gradients: ``input`` receives the incoming gradient with
        the written positions zeroed, ``src`` the incoming gradient gathered at ``index``.
    """
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
    """Add values along ``dim``: ``out = input``, then ``out[index[i][j][k]][j][k] += src[i][j][k]`` for ``dim == 0``.

    Repeated positions accumulate.

    Args:
        input (Tensor): the destination (not modified).
        dim (int): the dim to index along.
        index (Tensor): int64 positions along ``dim``, with ``input``'s number of dims, no larger than
            ``input`` in the other dims nor than ``src`` in any dim.
        src (Tensor): the values to add, read at ``index``'s positions; same dtype as ``input``.

    Returns:
        Tensor: of ``input``'s shape and dtype. Gradients: ``input`` receives the incoming gradient,
        ``src`` the incoming gradient gathered at ``index``.
    """
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
    """``ScatterReduce`` in ``prod`` mode, whose gradient cannot be differentiated again."""

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
    """Reduce values into groups along ``dim``: ``out[p] = reduce({input[p]} U {src[s] : index maps s to p})``.

    The position ``p`` a source element ``s`` goes to is ``s`` with its ``dim`` coordinate replaced by
    ``index[s]``. Positions no source element reaches keep ``input``'s value.

    Args:
        input (Tensor): the destination (not modified).
        dim (int): the dim to index along.
        index (Tensor): int64 positions along ``dim``, with ``input``'s number of dims, no larger than
            ``input`` in the other dims nor than ``src`` in any dim.
        src (Tensor): the values, same dtype as ``input``.
        reduce (str): ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"`` (integer mean rounds down).
        include_self (bool): whether ``input``'s value at a reached position takes part in its group.

    Returns:
        Tensor: of ``input``'s shape and dtype. The gradient rules per mode are on ``ScatterReduce``.
    """
    if reduce not in _SR_MODES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    idx, d = _scatter_args(input, dim, index, src, "scatter_reduce", "scatter")
    if input.data.ndim == 0 or idx.ndim == 0:
        out = scatter_reduce(reshape(input, (-1,)), 0, Tensor._make(idx.reshape(-1)), reshape(src, (-1,)), reduce,
                             include_self=include_self)
        return reshape(out, input.data.shape)
    fn = _ScatterReduceProd if reduce == "prod" else ScatterReduce
    return fn.apply(input, d, idx, _src_like(src, idx), reduce, include_self)
