"""Dropout family: ``dropout``, ``dropout1d/2d/3d`` (channel-wise), ``alpha_dropout``, ``feature_alpha_dropout``.

In training each element (or each whole channel for the feature variants) is kept with probability
1 - p. Standard dropout scales kept values by 1 / (1 - p), so E[y] = x. Alpha dropout (for SELU
nets) sets dropped values to the SELU saturation -alpha' and applies the affine map a x + b that
keeps mean 0 / variance 1:  a = ((1 - p)(1 + p alpha'^2))^(-1/2),  b = alpha' a p on kept units.
Masks are drawn from the npgrad generator, so ``npgrad.manual_seed`` reproduces them. The op is
y = x * m + c with constant m, c, whose gradient is grad * m.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...autograd.function import Function
from ...random import rng
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_SELU_ALPHA = 1.7580993408473766  # -scale * alpha of SELU: its negative saturation value


class _MaskAffine(Function):
    """y = x * m (+ c) for constant arrays m, c broadcastable to x; dy/dx = m."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, m: np.ndarray, c: np.ndarray | None) -> np.ndarray:
        ctx.m = m
        out = x.data * m
        if c is not None:
            out += c
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _MaskAffine.apply(grad, ctx.m, None), None, None


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """Bernoulli(1 - p) mask of 0/1 in ``dtype`` from the npgrad generator."""
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float32
    return (rng().random(shape, dtype=draw_dtype) >= p).astype(dtype)


def _apply(input: Tensor, m: np.ndarray, c: np.ndarray | None, inplace: bool) -> Tensor:  # noqa: A002
    if inplace:
        return input._inplace(_MaskAffine.apply, m, c)
    return _MaskAffine.apply(input, m, c)


def _dropout_impl(input: Tensor, p: float, training: bool, inplace: bool, lead: int, alpha: bool) -> Tensor:  # noqa: A002
    """Shared dropout: the mask has the input's first ``lead`` dims and size 1 elsewhere (0: elementwise)."""
    _check_p(p)
    if not training or p == 0:
        return input
    x = input.data
    if lead and x.ndim < lead:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = x.shape[:lead] + (1,) * (x.ndim - lead) if lead else x.shape
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    if p == 1:
        return _apply(input, np.zeros((), dt), None, inplace)
    keep = _keep_mask(shape, p, dt)
    if not alpha:
        return _apply(input, keep * dt.type(1.0 / (1.0 - p)), None, inplace)
    a = 1.0 / math.sqrt((_SELU_ALPHA**2 * p + 1) * (1 - p))
    c = ((keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p).astype(dt)
    return _apply(input, keep * dt.type(a), c, inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training only)."""
    return _dropout_impl(input, p, training, inplace, 0, alpha=False)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of (N, C, L) or (C, L) input with probability p."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs)."
        )
    return _dropout_impl(input, p, training, inplace, 2 if input.dim() == 3 else 1, alpha=False)


def _warn_unexpected_rank(input: Tensor, nd: int) -> None:  # noqa: A002
    """torch's deprecation warning of dropout{nd}d for an input that is neither (C, *spatial) nor (N, C, *spatial)."""
    if input.dim() not in (nd + 1, nd + 2):
        warnings.warn(
            f"dropout{nd}d: Received a {input.dim()}-D input to dropout{nd}d, which is deprecated and will result in "
            "an error in a future release. To retain the behavior and silence this warning, please use dropout "
            f"instead. Note that dropout{nd}d exists to provide channel-wise dropout on inputs with {nd} spatial "
            f"dimensions, a channel dimension, and an optional batch dimension (i.e. {nd + 1}D or {nd + 2}D inputs).",
            stacklevel=3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of (N, C, H, W) input with probability p (3-D input: treated as (N, C, L))."""
    _check_p(p)
    _warn_unexpected_rank(input, 2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, 2, alpha=False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_p(p)
    _warn_unexpected_rank(input, 3)
    return _dropout_impl(input, p, training, inplace, 2 if input.dim() == 5 else 1, alpha=False)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:  # noqa: A002
    """Dropout for SELU networks: keeps zero mean / unit variance (see the module docstring)."""
    return _dropout_impl(input, p, training, inplace, 0, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (dims 0, 1 of the input keep their own mask entries)."""
    return _dropout_impl(input, p, training, inplace, 2, alpha=True)
