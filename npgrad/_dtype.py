"""npgrad dtypes: thin named wrappers around NumPy dtypes, plus torch's type-promotion rules.

``npgrad.float32`` prints as ``npgrad.float32`` (like ``torch.float32``) and compares equal to the
matching NumPy dtype, so ``t.dtype == np.float32`` also works.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class dtype:
    """A tensor element type. Wraps a NumPy dtype; instances are singletons."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name: str, np_dtype: Any, category: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = category == 2
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating

    def __repr__(self) -> str:
        return f"npgrad.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self is other
        try:
            return self.np == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.np)

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = half = dtype("float16", np.float16, 2)
float32 = float = dtype("float32", np.float32, 2)
float64 = double = dtype("float64", np.float64, 2)
int8 = dtype("int8", np.int8, 1)
uint8 = dtype("uint8", np.uint8, 1)
int16 = short = dtype("int16", np.int16, 1)
int32 = int = dtype("int32", np.int32, 1)
int64 = long = dtype("int64", np.int64, 1)
bool = dtype("bool", np.bool_, 0)  # noqa: A001 - torch's name

_ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool)
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}


def _by_name(name: str) -> dtype:
    return _NAMES[name]


_default_float: dtype = float32


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of new floating tensors created from Python floats (float32 by default)."""
    global _default_float
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def get_default_dtype() -> dtype:
    return _default_float


def to_dtype(d: Any) -> dtype:
    """Convert an npgrad dtype, NumPy dtype, Python type or dtype name to an npgrad dtype."""
    if isinstance(d, dtype):
        return d
    if d is builtins_float:
        return _default_float
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    try:
        return _FROM_NP[np.dtype(d)]
    except (KeyError, TypeError):
        raise TypeError(f"unsupported dtype {d!r}") from None


def from_numpy_dtype(d: np.dtype) -> dtype:
    try:
        return _FROM_NP[d]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type {d}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool


def scalar_category(x: Any) -> int:
    if isinstance(x, builtins_bool) or isinstance(x, np.bool_):
        return 0
    if isinstance(x, (builtins_int, np.integer)):
        return 1
    return 2


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types on NumPy dtypes: within a category the wider type; across, the float."""
    if a == b:
        return a
    ca, cb = _FROM_NP[a]._category, _FROM_NP[b]._category
    if ca == cb:
        return np.promote_types(a, b)
    return a if ca > cb else b


def result_type(*operands: Any) -> np.dtype:
    """torch.result_type for arrays (dim>0 beats 0-dim) and Python scalars (weakest).

    Python floats never widen float32 to float64 (they only lift integer tensors to the
    default float dtype), mirroring PyTorch.
    """
    dims = [op for op in operands if isinstance(op, np.ndarray) and op.ndim > 0]
    zero = [op for op in operands if isinstance(op, np.ndarray) and op.ndim == 0]
    scalars = [op for op in operands if not isinstance(op, np.ndarray)]
    result = None
    for group in (dims, zero):
        for op in group:
            if result is None:
                result = op.dtype
            elif _FROM_NP[op.dtype]._category > _FROM_NP[result]._category or group is dims:
                result = promote_types(result, op.dtype)
    for s in scalars:
        cat = scalar_category(s)
        if result is None:
            result = (np.dtype(np.bool_), np.dtype(np.int64), _default_float.np)[cat]
        elif cat > _FROM_NP[result]._category:
            result = np.dtype(np.int64) if cat == 1 else _default_float.np
    return result
