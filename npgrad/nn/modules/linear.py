"""``Identity``, ``Linear`` and ``Bilinear`` layers (torch's parameter shapes and default init)."""
from __future__ import annotations

import math
from typing import Any

from ...tensor import Tensor
from .. import init
from .._functional.linear import bilinear, linear
from ._params import kaiming_reset_, weight_and_bias
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """Returns its input unchanged; constructor arguments are accepted and ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """Return ``input`` itself."""
        return input


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features).

    Default init (torch's): W ~ kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)),
    and b ~ U(-1/sqrt(in), 1/sqrt(in)).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        weight_and_bias(self, (out_features, in_features), (out_features,), bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw weight and bias from torch's default U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        kaiming_reset_(self.weight, self.bias, zero_bias_without_fan_in=True)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """y = input W^T + b: (*, in_features) -> (*, out_features)."""
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        """``in_features=..., out_features=..., bias=...`` for the module's repr."""
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """y_k = x1^T A_k x2 + b_k with A of shape (out, in1, in2); init U(-1/sqrt(in1), 1/sqrt(in1))."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        weight_and_bias(self, (out_features, in1_features, in2_features), (out_features,), bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw weight and bias from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        """y_k = x1^T A_k x2 + b_k: (*, in1_features), (*, in2_features) -> (*, out_features)."""
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        """``in1_features=..., in2_features=..., out_features=..., bias=...`` for the module's repr."""
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
