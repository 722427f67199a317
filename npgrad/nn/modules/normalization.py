"""LayerNorm, GroupNorm and LocalResponseNorm (torch's parameters, init and repr)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from .._functional.normalization import group_norm, layer_norm, local_response_norm
from ._params import affine_params, reset_affine
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "LocalResponseNorm"]


class LayerNorm(Module):
    """Normalizes over the trailing ``normalized_shape`` dims; elementwise weight (1) and bias (0)."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        affine_params(self, self.normalized_shape, dtype, elementwise_affine, bias)

    def reset_parameters(self) -> None:
        """Weight back to ones and bias to zeros (when ``elementwise_affine``)."""
        if self.elementwise_affine:
            reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """(x - mean) / sqrt(var + eps) * weight + bias, statistics over the trailing ``normalized_shape`` dims."""
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """``normalized_shape, eps=..., elementwise_affine=..., bias=...`` for the module's repr."""
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalizes (N, C, *) over groups of C/num_groups channels; per-channel weight (1) and bias (0)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        affine_params(self, (num_channels,), dtype, affine, bias)

    def reset_parameters(self) -> None:
        """Weight back to ones and bias to zeros (when ``affine``)."""
        if self.affine:
            reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """Normalize each sample's channel groups by their mean and variance, then apply weight and bias."""
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """``num_groups, num_channels, eps=..., affine=..., bias=...`` for the module's repr."""
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"


class LocalResponseNorm(Module):
    """x / (k + alpha/size * sum of x^2 over ``size`` neighbouring channels)^beta."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """Divide each channel by the local response of its ``size`` neighbouring channels (see the class)."""
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        """``size, alpha=..., beta=..., k=...`` for the module's repr."""
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
