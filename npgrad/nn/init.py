"""``nn.init``: in-place parameter initialisers with torch's distributions and errors.

Every function fills ``tensor`` in place without recording gradients (even for a leaf that
requires grad, as torch does under its internal ``no_grad``), draws from the npgrad generator
(``npgrad.manual_seed`` reproduces; an explicit ``generator=`` may be passed) and returns it.

Fan-based rules, for a weight of shape (out, in, *kernel) with receptive field r = prod(kernel):
fan_in = in * r, fan_out = out * r.
    xavier_uniform_:  U(-a, a),      a = gain * sqrt(6 / (fan_in + fan_out))
    xavier_normal_:   N(0, std^2),   std = gain * sqrt(2 / (fan_in + fan_out))
    kaiming_uniform_: U(-b, b),      b = gain * sqrt(3 / fan)
    kaiming_normal_:  N(0, std^2),   std = gain / sqrt(fan)
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..random import Generator, rng
from ..tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
    "uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
]


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Fill ``tensor`` in place (no autograd recording) and bump its version counter."""
    tensor.data[...] = values
    tensor._bump_version()
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a nonlinearity (linear/conv/sigmoid 1, tanh 5/3, relu sqrt 2, selu 3/4, ...)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    shape = tensor.shape
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with U(a, b)."""
    return _write(tensor, rng(generator).uniform(a, b, tensor.data.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2)."""
    return _write(tensor, rng(generator).normal(mean, std, tensor.data.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2) truncated to [a, b] (vectorised rejection sampling)."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    g = rng(generator)
    n = tensor.data.size
    out = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        draw = g.normal(mean, std, todo.size)
        ok = (draw >= a) & (draw <= b)
        out[todo[ok]] = draw[ok]
        todo = todo[~ok]
    return _write(tensor, out.reshape(tensor.data.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` (any shape) with the value ``val``, in place; returns it."""
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` (any shape) with 1, in place; returns it."""
    return _write(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` (any shape) with 0, in place; returns it."""
    return _write(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the main diagonal)."""
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor.data.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a {3,4,5}-D conv weight with the Dirac delta (identity convolution per group)."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    vals = np.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    d = np.arange(min_dim)
    for g in range(groups):
        vals[(g * out_per_group + d, d) + centre] = 1
    return _write(tensor, vals)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot/Xavier uniform fill: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    ``tensor`` needs at least 2 dims, (out, in, *kernel): fan_in = in * prod(kernel),
    fan_out = out * prod(kernel). The variance gain^2 * 2 / (fan_in + fan_out) keeps activation and
    gradient scales roughly constant across layers (Glorot & Bengio, 2010, "Understanding the difficulty
    of training deep feedforward neural networks"). Fills in place and returns ``tensor``.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot/Xavier normal fill: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    ``tensor`` needs at least 2 dims, (out, in, *kernel): fan_in = in * prod(kernel),
    fan_out = out * prod(kernel) (Glorot & Bengio, 2010). Fills in place and returns ``tensor``.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """He/Kaiming uniform fill: U(-b, b) with b = gain * sqrt(3 / fan).

    ``fan`` is fan_in (default; preserves the forward variance) or fan_out (``mode="fan_out"``; preserves
    the backward variance) of a weight shaped (out, in, *kernel), and gain =
    ``calculate_gain(nonlinearity, a)``: sqrt(2 / (1 + a^2)) for the default leaky_relu with negative
    slope ``a`` (sqrt 2 for relu). He et al., 2015, "Delving Deep into Rectifiers". A zero-element tensor
    is left unchanged (with a warning). Fills in place and returns ``tensor``.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """He/Kaiming normal fill: N(0, std^2) with std = gain / sqrt(fan).

    ``fan``, ``mode``, ``a`` and the gain are as in :func:`kaiming_uniform_` (default: leaky_relu with
    a = 0, i.e. gain sqrt 2 as for relu, and fan = fan_in). He et al., 2015. A zero-element tensor is left
    unchanged (with a warning). Fills in place and returns ``tensor``.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix: QR of a Gaussian matrix, signs fixed by diag(R)."""
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (gain * q).reshape(tensor.data.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None) -> Tensor:
    """Fill a 2-D tensor with N(0, std^2) and zero ceil(sparsity * rows) random rows in every column."""
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    g = rng(generator)
    vals = g.normal(0.0, std, (rows, cols))
    zero_rows = np.argsort(g.random((rows, cols)), axis=0)[:num_zeros]
    vals[zero_rows, np.arange(cols)] = 0
    return _write(tensor, vals)


def _deprecated(new: Any) -> Any:
    def fn(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"nn.init.{new.__name__[:-1]} is now deprecated in favor of nn.init.{new.__name__}.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = new.__name__[:-1]
    fn.__wrapped__ = new  # type: ignore[attr-defined]  # inspect.signature shows new's arguments
    fn.__doc__ = (f"Deprecated alias of :func:`{new.__name__}` (warns FutureWarning); same arguments, fills in "
                  "place and returns the tensor.")
    return fn


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
