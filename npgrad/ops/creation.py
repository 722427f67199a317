"""Tensor factories: from data, filled, ranges, and random (drawn from the npgrad generator).

dtype inference follows torch: Python floats give the default dtype (float32), ints int64, bools
bool; NumPy arrays keep theirs. Ranges (``arange``, ``linspace``) compute their values the way
torch's CPU kernels do, so they match torch element for element.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..random import rng
from ..tensor import Tensor, _as_array, _check_device, _shape_args


def _finish(arr: np.ndarray, requires_grad: bool = False, device: Any = None) -> Tensor:
    _check_device(device)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype: Any) -> np.dtype:
    d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    return d.np


def _size(size: tuple, name: str) -> tuple:
    shape = _shape_args(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{name}: Dimension size must be non-negative.")
    return shape


def _scalar(x: Any) -> Any:
    return x.item() if isinstance(x, Tensor) else x


# ----------------------------------------------------------------------------- from data
def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """Copy ``data`` (nested lists, numbers, arrays, tensors) into a new leaf tensor.

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy arrays keep theirs.
    """
    arr = _as_array(data, dtype)
    if arr is data or isinstance(data, Tensor) and arr is data.data or not arr.flags.writeable:
        arr = arr.copy()
    return _finish(arr, requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array (or returns the tensor itself) when possible."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return _finish(_as_array(data, dtype), False, device)


asarray = as_tensor


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr`` (writes through either are seen by both)."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    _dtype.from_numpy_dtype(arr.dtype)
    return Tensor._make(arr)


# ----------------------------------------------------------------------------- filled
def _filled(fill: Any, size: tuple, dtype: Any, requires_grad: bool, device: Any, name: str) -> Tensor:
    shape = _size(size, name)
    dt = _float_dtype(None) if dtype is None else _dtype.to_dtype(dtype).np
    arr = np.empty(shape, dt) if fill is None else (np.zeros(shape, dt) if fill == 0 else np.full(shape, fill, dt))
    return _finish(arr, requires_grad, device)


def zeros(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with 0 (default float dtype unless ``dtype`` is given).

    ``size`` is given as separate ints or one sequence: ``zeros(2, 3)`` == ``zeros((2, 3))``.
    """
    return _filled(0, size, dtype, requires_grad, device, "zeros")


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with 1 (default float dtype unless ``dtype`` is given)."""
    return _filled(1, size, dtype, requires_grad, device, "ones")


def empty(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """An uninitialised tensor of shape ``size``: its values are whatever the memory held.

    Use it only when every element is written before being read. Default float dtype unless
    ``dtype`` is given.
    """
    return _filled(None, size, dtype, requires_grad, device, "empty")


def full(size: Sequence[int], fill_value: Any, *, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype is inferred from the value."""
    fill = _scalar(fill_value)
    if dtype is None:
        dtype = _dtype._FROM_NP[_dtype.result_type(fill)]
    shape = _size((size,), "full")
    return _finish(np.full(shape, fill, _dtype.to_dtype(dtype).np), requires_grad, device)


def _like(x: Tensor, dtype: Any) -> np.dtype:
    return x.data.dtype if dtype is None else _dtype.to_dtype(dtype).np


def zeros_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """Zeros with ``input``'s shape and dtype (or ``dtype``); a new leaf, not linked to ``input``."""
    return _finish(np.zeros(input.data.shape, _like(input, dtype)), requires_grad, device)


def ones_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """Ones with ``input``'s shape and dtype (or ``dtype``); a new leaf, not linked to ``input``."""
    return _finish(np.ones(input.data.shape, _like(input, dtype)), requires_grad, device)


