"""Creating and initialising the parameters of the built-in layers (torch's defaults).

``empty_param`` / ``full_param`` make a Parameter in the requested or default float dtype;
``weight_and_bias`` registers a layer's ``weight`` and optional ``bias``; ``kaiming_reset_``
is the default init of Linear and the conv layers; ``affine_params`` / ``reset_affine`` are the
elementwise weight (1) and bias (0) of the normalization layers.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import _dtype
from ...tensor import Tensor
from .. import init
from ..parameter import Parameter

__all__ = ["empty_param", "full_param", "weight_and_bias", "kaiming_reset_", "affine_params", "reset_affine"]


def _np_dtype(dtype: Any) -> np.dtype:
    """The NumPy dtype of ``dtype``, or of the default float dtype when ``dtype`` is None."""
    return _dtype.get_default_dtype().np if dtype is None else _dtype.to_dtype(dtype).np


def empty_param(shape: tuple, dtype: Any) -> Parameter:
    """An uninitialised Parameter of ``shape`` (default float dtype when ``dtype`` is None)."""
    return Parameter(Tensor._make(np.empty(shape, dtype=_np_dtype(dtype))))


def full_param(shape: tuple, dtype: Any, value: float) -> Parameter:
    """A Parameter of ``shape`` filled with ``value`` (default float dtype when ``dtype`` is None)."""
    return Parameter(Tensor._make(np.full(shape, value, dtype=_np_dtype(dtype))))


def weight_and_bias(module: Any, weight_shape: tuple, bias_shape: tuple, bias: bool, dtype: Any) -> None:
    """Register uninitialised ``module.weight`` and, if ``bias``, ``module.bias`` (else ``bias`` is None)."""
    module.weight = empty_param(weight_shape, dtype)
    if bias:
        module.bias = empty_param(bias_shape, dtype)
    else:
        module.register_parameter("bias", None)


def kaiming_reset_(weight: Parameter, bias: Parameter | None, zero_bias_without_fan_in: bool) -> None:
    """torch's default init of Linear and conv layers: weight ~ kaiming_uniform(a=sqrt(5)), i.e.
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    When fan_in is 0 the bias is zeroed if ``zero_bias_without_fan_in`` (Linear), else left as
    it is (the conv layers), as in torch.
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is None:
        return
    fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
    if fan_in > 0:
        bound = 1 / math.sqrt(fan_in)
        init.uniform_(bias, -bound, bound)
    elif zero_bias_without_fan_in:
        init.uniform_(bias, 0, 0)


def affine_params(module: Any, shape: tuple, dtype: Any, affine: bool, bias: bool) -> None:
    """Register ``module.weight`` (ones) and ``module.bias`` (zeros, only if ``bias``) when ``affine``,
    else both as None."""
    if affine:
        module.weight = full_param(shape, dtype, 1.0)
        if bias:
            module.bias = full_param(shape, dtype, 0.0)
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def reset_affine(module: Any) -> None:
    """Refill ``module.weight`` with ones and ``module.bias`` (if any) with zeros, in place."""
    module.weight.data[...] = 1
    if module.bias is not None:
        module.bias.data[...] = 0
