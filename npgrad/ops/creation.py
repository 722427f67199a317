"""Tensor factories: from data, filled, ranges, and random (drawn from the npgrad generator)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..random import rng
from ..tensor import Tensor, _as_array, _check_device, _shape_args


def _finish(arr: np.ndarray, requires_grad: bool = False, device: Any = None) -> Tensor:
    if device is not None:
        _check_device(device)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype: Any) -> np.dtype:
    return (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Copy ``data`` (nested lists, numbers, arrays, tensors) into a new leaf tensor.

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy arrays keep theirs.
    """
    arr = _as_array(data, dtype)
    if isinstance(data, (np.ndarray, Tensor)) or not arr.flags.writeable:
        arr = np.array(arr, copy=True)
    return _finish(arr, requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array (or returns the tensor itself) when possible."""
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_dtype(dtype) == data.dtype):
        return data
    return _finish(_as_array(data, dtype), False, device)


asarray = as_tensor


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr`` (writes through either are seen by both)."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    _dtype.from_numpy_dtype(arr.dtype)
    return Tensor._make(arr)


def _filled(fill: Any, size: tuple, dtype: Any, requires_grad: bool, device: Any, infer: Any = None) -> Tensor:
    shape = _shape_args(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    if dtype is None:
        dt = _dtype.result_type(infer) if infer is not None else _float_dtype(None)
    else:
        dt = _dtype.to_dtype(dtype).np
    arr = np.empty(shape, dt) if fill is None else np.full(shape, fill, dt)
    return _finish(arr, requires_grad, device)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(0, size, dtype, requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(1, size, dtype, requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _filled(None, size, dtype, requires_grad, device)


def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    fill = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _filled(fill, (tuple(size),), dtype, requires_grad, device, infer=fill)


def _like(x: Tensor, dtype: Any) -> np.dtype:
    return x.data.dtype if dtype is None else _dtype.to_dtype(dtype).np


def zeros_like(x: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(x.data.shape, _like(x, dtype)), requires_grad, device)


def ones_like(x: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(x.data.shape, _like(x, dtype)), requires_grad, device)


def empty_like(x: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(x.data.shape, _like(x, dtype)), requires_grad, device)


def full_like(x: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.full(x.data.shape, fill_value, _like(x, dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (incl.) to ``end`` (excl.) by ``step``; int64 unless any bound is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dt = _dtype.result_type(start, end, step)
    else:
        dt = _dtype.to_dtype(dtype).np
    n = int(np.ceil((end - start) / step))
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt) if dt.kind == "f" else np.arange(start, end, step, dtype=dt)
    return _finish(arr, requires_grad, device)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad, device)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None) -> Tensor:
    return _finish((base ** np.linspace(start, end, steps)).astype(_float_dtype(dtype)))


# ----------------------------------------------------------------------------- random
def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return _finish(rng(generator).random(_shape_args(size)).astype(_float_dtype(dtype)), requires_grad, device)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return _finish(rng(generator).standard_normal(_shape_args(size)).astype(_float_dtype(dtype)), requires_grad, device)


def randint(low: int, high: Any = None, size: Any = None, *, generator: Any = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` starts at 0."""
    if size is None:
        low, high, size = 0, low, high
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = np.int64 if dtype is None else _dtype.to_dtype(dtype).np
    return _finish(rng(generator).integers(low, high, tuple(size)).astype(dt), requires_grad, device)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    dt = np.int64 if dtype is None else _dtype.to_dtype(dtype).np
    return _finish(rng(generator).permutation(n).astype(dt), requires_grad, device)


def rand_like(x: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(rng().random(x.data.shape).astype(_like(x, dtype)), requires_grad)


def randn_like(x: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(rng().standard_normal(x.data.shape).astype(_like(x, dtype)), requires_grad)


def randint_like(x: Tensor, low: int, high: Any = None, *, dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return _finish(rng().integers(low, high, x.data.shape).astype(_like(x, dtype)))


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None) -> Tensor:
    """Normal samples: tensor mean/std (element-wise, broadcast) or float mean/std with ``size``."""
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    if size is None:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = next((t.data.dtype for t in (mean, std) if isinstance(t, Tensor)), _float_dtype(dtype))
    else:
        shape, dt = tuple(size), _float_dtype(dtype)
    if isinstance(s, np.ndarray) and np.any(s < 0) or (not isinstance(s, np.ndarray) and s < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s}")
    return _finish(rng(generator).normal(m, s, shape).astype(dt))


def bernoulli(p: Tensor, *, generator: Any = None) -> Tensor:
    return _finish((rng(generator).random(p.data.shape) < p.data).astype(p.data.dtype))


def multinomial(probs: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
    """Sample category indices per row of ``probs`` (rows need not be normalised)."""
    p = np.atleast_2d(probs.data.astype(np.float64))
    if np.any(p < 0) or np.any(~np.isfinite(p)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    g = rng(generator)
    rows = []
    for row in p:
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > np.count_nonzero(row):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        rows.append(g.choice(len(row), num_samples, replace=replacement, p=row / total))
    out = np.asarray(rows, dtype=np.int64)
    return _finish(out if probs.data.ndim == 2 else out[0])