def empty_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """An uninitialised tensor with ``input``'s shape and dtype (or ``dtype``)."""
    return _finish(np.empty(input.data.shape, _like(input, dtype)), requires_grad, device)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, layout: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape and dtype (or ``dtype``; the value is cast to it)."""
    return _finish(np.full(input.data.shape, _scalar(fill_value), _like(input, dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: Any = None, layout: Any = None,
        device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (ones on the main diagonal)."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


# ----------------------------------------------------------------------------- ranges
def arange(start: Any, end: Any = None, step: Any = 1, *, out: Any = None, dtype: Any = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to ``end`` (excluded): ceil((end - start) / step) values.

    int64 unless an argument is a float (then the default dtype). Values are ``start + i * step``
    computed in float64 and rounded once, as in torch.
    """
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (np.isfinite(start) and np.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dt = _dtype.result_type(start, end, step) if dtype is None else _dtype.to_dtype(dtype).np
    if dt.kind != "f":  # torch's integer kernel works on the truncated bounds and step
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise RuntimeError("step must be nonzero")
        arr = np.arange(start, end, step, dtype=np.int64).astype(dt)
    else:  # start + i * step with one rounding (the kernel's fused multiply-add in double)
        n = int(np.ceil((end - start) / step))
        wide = np.longdouble(start) + np.longdouble(step) * np.arange(n).astype(np.longdouble)
        arr = wide.astype(np.float64).astype(dt)
    return _finish(arr, requires_grad, device)


def _linspace_values(start: float, end: float, steps: int, dt: np.dtype) -> np.ndarray:
    """torch's CPU linspace: start + i*step for the first half, end - (steps-1-i)*step for the rest,
    each with a single rounding (the kernel's fused multiply-add)."""
    if steps == 1:
        return np.full(1, start, dt)
    work = dt if dt.kind == "f" else np.dtype(np.float64)
    s, e = work.type(start), work.type(end)
    step = (np.float64(e) - np.float64(s)) / (steps - 1) if dt.kind != "f" else (e - s) / work.type(steps - 1)
    wide = np.float64 if work.itemsize < 8 else np.longdouble
    i = np.arange(steps)
    lo = wide(s) + wide(step) * i.astype(wide)
    hi = wide(e) - wide(step) * (steps - 1 - i).astype(wide)
    vals = np.where(i < steps // 2, lo, hi)
    return vals.astype(work).astype(dt) if dt.kind == "f" else np.trunc(vals.astype(np.float64)).astype(dt)


def linspace(start: Any, end: Any, steps: int, *, out: Any = None, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _scalar(start), _scalar(end)
    return _finish(_linspace_values(start, end, int(steps), _float_dtype(dtype)), requires_grad, device)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    expo = _linspace_values(float(_scalar(start)), float(_scalar(end)), int(steps), np.dtype(np.float64))
    return _finish((base ** expo).astype(_float_dtype(dtype)), requires_grad, device)


# ----------------------------------------------------------------------------- random
def _random(sample: Any, size: tuple, dtype: Any, requires_grad: bool, device: Any, name: str) -> Tensor:
    shape = _size(size, name)
    dt = _float_dtype(dtype)
    work = dt if dt in (np.float32, np.float64) else np.dtype(np.float32)
    return _finish(sample(shape, work).astype(dt, copy=False), requires_grad, device)


def rand(*size: Any, generator: Any = None, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return _random(lambda s, dt: rng(generator).random(s, dtype=dt), size, dtype, requires_grad, device, "rand")


def randn(*size: Any, generator: Any = None, out: Any = None, dtype: Any = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return _random(lambda s, dt: rng(generator).standard_normal(s, dtype=dt), size, dtype, requires_grad, device,
                   "randn")


def randint(low: int, high: Any = None, size: Any = None, *, generator: Any = None, out: Any = None,
            dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` starts at 0."""
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument: 'size'")
        low, high, size = 0, low, high
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = np.dtype(np.int64) if dtype is None else _dtype.to_dtype(dtype).np
    shape = _size((size,), "randint")
    return _finish(rng(generator).integers(int(low), int(high), shape).astype(dt), requires_grad, device)


def randperm(n: int, *, generator: Any = None, out: Any = None, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = np.dtype(np.int64) if dtype is None else _dtype.to_dtype(dtype).np
    return _finish(rng(generator).permutation(int(n)).astype(dt), requires_grad, device)


def rand_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """Uniform samples on [0, 1) with ``input``'s shape and dtype (or ``dtype``)."""
    return rand(input.data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad, device=device)


def randn_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """Standard normal samples with ``input``'s shape and dtype (or ``dtype``)."""
    return randn(input.data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad, device=device)


def randint_like(input: Tensor, low: int = 0, high: Any = None, *, dtype: Any = None,  # noqa: A002
                 layout: Any = None, device: Any = None, requires_grad: bool = False,
                 memory_format: Any = None) -> Tensor:
    """Integers uniform in [low, high) with ``input``'s shape and dtype (or ``dtype``).

    ``randint_like(x, high)`` starts at 0, like ``randint(high, size)``.
    """
    if high is None:
        low, high = 0, low
    return randint(low, high, input.data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                   device=device)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None, out: Any = None,
           dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples: ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
    ``normal(mean=0.0, std_tensor)`` (element-wise, broadcast) or ``normal(mean, std, size)``."""
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if tensors:
        if size is not None:
            raise RuntimeError("normal(): size is only allowed when mean and std are numbers")
        for t in tensors:
            if t.data.dtype.kind != "f":
                raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{_dtype.scalar_name(t.data.dtype)}'")
        shape = np.broadcast_shapes(*(np.shape(x) for x in (m, s)))
        dt = np.result_type(*(t.data.dtype for t in tensors))
    else:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: size is required when mean and "
                            "std are numbers")
        shape, dt = _size((size,), "normal"), _float_dtype(dtype)
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects all elements of std >= 0.0")
    z = rng(generator).standard_normal(shape, dtype=dt if dt in (np.float32, np.float64) else np.float32)
    return _finish((z * s + m).astype(dt, copy=False), requires_grad, device)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None, out: Any = None) -> Tensor:  # noqa: A002
    """1 with probability ``input`` (element-wise; or the scalar ``p``), else 0; same dtype as input."""
    prob = input.data if p is None else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _finish((rng(generator).random(input.data.shape) < prob).astype(input.data.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None,  # noqa: A002
                out: Any = None) -> Tensor:
    """Sample category indices per row of ``input`` (non-negative weights, rows need not sum to 1).

    With replacement: inverse-CDF sampling; without: the Gumbel-top-k trick (equivalent to drawing
    one by one, each time proportionally to the remaining weights). Vectorised over rows.
    """
    p = input.data.astype(np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    p2 = np.atleast_2d(p)
    if np.any(p2 < 0) or np.any(~np.isfinite(p2)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = p2.sum(axis=1)
    if np.any(totals <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    g = rng(generator)
    if replacement:
        rows, cats = p2.shape
        offset = np.arange(rows)[:, None]
        cdf = np.cumsum(p2 / totals[:, None], axis=1) + 2.0 * offset  # rows stacked on one increasing axis
        u = g.random((rows, num_samples)) + 2.0 * offset
        idx = np.searchsorted(cdf.ravel(), u.ravel(), side="right").reshape(rows, num_samples) - offset * cats
        idx = np.minimum(idx, cats - 1)
        last = np.maximum.accumulate(np.where(p2 > 0, np.arange(cats), 0), axis=1)  # never pick a zero weight
        idx = np.take_along_axis(last, idx, axis=1)
    else:
        if num_samples > p2.shape[1]:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        with np.errstate(divide="ignore"):
            keys = np.log(p2) - np.log(-np.log(g.random(p2.shape)))
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    out = np.asarray(idx, dtype=np.int64)
    return _finish(out if p.ndim == 2 else out[0])


__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
    "empty_like", "full_like", "eye", "arange", "linspace", "logspace", "rand", "randn", "randint", "randperm",
    "rand_like", "randn_like", "randint_like", "normal", "bernoulli", "multinomial",
]
