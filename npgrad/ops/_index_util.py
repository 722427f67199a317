"""Shared machinery of the indexing ops (``npgrad.ops.index`` re-exports ``scalar_type_name``).

Holds the scatter-add kernels (flat target positions computed by broadcasting, summed with
``np.bincount`` or ``np.add.at``), the index/shape validation with torch's error messages, and
``scalar_type_name`` for dtype names in messages. Nothing here is a differentiable op.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..tensor import Tensor


_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half"}


def scalar_type_name(dt: np.dtype) -> str:
    """torch's C++ name of a dtype, for error messages: ``int64 -> "Long"``, ``float32 -> "Float"``...

    Args:
        dt (np.dtype or str): a NumPy dtype or anything ``np.dtype`` accepts.

    Returns:
        str: the torch name, or ``str(dt)`` for a dtype torch names the NumPy way.
    """
    return _TORCH_NAMES.get(np.dtype(dt).name, str(dt))


# ----------------------------------------------------------------------------- scatter-add kernels
def _add_flat(out: np.ndarray, lin: np.ndarray, src: np.ndarray) -> None:
    """``out.flat[lin] += src`` with repeated positions accumulating (``out`` is C-contiguous)."""
    flat = out.reshape(-1)
    src = src.reshape(-1) if src.size == lin.size else np.broadcast_to(src, lin.shape).reshape(-1)
    lin = lin.reshape(-1)
    if out.dtype.kind == "f" and lin.size * 4 >= flat.size:  # dense: one bincount pass
        flat += np.bincount(lin, weights=src, minlength=flat.size).astype(out.dtype, copy=False)
    else:
        np.add.at(flat, lin, src)


def _along_lin(idx: np.ndarray, dim: int, shape: tuple) -> np.ndarray:
    """Flat positions in a C-ordered array of ``shape`` of ``out[i0, .., idx[i], .., in]`` (gather's map)."""
    strides = np.cumprod((1,) + shape[:0:-1])[::-1] if shape else np.ones(0, np.intp)
    lin = idx.astype(np.intp) * int(strides[dim])
    for a, n in enumerate(idx.shape):
        if a != dim and n > 1:
            coord = np.arange(n, dtype=np.intp) * int(strides[a])
            lin = lin + coord.reshape([-1 if b == a else 1 for b in range(idx.ndim)])
    return np.broadcast_to(lin, idx.shape)


def _dim_lin(idx: np.ndarray, dim: int, shape: tuple) -> np.ndarray:
    """Flat positions of ``out[:, .., idx[j], .., :]`` for a 1-D ``idx`` along ``dim`` (index_add's map)."""
    pre, n, post = int(np.prod(shape[:dim])), shape[dim], int(np.prod(shape[dim + 1:]))
    lin = (np.arange(pre, dtype=np.intp)[:, None, None] * n + idx.astype(np.intp)[None, :, None]) * post
    return lin + np.arange(post, dtype=np.intp)


def _take_np(a: np.ndarray, idx: np.ndarray, dim: int) -> np.ndarray:
    """np.take_along_axis where ``idx`` may be smaller than ``a`` in the other dims (gather's rule)."""
    if any(d != dim and s != n for d, (s, n) in enumerate(zip(idx.shape, a.shape))):
        a = a[tuple(slice(None) if d == dim else slice(0, s) for d, s in enumerate(idx.shape))]
    return np.take_along_axis(a, idx, dim)


# ----------------------------------------------------------------------------- validation
def _index_array(index: Any, op: str, allowed: str = "int32/int64") -> np.ndarray:
    """``index``'s data, checking its dtype (``allowed``: "int64" or the int32/int64 pair) for op ``op``."""
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.kind not in "iu" or (allowed == "int64" and data.dtype != np.int64):
        raise RuntimeError(f"{op}(): Expected dtype {allowed} for index")
    return data


def _first_bad(idx: np.ndarray, lo: int, hi: int) -> int:
    """The first element (C order) of ``idx`` outside ``[lo, hi)``, as torch reports it."""
    flat = idx.reshape(-1)
    return int(flat[np.argmax((flat < lo) | (flat >= hi))])


def _check_bounds(idx: np.ndarray, size: int, dim: int, exc: type = RuntimeError, prefix: str = "") -> None:
    """Raise ``exc`` (torch's message, after ``prefix``) unless every ``idx`` lies in ``[0, size)``."""
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise exc(f"{prefix}index {_first_bad(idx, 0, size)} is out of bounds for dimension {dim} with size {size}")


def _check_scatter_shapes(x: Tensor, dim: int, idx: np.ndarray, src: Any, op: str) -> None:
    """torch's shape and bounds checks of gather/scatter: ``idx`` against ``x`` and ``src``."""
    if builtins.max(idx.ndim, 1) != builtins.max(x.data.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    ishape, xshape = idx.shape, x.data.shape
    if isinstance(src, Tensor) and builtins.max(src.data.ndim, 1) != builtins.max(idx.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    too_big = any(a != dim and s > n for a, (s, n) in enumerate(zip(ishape, xshape)))
    if isinstance(src, Tensor):
        too_big = too_big or any(s > n for s, n in zip(ishape, src.data.shape))
        if too_big:
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(xshape)} apart from "
                               f"dimension {dim} and to be no larger size than src {list(src.data.shape)}")
    elif too_big:
        bad = next(a for a, (s, n) in enumerate(zip(ishape, xshape)) if a != dim and s > n)
        raise RuntimeError(f"Size does not match at dimension {bad} expected index {list(ishape)} to be no larger "
                           f"than self {list(xshape)} apart from dimension {dim}")
    _check_bounds(idx, xshape[dim] if xshape else 1, dim)


def _broadcast_shapes(sa: tuple, sb: tuple) -> tuple:
    """np.broadcast_shapes with torch's error message."""
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        i = next(i for i in range(1, min(len(sa), len(sb)) + 1) if sa[-i] != sb[-i] and 1 not in (sa[-i], sb[-i]))
        raise RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at "
                           f"non-singleton dimension {max(len(sa), len(sb)) - i}") from None
