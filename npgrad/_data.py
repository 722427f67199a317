"""Python data -> NumPy array, with torch's dtype inference (behind ``npgrad.tensor`` and ``Tensor(data)``).

Python floats (and nested lists holding floats) give the default float dtype, Python ints int64,
bools bool; NumPy arrays and scalars keep their dtype (float64 included), and so do npgrad
tensors. Ragged or non-numeric sequences raise torch's errors.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _dtype
from .autograd import function as _function

__all__ = ["as_array"]


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert Python data / arrays / tensors to a NumPy array with torch's dtype inference.

    Python floats (and nested lists containing floats) give the default float dtype, Python ints
    int64, bools bool; NumPy arrays and scalars keep their dtype. ``dtype`` overrides.
    """
    if isinstance(data, _function.Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, (bool, np.bool_)):
        arr = np.asarray(data, dtype=np.bool_)
    elif isinstance(data, int) and not isinstance(data, np.integer):
        arr = np.asarray(data, dtype=np.int64)
    elif isinstance(data, float) and not isinstance(data, np.floating):
        arr = np.asarray(data, dtype=_dtype.get_default_dtype().np)
    elif isinstance(data, (list, tuple)):
        arr = _sequence_array(data, dtype)
    else:
        arr = np.asarray(data)
        if arr.dtype == object:
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if dtype is not None:
        target = _dtype.to_dtype(dtype).np
        if arr.dtype != target:
            arr = arr.astype(target)
    elif arr.dtype not in _dtype._FROM_NP:
        if arr.dtype.kind in "U":
            raise TypeError(f"new(): invalid data type '{arr.dtype.name}'")
        _dtype.from_numpy_dtype(arr.dtype)  # raises a clear TypeError
    return arr


def _sequence_array(data: Sequence, dtype: Any) -> np.ndarray:
    """A (nested) list/tuple as an array: NumPy's conversion, then torch's dtype rules."""
    if any(isinstance(x, _function.Tensor) for x in data):
        items = [as_array(x) for x in data]
        arr = np.stack(items) if items else np.asarray(data)
    else:
        try:
            arr = np.asarray(data)
        except ValueError as exc:
            raise ValueError(f"expected sequence of equal-length lists/tuples (got a ragged nested sequence): {exc}") from None
    if arr.dtype == object:
        raise TypeError("could not convert the nested sequence to a tensor (ragged or non-numeric data)")
    if dtype is None:
        if arr.dtype == np.float64 and not _has_numpy_float64(data):
            arr = arr.astype(_dtype.get_default_dtype().np)
        elif arr.dtype.kind in "iu" and arr.dtype != np.int64 and not _has_numpy_scalar(data):
            arr = arr.astype(np.int64)
        elif arr.size == 0 and arr.dtype == np.float64:
            arr = arr.astype(_dtype.get_default_dtype().np)
    return arr


def _has_numpy_float64(data: Any) -> bool:
    """True if a nested sequence holds NumPy float64 arrays/scalars (torch keeps them double)."""
    for x in data:
        if isinstance(x, (np.ndarray, np.float64)) and x.dtype == np.float64:
            return True
        if isinstance(x, _function.Tensor) and x.data.dtype == np.float64:
            return True
        if isinstance(x, (list, tuple)) and x and _has_numpy_float64(x):
            return True
    return False


def _has_numpy_scalar(data: Any) -> bool:
    """True if the sequence holds NumPy scalars/arrays directly (their integer dtype is kept)."""
    return any(isinstance(x, (np.generic, np.ndarray)) for x in data)
