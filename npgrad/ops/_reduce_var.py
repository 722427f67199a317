"""Variance and standard deviation: ``var``, ``std``, ``var_mean`` and ``std_mean`` (re-exported by
``npgrad.ops.reduce``).

Gradients: var's is ``2 (x - mean) / (N - correction)``; std's is var's times ``1 / (2 std)``, and 0
where std == 0 (torch's rule). Both are written with Tensor ops, so double backward works.
"""
from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._reduce_sums import mean
from ._reduce_util import _count, _to_input
from ._util import normalize_dims


class Var(Function):
    """``sum((x - mean)^2) / max(N - correction, 0)`` over ``axes``; its square root when ``take_sqrt``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, axes: tuple, keepdim: bool, correction: Any, take_sqrt: bool) -> np.ndarray:
        a = x.data
        n = _count(a.shape, axes)
        dof = builtins.max(n - correction, 0)
        if dof <= 0:
            warnings.warn(f"{'std' if take_sqrt else 'var'}(): degrees of freedom is <= 0. Correction should be "
                          "strictly less than the reduction factor (input numel divided by output numel).",
                          stacklevel=4)
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.asarray(a - np.sum(a, axis=axes, keepdims=True) / n)
            dev *= dev
            out = np.asarray(np.sum(dev, axis=axes, keepdims=keepdim) / dof).astype(a.dtype, copy=False)
            if take_sqrt:
                np.sqrt(out, out=out)
        ctx.args = (axes, keepdim, dof, take_sqrt)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        from .binary import where

        x, out = ctx.saved_tensors
        axes, keepdim, dof, take_sqrt = ctx.args
        if take_sqrt:  # d std = d var / (2 std), defined as 0 where std == 0 (torch)
            zero = Tensor._make(np.zeros((), grad.data.dtype))
            grad = where(Tensor._make(out.data == 0), zero, grad / (out * 2))
        g = _to_input(grad, x.data.shape, axes, keepdim)
        scale = 2.0 / dof if dof > 0 else float("inf")
        return g * (x - mean(x, axes, True)) * scale, None, None, None, None


def _var_args(dim: Any, unbiased: Any, correction: Any, name: str) -> tuple:
    """Resolve var/std's argument forms (legacy positional ``unbiased``): ``(dim, correction)``."""
    if isinstance(dim, bool):  # var(x, True): the legacy positional ``unbiased``
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _var(x: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, take_sqrt: bool) -> Tensor:
    """var/std's worker: resolve the arguments, check the dtype, apply ``Var``."""
    name = "std" if take_sqrt else "var"
    dim, correction = _var_args(dim, unbiased, correction, name)
    if x.data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return Var.apply(x, normalize_dims(dim, x.data.ndim), keepdim, correction, take_sqrt)


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
        correction: Any = None) -> Tensor:
    """Variance over dims: ``out = sum_{i in dim} (x_i - mean(x))^2 / max(N - c, 0)``.

    ``N`` is the number of reduced elements; ``N - c <= 0`` warns and gives inf or NaN.

    Args:
        input (Tensor): a floating tensor.
        dim (int or tuple of ints, optional): the dims to reduce; None reduces all of them. A bool here
            is read as the legacy positional ``unbiased``.
        unbiased (bool, optional): False for ``correction=0``, True for 1 (not together with ``correction``).
        keepdim (bool): keep the reduced dims with size 1.
        correction (int, optional): the ``c`` above; 1 by default (Bessel's correction).

    Returns:
        Tensor: the variances, ``input``'s dtype. The gradient is ``grad * 2 (x - mean) / (N - c)``.
    """
    return _var(input, dim, unbiased, keepdim, correction, False)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,  # noqa: A002
        correction: Any = None) -> Tensor:
    """Standard deviation over dims: ``out = sqrt(var(input, dim, unbiased, keepdim, correction=c))``.

    Takes the same arguments as :func:`var` and returns a tensor of the same shape and dtype. The
    gradient is the variance's divided by ``2 std``, and 0 where ``std == 0`` (torch's rule).
    """
    return _var(input, dim, unbiased, keepdim, correction, True)


def _with_mean(x: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, take_sqrt: bool) -> tuple:
    """``(var, mean)`` or, with ``take_sqrt``, ``(std, mean)`` over the same dims."""
    spread = _var(x, dim, unbiased, keepdim, correction, take_sqrt)
    return spread, mean(x, _var_args(dim, None, None, "var")[0], keepdim)


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """Variance and mean over the same dims: ``(var(input, dim, ...), mean(input, dim))``.

    Takes the same arguments as :func:`var`; returns the pair ``(var, mean)``, both differentiable.
    """
    return _with_mean(input, dim, unbiased, keepdim, correction, False)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """Standard deviation and mean over the same dims: ``(std(input, dim, ...), mean(input, dim))``.

    Takes the same arguments as :func:`var`; returns the pair ``(std, mean)`` (see :func:`std`), both
    differentiable.
    """
    return _with_mean(input, dim, unbiased, keepdim, correction, True)
