"""Gradient clipping (``clip_grad_norm_``, ``clip_grad_value_``) and parameter <-> vector conversion.

clip_grad_norm_: total = ||(||g_1||_p, ..., ||g_k||_p)||_p over all grads (max |g| for p = inf);
every grad is multiplied in place by min(1, max_norm / (total + 1e-6)).
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ...tensor import Tensor

__all__ = [
    "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
    "parameters_to_vector", "vector_to_parameters",
]


def _tensors(tensors: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The p-norm of the per-tensor p-norms of ``tensors`` (a 0-d tensor)."""
    ts = _tensors(tensors)
    norm_type = float(norm_type)
    if not ts:
        return Tensor._make(np.asarray(0.0, np.float32))
    dt = np.result_type(*[t.data.dtype for t in ts])
    if norm_type == np.inf:
        per = np.array([np.abs(t.data).max() if t.data.size else 0.0 for t in ts], dtype=dt)
        total = per.max()
    else:
        per = np.array([np.linalg.norm(t.data.reshape(-1), ord=norm_type) if t.data.size else 0.0 for t in ts],
                       dtype=dt)
        total = np.linalg.norm(per, ord=norm_type)
    total = np.asarray(total, dtype=dt)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale every grad in place by min(1, max_norm / (total_norm + 1e-6))."""
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    for g in _grads(parameters):
        np.multiply(g.data, coef, out=g.data, casting="unsafe")
        g._bump_version()


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale grads in place so their total ``norm_type``-norm is at most ``max_norm``; returns the norm."""
    params = _tensors(parameters)
    grads = _grads(params)
    if not grads:
        return Tensor._make(np.asarray(0.0, np.float32))
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    import warnings

    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every grad in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g.data, -clip_value, clip_value, out=g.data)
        g._bump_version()


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    from ...ops.shape import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Any]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (their data becomes views of ``vec``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec.data[pointer:pointer + n].reshape(param.data.shape)
        pointer += n
