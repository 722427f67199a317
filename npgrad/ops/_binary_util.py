"""What every binary op needs before it computes: the result dtype and the operands as arrays.

- ``result_type``: torch's type promotion over Tensors, arrays and Python/NumPy scalars;
- ``prepare`` / ``_float_prepare``: both operands as arrays of the promoted (floating) dtype;
- ``check_broadcast``: torch's error for shapes that do not broadcast;
- ``where_array``: a branch-free ``np.where`` for same-dtype arrays;
- operand wrapping (``_as_tensor``, ``_args``) and torch's dtype names for error messages.

Promotion follows ``torch.result_type``: operands fall in three groups (tensors with dims, 0-d
tensors, scalars); a later group only changes the dtype when it is of a higher category
(bool < integer < floating), so ``float32 + 2.5``, ``float32 + float64_0d`` stay float32 while
``int32 + 2.5`` is float32 (the default float) and ``int32 + float64_0d`` is float64.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Tensor

_BOOL, _INT64 = np.dtype(np.bool_), np.dtype(np.int64)
_CAT = {d.np: d._category for d in _dtype._ALL}  # 0 bool, 1 integer, 2 floating
TORCH_NAMES = {
    np.dtype(np.float16): "Half", np.dtype(np.float32): "Float", np.dtype(np.float64): "Double",
    np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte", np.dtype(np.int16): "Short",
    np.dtype(np.int32): "Int", np.dtype(np.int64): "Long", _BOOL: "Bool",
}
_C_NAMES = {"Float": "float", "Double": "double", "Half": "c10::Half", "Long": "long int", "Int": "int",
            "Short": "short int", "Char": "signed char", "Byte": "unsigned char", "Bool": "bool"}
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
_PROMOTE = {(a, b): _dtype.promote_types(a, b) for a in _CAT for b in _CAT}  # a table: faster than the function


# ----------------------------------------------------------------------------- type promotion
def _scalar_dtype(s: Any) -> np.dtype:
    """The dtype torch gives a Python/NumPy scalar: bool, int64 or the default float (TypeError otherwise)."""
    if isinstance(s, (bool, np.bool_)):
        return _BOOL
    if isinstance(s, (int, np.integer)):
        return _INT64
    if isinstance(s, (float, np.floating)):
        return _dtype.get_default_dtype().np
    raise TypeError(f"unsupported operand type for a tensor op: '{type(s).__name__}'")


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """torch's combine_categories: a lower-priority group only matters when of a higher category."""
    if higher is None:
        return lower
    if lower is None or _CAT[higher] == 2:
        return higher
    if _CAT[higher] == 0 or _CAT[lower] == 2:
        return _PROMOTE[higher, lower]
    return higher


def result_type(*operands: Any) -> np.dtype:
    """torch.result_type over Tensors / arrays / Python and NumPy scalars (None entries are skipped).

    Args:
        *operands: the operands of one op, in any mix of kinds.

    Returns:
        The NumPy dtype the op computes in. Raises TypeError for an operand npgrad has no dtype for.
    """
    dim = zero = wrapped = None
    for op in operands:
        if isinstance(op, Tensor):
            op = op.data
        if isinstance(op, np.ndarray):
            if op.dtype not in _CAT:
                _dtype.from_numpy_dtype(op.dtype)  # raises a clear TypeError
            if op.ndim:
                dim = op.dtype if dim is None else _PROMOTE[dim, op.dtype]
            else:
                zero = op.dtype if zero is None else _PROMOTE[zero, op.dtype]
        elif op is not None:
            s = _scalar_dtype(op)
            wrapped = s if wrapped is None else _PROMOTE[wrapped, s]
    return _combine(dim, _combine(zero, wrapped))


def scalar_array(s: Any, dt: np.dtype) -> np.ndarray:
    """A Python/NumPy scalar as a 0-d array of ``dt`` (integers wrap like a C cast, as in torch)."""
    try:
        return np.asarray(s, dtype=dt)
    except (OverflowError, ValueError):
        return np.asarray(s).astype(dt)


def _cast(x: Any, dt: np.dtype) -> np.ndarray:
    """``x`` (an array or a scalar) as an array of ``dt``, without a copy when it already is one."""
    if isinstance(x, np.ndarray):
        return x if x.dtype == dt else x.astype(dt)
    return scalar_array(x, dt)


def check_broadcast(sa: tuple, sb: tuple) -> None:
    """Raise torch's RuntimeError naming both sizes when two shapes do not broadcast.

    Args:
        sa, sb: the two shapes (tuples of ints).
    """
    n = max(len(sa), len(sb))
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {n - i}"
            )


def _data(x: Any) -> Any:
    """The array of a Tensor; anything else unchanged."""
    return x.data if isinstance(x, Tensor) else x


