"""Activation functions of ``npgrad.nn.functional`` beyond the pointwise ops in ``npgrad.ops.pointwise``.

The pointwise activations themselves (relu, elu, gelu, ..., with their ``inplace=`` flags) live in
``npgrad.ops.pointwise`` and are re-exported by ``nn.functional``; here are their in-place ``*_``
forms and the activations that are not pointwise ops:
softmax / log_softmax / softmin (on top of ``npgrad.ops.reduce``), glu, prelu, rrelu, threshold,
hard/soft shrink, normalize, cosine_similarity and pairwise_distance.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...ops import binary as _B
from ...ops import pointwise as _P
from ...ops import reduce as _R
from ...ops.index import one_hot
from ...ops.linalg import vector_norm
from ...ops.shape import chunk
from ...ops._util import wrap_dim
from ...random import rng
from ...tensor import Tensor

__all__ = [
    "relu_", "elu_", "selu_", "celu_", "leaky_relu_", "hardtanh_", "threshold", "threshold_", "rrelu",
    "rrelu_", "hardshrink", "softshrink", "glu", "prelu", "softmax", "log_softmax", "softmin", "normalize",
    "cosine_similarity", "pairwise_distance", "one_hot",
]


def _run(fn: Any, input: Tensor, inplace: bool, *args: Any) -> Tensor:  # noqa: A002
    """``fn(input, *args)``, or written into ``input`` (autograd-aware) when ``inplace``."""
    return input._inplace(fn, *args) if inplace else fn(input, *args)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place max(x, 0)."""
    return _P.relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place ELU: x if x > 0 else alpha * (exp(x) - 1), written into ``input`` (any shape), which is returned."""
    return _P.elu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place SELU: scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), written into ``input``.

    The constants are fixed (alpha ~ 1.6733, scale ~ 1.0507, Klambauer et al. 2017, "Self-Normalizing
    Neural Networks"); returns ``input``.
    """
    return _P.selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place CELU: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), written into ``input``, which is returned."""
    return _P.celu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """In-place leaky ReLU: x if x >= 0 else negative_slope * x, written into ``input``, which is returned."""
    return _P.leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """In-place hard tanh: clamp(x, min_val, max_val), written into ``input``, which is returned."""
    return _P.hardtanh(input, min_val, max_val, inplace=True)


def _threshold(x: Tensor, threshold: float, value: float) -> Tensor:
    return _B.where(Tensor._make(x.data > threshold), x, Tensor._make(np.asarray(value, dtype=x.data.dtype)))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """x if x > threshold else value."""
    return _run(_threshold, input, inplace, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    """In-place :func:`threshold`: every element not greater than ``threshold`` becomes ``value``; returns ``input``."""
    return _run(_threshold, input, True, threshold, value)


def _rrelu(x: Tensor, lower: float, upper: float, training: bool) -> Tensor:
    if not training:
        return _P.leaky_relu(x, (lower + upper) / 2)
    slopes = rng().uniform(lower, upper, x.data.shape).astype(x.data.dtype)
    scale = np.where(x.data >= 0, np.ones((), x.data.dtype), slopes)
    return x * Tensor._make(scale)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: slope ~ U(lower, upper) per element in training, (lower+upper)/2 in eval."""
    return _run(_rrelu, input, inplace, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:  # noqa: A002
    """In-place :func:`rrelu`: negative x become a * x, a ~ U(lower, upper) per element when ``training``,
    a = (lower + upper) / 2 otherwise; returns ``input``."""
    return _run(_rrelu, input, True, lower, upper, training)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x if |x| > lambd else 0."""
    keep = Tensor._make((input.data > lambd) | (input.data < -lambd))
    return _B.where(keep, input, Tensor._make(np.zeros((), input.data.dtype)))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    a = input.data
    shift = np.where(a > lambd, -lambd, np.where(a < -lambd, lambd, 0)).astype(a.dtype)
    keep = Tensor._make((a > lambd) | (a < -lambd))
    return _B.where(keep, input + Tensor._make(shift), Tensor._make(np.zeros((), a.dtype)))


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """a * sigmoid(b) where (a, b) are the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = chunk(input, 2, d)
    return a * _P.sigmoid(b)


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """max(0, x) + weight * min(0, x), ``weight`` (1 or C values) broadcast along channel dim 1."""
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} and channel "
            f"size = {channels}."
        )
    w = weight.reshape(()) if n == 1 else weight.reshape((n,) + (1,) * (input.ndim - 2))
    return _B.where(Tensor._make(input.data > 0), input, w * input)


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (computed in ``dtype`` when given)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return _R.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """x_i - logsumexp(x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return _R.log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return _R.softmax(-input, dim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:  # noqa: A002
    """x / max(||x||_p, eps) along ``dim``."""
    denom = _P.clamp(vector_norm(input, p, dim, keepdim=True), min=eps).expand_as(input)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` (inputs broadcast)."""
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({x1.shape[dim]}) must match the size of tensor b ({x2.shape[dim]}) at "
            f"non-singleton dimension {wrap_dim(dim, max(x1.ndim, x2.ndim))}"
        ) from None
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = _P.clamp(vector_norm(x1, 2, dim, keepdim=True), min=eps)
    n2 = _P.clamp(vector_norm(x2, 2, dim, keepdim=True), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim."""
    nd = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    return vector_norm(diff, p, -1 if nd else None, keepdim=keepdim)


