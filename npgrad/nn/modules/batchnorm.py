"""Batch and instance normalization layers (torch's parameters, buffers, momentum rules and repr).

Buffers: ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` (int64 0-d).
With ``momentum=None`` the running statistics are the cumulative average over the batches seen
(factor 1/num_batches_tracked); otherwise r = (1 - momentum)*r + momentum*batch_stat.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ... import _dtype
from ...tensor import Tensor
from .._functional.normalization import batch_norm, instance_norm
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "InstanceNorm2d"]


class _NormBase(Module):
    """Shared state of batch and instance norm: optional affine (weight 1, bias 0) and running statistics."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dt = _dtype.get_default_dtype().np if dtype is None else _dtype.to_dtype(dtype).np
        if affine:
            self.weight = Parameter(Tensor._make(np.empty(num_features, dtype=dt)))
            if bias:
                self.bias = Parameter(Tensor._make(np.empty(num_features, dtype=dt)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor._make(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data[...] = 1
            if self.bias is not None:
                self.bias.data[...] = 0

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    _dims: tuple = ()

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {input.ndim}D input)")

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.data += 1
            self.num_batches_tracked._version_ref[0] += 1
            factor = 1.0 / float(self.num_batches_tracked.data) if self.momentum is None else self.momentum
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                          self.weight, self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L): per channel, statistics over the batch (and L)."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W): y = (x - mean)/sqrt(var + eps)*weight + bias per channel."""

    _dims = (4,)


class _InstanceNorm(_NormBase):
    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.ndim not in self._dims:
            raise ValueError(f"expected {self._dims[0]}D or {self._dims[1]}D input (got {input.ndim}D input)")
        no_batch = self._dims[0]
        feature_dim = input.ndim - no_batch
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        batched = input if input.ndim > no_batch else input.reshape((1,) + tuple(input.shape))
        out = instance_norm(batched, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return out if input.ndim > no_batch else out.reshape(tuple(input.shape))


class InstanceNorm1d(_InstanceNorm):
    """Normalizes each (sample, channel) row of (N, C, L) (or (C, L)) over L."""

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Normalizes each (sample, channel) plane of (N, C, H, W) (or (C, H, W)) over H, W."""

    _dims = (3, 4)