def prepare(a: Any, b: Any) -> tuple:
    """Both operands as arrays of the promoted dtype (scalars as 0-d arrays), and that dtype.

    Fast paths: equal dtypes, and a Python float/int with a floating array (NumPy's weak scalars
    then keep the array's dtype, which is torch's result too; the scalar is returned as is).

    Args:
        a, b: Tensors, arrays or scalars (at least one of them a Tensor or an array).

    Returns:
        ``(a_array, b_array, dtype)``. Raises RuntimeError when the shapes do not broadcast.
    """
    ad = a.data if isinstance(a, Tensor) else a
    bd = b.data if isinstance(b, Tensor) else b
    ta, tb = type(ad), type(bd)
    if ta is np.ndarray:
        if tb is np.ndarray:
            if ad.shape != bd.shape:
                check_broadcast(ad.shape, bd.shape)
            if ad.dtype == bd.dtype:
                return ad, bd, ad.dtype
        elif (tb is float or tb is int) and ad.dtype.kind == "f":
            return ad, bd, ad.dtype
    elif tb is np.ndarray and (ta is float or ta is int) and bd.dtype.kind == "f":
        return ad, bd, bd.dtype
    dt = result_type(ad, bd)
    return _cast(ad, dt), _cast(bd, dt), dt


def _float_prepare(a: Any, b: Any) -> tuple:
    """Operands in the promoted dtype, lifted to the default float if integral (true division,
    atan2). Integer scalars are converted straight to the float type, keeping their sign."""
    ad, bd = _data(a), _data(b)
    dt = result_type(ad, bd)
    if isinstance(ad, np.ndarray) and isinstance(bd, np.ndarray) and ad.shape != bd.shape:
        check_broadcast(ad.shape, bd.shape)
    if dt.kind != "f":
        dt = _dtype.get_default_dtype().np
    return _cast(ad, dt), _cast(bd, dt)


def _arr(x: Any) -> np.ndarray:
    """ufuncs on 0-d inputs return NumPy scalars; tensors always hold arrays."""
    return x if type(x) is np.ndarray else np.asarray(x)


def where_array(cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.where(cond, a, b)`` for arrays of one dtype, as a branch-free bit blend.

    Computes ``b ^ ((a ^ b) & -cond)`` on the bits: exact for every value (NaN, inf, -0.0), and on
    irregular masks ~10x faster than np.where, which mispredicts a branch per element. Small or
    mixed-dtype inputs go to np.where.

    Args:
        cond: bool array; a, b: the values where it holds / does not (broadcast together).

    Returns:
        A new array of the broadcast shape.
    """
    if a.dtype != b.dtype or a.dtype.itemsize not in _UINT or max(a.size, b.size, cond.size) < 4096:
        return np.where(cond, a, b)
    u = _UINT[a.dtype.itemsize]
    ai, bi = a.view(u), b.view(u)
    m = cond.astype(u)
    np.negative(m, out=m)  # all bits set where cond holds
    t = np.bitwise_xor(ai, bi)
    t = np.bitwise_and(t, m, out=t if t.shape == np.broadcast_shapes(t.shape, m.shape) else None)
    np.bitwise_xor(t, bi, out=t)
    return t.view(a.dtype)


# ----------------------------------------------------------------------------- operands and names
def _not_implemented(op: str, dt: np.dtype) -> NotImplementedError:
    """torch's error for a kernel that has no version for ``dt``."""
    return NotImplementedError(f'"{op}" not implemented for \'{TORCH_NAMES[dt]}\'')


def _as_tensor(x: Any) -> Tensor:
    """``x`` as a Tensor: arrays wrapped, scalars as 0-d tensors of their torch dtype."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    return Tensor._make(scalar_array(x, _scalar_dtype(x)))


def _args(a: Any, b: Any) -> tuple:
    """Operands for a Function: arrays become tensors; ``a`` is a tensor unless ``b`` is one."""
    if not isinstance(a, Tensor) and (isinstance(a, np.ndarray) or not isinstance(b, Tensor)):
        a = _as_tensor(a)
    return a, (Tensor._make(b) if isinstance(b, np.ndarray) else b)


def _dtype_of(x: Any) -> np.dtype:
    """The dtype of a Tensor, or the one torch gives a scalar."""
    return x.data.dtype if isinstance(x, Tensor) else _scalar_dtype(x)


def _const(mask: np.ndarray) -> Tensor:
    """A constant (no-grad) Tensor holding ``mask``."""
    return Tensor._make(_arr(mask))


def type_name(dt: np.dtype) -> str:
    """The C++ name torch prints for a dtype in some messages ('float', 'long int', ...)."""
    return _C_NAMES[TORCH_NAMES[dt]]
