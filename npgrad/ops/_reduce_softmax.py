"""Exponential normalisers along a dim: ``logsumexp``, ``softmax`` and ``log_softmax`` (re-exported by
``npgrad.ops.reduce``), each computed stably by shifting by the maximum.

Gradients: softmax ``y (g - sum(g y))``; log_softmax ``g - exp(y) sum(g)``; logsumexp
``g exp(x - out)``. Every backward is written with Tensor ops, so double backward works.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._index_util import scalar_type_name
from ._reduce_sums import sum
from ._reduce_util import _keep_shape, _to_input
from ._util import normalize_dims, wrap_dim
from .shape import reshape


class LogSumExp(Function):
    """``log(sum(exp(x)))`` over ``axes``, shifted by the maximum; the backward is ``grad * exp(x - out)``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool) -> np.ndarray:
        a = x.data if x.data.dtype.kind == "f" else x.data.astype(_dtype.get_default_dtype().np)
        with np.errstate(divide="ignore", invalid="ignore"):
            if a.size == 0:
                out = np.log(np.sum(np.exp(a), axis=axes, keepdims=keepdim))
            else:
                m = np.max(a, axis=axes, keepdims=True)
                m = np.where(np.isfinite(m), m, 0).astype(a.dtype, copy=False)
                out = np.log(np.sum(np.exp(a - m), axis=axes, keepdims=True)) + m
                if not keepdim:
                    out = out.reshape(tuple(s for i, s in enumerate(a.shape) if i not in axes))
        out = np.asarray(out)
        ctx.args = (axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        from .pointwise import exp

        x, out = ctx.saved_tensors
        axes, keepdim = ctx.args
        o = out if keepdim else reshape(out, _keep_shape(x.data.shape, axes))
        return _to_input(grad, x.data.shape, axes, keepdim) * exp(x - o), None, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """Log of summed exponentials over dims: ``out = log(sum_{i in dim} exp(input[i]))``.

    Computed as ``m + log(sum exp(x - m))`` with ``m`` the (finite) maximum, so large inputs do not
    overflow.

    Args:
        input (Tensor): any tensor (integer input is computed in the default float dtype).
        dim (int or tuple of ints): the dims to reduce.
        keepdim (bool): keep the reduced dims with size 1.

    Returns:
        Tensor: the reduced values; ``-inf`` for an empty group. The gradient is the softmax of the
        group times the incoming gradient.
    """
    return LogSumExp.apply(input, normalize_dims(dim, input.data.ndim), keepdim)


# ----------------------------------------------------------------------------- softmax
def _softmax_dim(dim: Any, ndim: int) -> int:
    """``dim`` wrapped; None picks torch's legacy implicit dim, with its deprecation warning."""
    if dim is None:  # torch's legacy implicit dim
        warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X "
                      "as an argument.", stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return wrap_dim(dim, ndim)


def _softmax_input(x: Tensor, dtype: Any, name: str) -> Tensor:
    """``x`` cast to ``dtype`` if given; torch's error for a non-floating input."""
    if dtype is not None:
        x = x.to(dtype)
    if x.data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{scalar_type_name(x.data.dtype)}'")
    return x


def _shifted(a: np.ndarray, d: int) -> np.ndarray:
    """``a - max(a, d)`` as a new array (0-d handled as shape (1,))."""
    b = a.reshape(1) if a.ndim == 0 else a
    return (b - b.max(axis=d, keepdims=True)).reshape(a.shape) if b.size else b.copy().reshape(a.shape)


class Softmax(Function):
    """``exp(x - max) / sum(exp(x - max))`` along ``d``; the backward is ``y (g - sum(g y))``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int) -> np.ndarray:
        ctx.d = d
        y = _shifted(x.data, d)
        np.exp(y, out=y)
        if y.size:
            y /= y.sum(axis=d if y.ndim else None, keepdims=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (y,) = ctx.saved_tensors
        return y * (grad - sum(grad * y, ctx.d, True)), None


class LogSoftmax(Function):
    """``x - max - log(sum(exp(x - max)))`` along ``d``; the backward is ``g - exp(y) sum(g)``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, d: int) -> np.ndarray:
        ctx.d = d
        y = _shifted(x.data, d)
        if y.size:
            with np.errstate(divide="ignore"):
                y -= np.log(np.exp(y).sum(axis=d if y.ndim else None, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        from .pointwise import exp

        (y,) = ctx.saved_tensors
        return grad - exp(y) * sum(grad, ctx.d, True), None


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """Softmax along a dim: ``out[i] = exp(x[i]) / sum_j exp(x[j])``, computed after subtracting the maximum.

    Args:
        input (Tensor): a floating tensor (or any tensor with a floating ``dtype``).
        dim (int): the dim to normalise along. None picks torch's legacy implicit dim (0 for 0-, 1- and
            3-D input, else 1) with a deprecation warning.
        dtype (dtype, optional): cast ``input`` to this dtype first.

    Returns:
        Tensor: of ``input``'s shape, each slice along ``dim`` positive and summing to 1. The gradient
        is ``out * (grad - sum(grad * out, dim))``.
    """
    x = _softmax_input(input, dtype, "softmax")
    return Softmax.apply(x, _softmax_dim(dim, x.data.ndim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """Log of the softmax along a dim: ``out[i] = x[i] - log(sum_j exp(x[j]))``, computed after subtracting the maximum.

    Takes the same arguments as :func:`softmax`; returns a tensor of ``input``'s shape, more accurate
    than ``log(softmax(x))`` for very negative values. The gradient is ``grad - exp(out) * sum(grad, dim)``.
    """
    x = _softmax_input(input, dtype, "log_softmax")
    return LogSoftmax.apply(x, _softmax_dim(dim, x.data.ndim))
