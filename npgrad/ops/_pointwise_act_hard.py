"""Piecewise-linear activations: relu, relu6, leaky_relu, hardtanh, hardsigmoid, hardswish.

Each is a ``_Spec`` run by ``Unary`` (see ``_pointwise_util``). The ``inplace=True`` forms write
the result into ``x`` through ``Tensor._inplace``, as ``torch.nn.functional`` does. Gradients at
the kinks follow torch's kernels (e.g. relu's is 0 at 0, hardtanh's is 0 at both bounds).
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._binary_util import where_array
from ._pointwise_util import _activation_op, _apply, _Spec, _times

_ONE_SIXTH = float(np.float32(1.0) / np.float32(6.0))  # torch's hardsigmoid backward multiplies by 1.0f / 6


def _relu_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g where the output is positive, else 0."""
    return np.multiply(g, y > 0)


def _leaky_fwd(a: np.ndarray, slope: float) -> np.ndarray:
    """a if a > 0 else slope * a."""
    if 0.0 <= slope <= 1.0:  # x if x > 0 else slope x, as one max
        return np.maximum(a, a * slope)
    return where_array(a > 0, a, a * slope)


def _leaky_grad(g: np.ndarray, x: np.ndarray, slope: float) -> np.ndarray:
    """g if x > 0 else slope * g."""
    return where_array(x > 0, g, g * slope)


def _hardtanh_grad(g: np.ndarray, x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """g strictly inside (lo, hi), else 0."""
    return g * ~((x <= lo) | (x >= hi))


def _hardswish_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g (x / 3 + 1/2) on (-3, 3), g from 3 on, 0 below -3 (and at it), like torch's kernel."""
    t = x / 3.0
    t += 0.5
    t *= (x > -3.0) & (x < 3.0)
    t += x >= 3.0
    return _times(t, g)


_RELU = _Spec("Relu", lambda a: np.maximum(a, 0), _relu_grad, out=True, ints=True, bools=False)
_LEAKY = _Spec("LeakyRelu", _leaky_fwd, _leaky_grad)
_HARDTANH = _Spec("Hardtanh", lambda a, lo, hi: np.clip(a, lo, hi), _hardtanh_grad)
_HARDSIGMOID = _Spec("Hardsigmoid", lambda a: np.clip(a + 3.0, 0.0, 6.0) / 6.0,
                     lambda g, x: g * (((x > -3.0) & (x < 3.0)) * np.asarray(_ONE_SIXTH, g.dtype)))
_HARDSWISH = _Spec("Hardswish", lambda a: a * np.clip(a + 3.0, 0.0, 6.0) / 6.0, _hardswish_grad,
                   lambda x: Tensor._make(((x.data > -3.0) & (x.data < 3.0)) * np.asarray(1.0 / 3.0, x.data.dtype)))


relu = _activation_op("relu", _RELU, "max(x, 0)", "1 where out > 0, else 0",
                      "A Tensor of ``x``'s shape and dtype (integer dtypes are kept; bool raises)")


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """out = x if x > 0 else negative_slope * x, element-wise.

    Args:
        x: a Tensor of any shape.
        negative_slope: the slope for x <= 0.
        inplace: write the result into ``x`` and return it.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 for x > 0, negative_slope otherwise.
    """
    if inplace:
        return x._inplace(leaky_relu, negative_slope)
    return _apply(_LEAKY, x, float(negative_slope))


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """out = clamp(x, min_val, max_val), element-wise.

    Args:
        x: a Tensor of any shape.
        min_val, max_val: the bounds (min_val <= max_val, else ValueError).
        inplace: write the result into ``x`` and return it.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 strictly inside (min_val, max_val), else 0.
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return x._inplace(hardtanh, min_val, max_val)
    return _apply(_HARDTANH, x, min_val, max_val)


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    """out = min(max(x, 0), 6), element-wise: ``hardtanh(x, 0, 6)``.

    Args:
        x: a Tensor of any shape.
        inplace: write the result into ``x`` and return it.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 strictly inside (0, 6), else 0.
    """
    return hardtanh(x, 0.0, 6.0, inplace)


hardsigmoid = _activation_op("hardsigmoid", _HARDSIGMOID, "clamp(x / 6 + 1/2, 0, 1), a piecewise-linear sigmoid",
                             "1/6 on (-3, 3), else 0")
hardswish = _activation_op("hardswish", _HARDSWISH, "x * hardsigmoid(x) = x * clamp(x + 3, 0, 6) / 6",
                           "x / 3 + 1/2 on (-3, 3), 1 from 3 on, 0 below")
