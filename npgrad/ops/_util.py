"""Small helpers shared by the op modules: dim normalisation and operand conversion."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..tensor import Tensor


def wrap_dim(dim: int, ndim: int) -> int:
    """Map a possibly negative ``dim`` into ``[0, ndim)``; IndexError like torch when out of range.

    A 0-d tensor accepts dims 0 and -1 (torch's rule).
    """
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n if ndim else 0


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of non-negative axes; None or () means all axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(wrap_dim(d, ndim) for d in dim)
        repeated = next((a for i, a in enumerate(axes) if a in axes[:i]), None)
        if repeated is not None:
            raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
        return tuple(sorted(axes)) if ndim else ()
    return (wrap_dim(dim, ndim),) if ndim else ()


def as_tensor_operand(x: Any) -> Tensor:
    """Wrap a Python number / array as a (constant) Tensor."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    return Tensor._make(np.asarray(x, dtype=_dtype.result_type(x)))


def float_dtype_for(arr: np.ndarray) -> np.dtype:
    """Floating dtype an op on ``arr`` computes in: its own if floating, else the default float."""
    return arr.dtype if arr.dtype.kind == "f" else _dtype.get_default_dtype().np


def check_index_tensor(index: Any, op: str) -> np.ndarray:
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {_dtype._FROM_NP.get(data.dtype, data.dtype)}")
    return data


def shape_str(shape: Sequence[int]) -> str:
    return str(list(shape))
