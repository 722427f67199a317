"""nn.functional normalization: batch_norm, instance_norm, layer_norm, group_norm, local_response_norm.

Batch statistics (and their closed-form backward) come from ``npgrad/ops/norm.py``: batch norm
normalizes per channel over (N, *spatial); layer, group and instance norm are one kernel that
normalizes per (sample, group). Running statistics are updated in place, like torch, with the
unbiased batch variance: r = (1 - momentum)*r + momentum*stat.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ...ops import norm as K
from ...ops.shape import pad, reshape
from ...tensor import Tensor
from .pooling import avg_pool2d

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "local_response_norm"]


def _check_features(name: str, t: Tensor | None, c: int) -> None:
    if t is not None and t.data.size != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.data.size}")


def _update(buf: Tensor, stat: np.ndarray, momentum: float) -> None:
    """buf = (1 - momentum)*buf + momentum*stat, in place (the buffer's version advances)."""
    data = buf.data
    data *= 1 - momentum
    data += momentum * stat.astype(data.dtype, copy=False)
    buf._version_ref[0] += 1


def _affine_eval(x3: Tensor, mean: np.ndarray, var: np.ndarray, weight: Tensor | None, bias: Tensor | None,
                 eps: float) -> Tensor:
    """x*a + (b - mean*a) with a = w/sqrt(var + eps): batch norm with fixed statistics, as Tensor ops."""
    dt = x3.data.dtype
    invstd = Tensor._make((1 / np.sqrt(var.astype(dt) + dt.type(eps))).reshape(1, -1, 1))
    scale = invstd if weight is None else invstd * reshape(weight, (1, -1, 1))
    shift = -Tensor._make(mean.astype(dt).reshape(1, -1, 1)) * scale
    if bias is not None:
        shift = shift + reshape(bias, (1, -1, 1))
    return x3 * scale + shift


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize (N, C, *) per channel: with batch statistics when ``training`` (updating the running
    ones in place, variance unbiased), else with ``running_mean``/``running_var``."""
    shape = input.data.shape
    if input.data.ndim < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.data.ndim}D input)")
    if training and shape[0] * int(np.prod(shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    c = shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
        _check_features(name, t, c)
    _check_features("weight", weight, c)
    _check_features("bias", bias, c)
    if input.data.size == 0:  # like torch: an empty batch leaves the running statistics alone
        return input.clone()
    x3 = reshape(input, (shape[0], c, int(np.prod(shape[2:]))))
    if not training:
        y = _affine_eval(x3, running_mean.data, running_var.data, weight, bias, eps)
        return reshape(y, shape)
    y, mean, var = K.BatchNormFn.apply(x3, weight, bias, eps)
    if running_mean is not None or running_var is not None:
        m = shape[0] * x3.data.shape[2]
        if running_mean is not None:
            _update(running_mean, mean.data, momentum)
        if running_var is not None:
            _update(running_var, var.data * (m / (m - 1)), momentum)
    return reshape(y, shape)


def _group_normalize(x4: Tensor, weight: Tensor | None, bias: Tensor | None, eps: float, wshape: tuple) -> tuple:
    w = None if weight is None else reshape(weight, wshape)
    b = None if bias is None else reshape(bias, wshape)
    return K.GroupNormFn.apply(x4, w, b, eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,  # noqa: A002
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize every (sample, channel) plane of (N, C, *) over its spatial values; running statistics
    (if given) take the batch average of the per-sample statistics."""
    shape = input.data.shape
    n, c = shape[:2]
    length = int(np.prod(shape[2:]))
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if length == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    _check_features("weight", weight, c)
    _check_features("bias", bias, c)
    y, mean, var = _group_normalize(reshape(input, (n, c, 1, length)), weight, bias, eps, (c, 1))
    if running_mean is not None:
        _update(running_mean, mean.data.mean(0), momentum)
    if running_var is not None:
        _update(running_var, (var.data * (length / (length - 1))).mean(0), momentum)
    return reshape(y, shape)


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` dims: (x - mean)/sqrt(var + eps)*w + b."""
    ns = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    shape = input.data.shape
    if len(ns) == 0 or len(ns) > len(shape) or tuple(shape[len(shape) - len(ns):]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape [*, {', '.join(map(str, ns))}], but got "
            f"input of size{list(shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(ns)}")
    d = int(np.prod(ns))
    rows = int(np.prod(shape[:len(shape) - len(ns)]))
    y, _, _ = _group_normalize(reshape(input, (rows, 1, d, 1)), weight, bias, eps, (1, d))
    return reshape(y, shape)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,  # noqa: A002
               eps: float = 1e-5) -> Tensor:
    """Normalize (N, C, *) over each group of C/num_groups channels (and all spatial values); affine per channel."""
    shape = input.data.shape
    if input.data.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.data.ndim}")
    n, c = shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.data.ndim != 1 or t.data.size != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(shape)}")
    g = int(num_groups)
    x4 = reshape(input, (n, g, c // g, int(np.prod(shape[2:]))))
    y, _, _ = _group_normalize(x4, weight, bias, eps, (g, c // g))
    return reshape(y, shape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,  # noqa: A002
                        k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta (zero-padded across channels)."""
    dim = input.data.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.data.size == 0:
        return input
    shape = input.data.shape
    sq = reshape(input * input, (shape[0], 1, shape[1], int(np.prod(shape[2:]))))
    sq = pad(sq, (0, 0, size // 2, (size - 1) // 2))
    div = reshape(avg_pool2d(sq, (size, 1), stride=1), shape)
    return input / (div * alpha + k) ** beta
