"""npgrad dtypes: thin named wrappers around NumPy dtypes, plus torch's type-promotion rules.

``npgrad.float32`` prints as ``npgrad.float32`` (like ``torch.float32``) and compares equal to the
matching NumPy dtype, so ``t.dtype == np.float32`` also works.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class dtype:
    """A tensor element type. Wraps a NumPy dtype; instances are singletons."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category", "scalar_name")
    is_complex = False

    def __init__(self, name: str, np_dtype: Any, category: int, scalar_name: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = category == 2
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.scalar_name = scalar_name  # torch's ScalarType name, used in error messages

    def to_real(self) -> "dtype":
        """The real counterpart of this dtype: itself, as npgrad's dtypes are all real."""
        return self

    def to_complex(self) -> "dtype":
        """Always raises TypeError: npgrad has no complex dtypes."""
        raise TypeError("npgrad has no complex dtypes")

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


float16 = half = dtype("float16", np.float16, 2, "Half")
float32 = float = dtype("float32", np.float32, 2, "Float")
float64 = double = dtype("float64", np.float64, 2, "Double")
int8 = dtype("int8", np.int8, 1, "Char")
uint8 = dtype("uint8", np.uint8, 1, "Byte")
int16 = short = dtype("int16", np.int16, 1, "Short")
int32 = int = dtype("int32", np.int32, 1, "Int")
int64 = long = dtype("int64", np.int64, 1, "Long")
bool = dtype("bool", np.bool_, 0, "Bool")  # noqa: A001 - torch's name

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
    """The dtype of new floating tensors made from Python floats: float32 unless ``set_default_dtype`` changed it."""
    return _default_float


def to_dtype(d: Any) -> dtype:
    """Convert an npgrad dtype, NumPy dtype, Python type or dtype name to an npgrad dtype.

    Python ``float`` means float64, ``int`` int64 and ``bool`` bool, as in torch.
    """
    if isinstance(d, dtype):
        return d
    if d is builtins_float:
        return float64
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    if isinstance(d, str):
        d = d.rsplit(".", 1)[-1]
        if d in _NAMES:
            return _NAMES[d]
        alias = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32, "short": int16}
        if d in alias:
            return alias[d]
    try:
        return _FROM_NP[np.dtype(d)]
    except (KeyError, TypeError):
        raise TypeError(f"unsupported dtype {d!r}") from None


def scalar_name(d: np.dtype) -> str:
    """torch's ScalarType name of a NumPy dtype (``Float``, ``Long``...), for error messages."""
    t = _FROM_NP.get(np.dtype(d))
    return t.scalar_name if t is not None else str(d)


def from_numpy_dtype(d: np.dtype) -> dtype:
    """The npgrad dtype of a NumPy dtype; TypeError (torch's message) for one npgrad lacks."""
    try:
        return _FROM_NP[d]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{d}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool
_BOOL, _INT64 = np.dtype(np.bool_), np.dtype(np.int64)
_CAT = {d.np: d._category for d in _ALL}


def scalar_category(x: Any) -> int:
    """The type category of a Python/NumPy scalar for promotion: 0 bool, 1 integer, 2 floating."""
    if isinstance(x, (builtins_bool, np.bool_)):
        return 0
    if isinstance(x, (builtins_int, np.integer)):
        return 1
    return 2


def promote_types(a: Any, b: Any) -> Any:
    """torch.promote_types: within a category the wider type (uint8 + int8 -> int16); across, the
    higher category's type. Takes NumPy or npgrad dtypes and returns the same kind."""
    if isinstance(a, dtype) or isinstance(b, dtype):
        return _FROM_NP[promote_types(to_dtype(a).np, to_dtype(b).np)]
    if a == b:
        return a
    ca, cb = _CAT[a], _CAT[b]
    if ca == cb:
        return np.promote_types(a, b)
    return a if ca > cb else b


def _combine(higher: Any, lower: Any) -> Any:
    """torch's combine_categories: a lower-priority operand only matters if its category is higher."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher == _BOOL or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> np.dtype:
    """torch.result_type on arrays and Python scalars: dimensioned arrays take priority over 0-d
    arrays, which take priority over Python/NumPy scalars; a lower-priority operand only lifts the
    category (int -> float), never the width. So Python floats never widen float32 to float64 and
    lift integer tensors to the default float dtype.
    """
    if len(operands) == 2:  # fast paths for the common binary cases
        a, b = operands
        if type(a) is np.ndarray:
            da = a.dtype
            if type(b) is np.ndarray:
                if b.dtype == da:
                    return da
            elif type(b) is builtins_float:
                if da.kind == "f":
                    return da
            elif type(b) is builtins_int and da.kind in "fiu":
                return da
    dim = zero = wrapped = None
    for op in operands:
        if isinstance(op, np.ndarray):
            if op.ndim:
                dim = op.dtype if dim is None else promote_types(dim, op.dtype)
            else:
                zero = op.dtype if zero is None else promote_types(zero, op.dtype)
        elif op is not None:
            cat = scalar_category(op)
            d = (_BOOL, _INT64, _default_float.np)[cat]
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def public_result_type(tensor: Any, other: Any) -> dtype:
    """``npgrad.result_type(a, b)`` for tensors and numbers."""
    ops = [x.data if hasattr(x, "data") and isinstance(x.data, np.ndarray) else x for x in (tensor, other)]
    return _FROM_NP[result_type(*ops)]


def can_cast(from_: dtype, to: dtype) -> builtins_bool:
    """torch.can_cast: casting to a lower category (float -> int, int -> bool) is not allowed."""
    return to_dtype(from_)._category <= to_dtype(to)._category


class finfo:
    """Machine limits of a floating dtype (``npgrad.finfo(npgrad.float32).eps``)."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        d = _default_float if type is None else to_dtype(type)
        if not d.is_floating_point:
            raise TypeError("finfo() requires a floating point input type.")
        fi = np.finfo(d.np)
        self.bits, self.eps, self.max, self.min = fi.bits, builtins_float(fi.eps), builtins_float(fi.max), builtins_float(fi.min)
        self.tiny = self.smallest_normal = builtins_float(fi.smallest_normal)
        self.resolution = 10.0 ** -fi.precision
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype (``npgrad.iinfo(npgrad.int64).max``)."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = to_dtype(type)
        if d.is_floating_point:
            raise TypeError("iinfo() requires an integer input type.")
        ii = np.iinfo(np.uint8 if d is bool else d.np)
        self.bits, self.max, self.min = ii.bits, builtins_int(ii.max), builtins_int(ii.min)
        if d is bool:
            self.bits, self.max, self.min = 8, 1, 0
        self.dtype = d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
