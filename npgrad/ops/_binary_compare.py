"""Element-wise tests and bit operations, none differentiable: comparisons (eq, lt, ...), equal,
isclose / allclose, logical and bitwise ops, and isnan / isinf / isfinite.

Comparisons promote their operands like arithmetic (``_binary_util.prepare``) and give bool
tensors; bitwise ops accept integer and bool dtypes only, as in torch.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from ._binary_util import _BOOL, TORCH_NAMES, _arr, _data, _not_implemented, check_broadcast, prepare
from ._util import quiet_fp, restore_fp


# ----------------------------------------------------------------------------- comparisons
_FINITE_MAX = {np.dtype(np.float16): 65504.0, np.dtype(np.float32): float(np.finfo(np.float32).max),
               np.dtype(np.float64): math.inf}


def _compare(a: Any, b: Any, fn: Callable) -> Tensor:
    """``fn(a, b)`` on the promoted operands, as a bool Tensor."""
    if isinstance(a, Tensor):  # prepare's fast paths, inlined: nothing to cast, so nothing can overflow
        ad = a.data
        if isinstance(b, Tensor):
            bd = b.data
            if ad.dtype == bd.dtype:
                if ad.shape != bd.shape:
                    check_broadcast(ad.shape, bd.shape)
                return Tensor._make(_arr(fn(ad, bd)))
        elif b.__class__ is float or b.__class__ is int:
            limit = _FINITE_MAX.get(ad.dtype)  # None for non-floating tensors: promoted below
            if limit is not None and -limit <= b <= limit:
                return Tensor._make(_arr(fn(ad, b)))
    token = quiet_fp()  # a value beyond the common dtype's range is cast to inf silently, as in torch
    try:
        ad, bd, _ = prepare(a, b)
        return Tensor._make(_arr(fn(ad, bd)))
    finally:
        restore_fp(token)


def _comparison(name: str, ufunc: np.ufunc, symbol: str, if_none: bool | None = None) -> Callable[[Any, Any], Any]:
    """The public comparison ``name(a, b)`` = ``a <symbol> b``; ``if_none``: the result for ``b`` None (eq, ne)."""
    if if_none is None:
        def op(a: Any, b: Any) -> Tensor:
            return _compare(a, b, ufunc)
    else:
        def op(a: Any, b: Any) -> Any:
            return if_none if b is None else _compare(a, b, ufunc)

    op.__name__ = op.__qualname__ = name
    none_rule = "" if if_none is None else (
        f" ``b`` may be None: the result is then {if_none}, as for ``tensor {symbol} None`` in torch.")
    op.__doc__ = f"""out = (a {symbol} b) element-wise, as bool (NaN compares unequal to everything).

    Args:
        a, b: Tensors or numbers of broadcastable shapes, compared in their promoted dtype.{none_rule}

    Returns:
        A bool Tensor of the broadcast shape.
    """
    return op


eq = _comparison("eq", np.equal, "==", if_none=False)
ne = _comparison("ne", np.not_equal, "!=", if_none=True)
lt = _comparison("lt", np.less, "<")
le = _comparison("le", np.less_equal, "<=")
gt = _comparison("gt", np.greater, ">")
ge = _comparison("ge", np.greater_equal, ">=")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(a: Tensor, b: Tensor) -> bool:
    """True if both tensors have the same shape and the same elements (compared after promotion).

    Args:
        a, b: Tensors.

    Returns:
        A Python bool (NaN is never equal to itself).
    """
    if a.data.shape != b.data.shape:
        return False
    ad, bd, _ = prepare(a, b)
    return bool(np.array_equal(ad, bd))


def isclose(a: Tensor, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """out = |a - b| <= atol + rtol * |b| element-wise, as bool (infinities equal only to themselves).

    Args:
        a: Tensor; b: Tensor of the same dtype, or a number; broadcastable shapes.
        rtol, atol: relative and absolute tolerances.
        equal_nan: whether NaN counts as close to NaN.

    Returns:
        A bool Tensor of the broadcast shape.
    """
    ad, bd = _data(a), _data(b)
    if isinstance(bd, np.ndarray) and ad.dtype != bd.dtype:
        raise RuntimeError(f"{TORCH_NAMES[ad.dtype]} did not match {TORCH_NAMES[bd.dtype]}")
    ad, bd, dt = prepare(a, b)
    if dt == _BOOL:
        return Tensor._make(_arr(ad == bd))
    token = quiet_fp()  # |a - b| of huge values overflows to inf: not close, and silent
    try:
        return Tensor._make(_arr(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan)))
    finally:
        restore_fp(token)


def allclose(a: Tensor, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True if ``isclose(a, b, rtol, atol, equal_nan)`` holds for every element.

    Args:
        a, b, rtol, atol, equal_nan: as for ``isclose``.

    Returns:
        A Python bool.
    """
    return bool(isclose(a, b, rtol, atol, equal_nan).data.all())


# ----------------------------------------------------------------------------- logical
def _logical(fn: Callable, a: Any, b: Any) -> Tensor:
    """``fn(a, b)`` on the operands' truth values (non-zero is true), as a bool Tensor."""
    ad, bd = _data(a), _data(b)
    check_broadcast(np.shape(ad), np.shape(bd))
    return Tensor._make(_arr(fn(ad, bd)))


def _logical_op(name: str, ufunc: np.ufunc, rule: str) -> Callable[[Any, Any], Tensor]:
    """The public logical op ``name(a, b)`` on truth values (logical_and, logical_or, logical_xor)."""
    def op(a: Any, b: Any) -> Tensor:
        return _logical(ufunc, a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""out = {rule} element-wise (non-zero is true).

    Args:
        a, b: Tensors or numbers of broadcastable shapes, of any dtype.

    Returns:
        A bool Tensor of the broadcast shape.
    """
    return op


logical_and = _logical_op("logical_and", np.logical_and, "bool(a) and bool(b)")
logical_or = _logical_op("logical_or", np.logical_or, "bool(a) or bool(b)")
logical_xor = _logical_op("logical_xor", np.logical_xor, "bool(a) != bool(b)")


def logical_not(a: Any) -> Tensor:
    """out = (a == 0) element-wise, as bool.

    Args:
        a: a Tensor of any dtype.

    Returns:
        A bool Tensor of ``a``'s shape.
    """
    return Tensor._make(_arr(np.logical_not(_data(a))))


# ----------------------------------------------------------------------------- bitwise (integer and bool)
def _bitwise(fn: Callable, name: str, a: Any, b: Any) -> Tensor:
    """``fn(a, b)`` on the promoted integer/bool operands; torch's error for float (and bool shifts)."""
    ad, bd, dt = prepare(a, b)
    if dt.kind == "f" or (dt == _BOOL and name in ("lshift_cpu", "rshift_cpu")):
        raise _not_implemented(name, dt)
    return Tensor._make(_arr(fn(ad, bd)))


def _bitwise_op(name: str, ufunc: np.ufunc, kernel: str, rule: str, operands: str) -> Callable[[Any, Any], Tensor]:
    """The public bit operation ``name(a, b)``; ``kernel`` names it in torch's dtype errors."""
    def op(a: Any, b: Any) -> Tensor:
        return _bitwise(ufunc, kernel, a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""out = {rule} element-wise.

    Args:
        a, b: {operands} Tensors or numbers of broadcastable shapes.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype.
    """
    return op


bitwise_and = _bitwise_op("bitwise_and", np.bitwise_and, "bitwise_and_cpu", "a & b, bit by bit", "integer or bool")
bitwise_or = _bitwise_op("bitwise_or", np.bitwise_or, "bitwise_or_cpu", "a | b, bit by bit", "integer or bool")
bitwise_xor = _bitwise_op("bitwise_xor", np.bitwise_xor, "bitwise_xor_cpu", "a ^ b, bit by bit", "integer or bool")
bitwise_left_shift = _bitwise_op("bitwise_left_shift", np.left_shift, "lshift_cpu", "a << b (a * 2**b)", "integer")
bitwise_right_shift = _bitwise_op("bitwise_right_shift", np.right_shift, "rshift_cpu",
                                  "a >> b (arithmetic: floor(a / 2**b))", "integer")


def bitwise_not(a: Any) -> Tensor:
    """out = ~a element-wise: every bit flipped for integers, logical not for bool.

    Args:
        a: an integer or bool Tensor.

    Returns:
        A Tensor of ``a``'s shape and dtype.
    """
    ad = _data(a)
    if ad.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", ad.dtype)
    return Tensor._make(_arr(np.invert(ad)))


def invert(a: Tensor) -> Tensor:
    """The ``~`` operator: bitwise not of an integer or bool tensor (TypeError otherwise, like torch).

    Args:
        a: an integer or bool Tensor.

    Returns:
        A Tensor of ``a``'s shape and dtype.
    """
    if a.data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(a)


# ----------------------------------------------------------------------------- value classes
def _value_test(name: str, ufunc: np.ufunc, rule: str) -> Callable[[Tensor], Tensor]:
    """The public test ``name(x)`` of each value's class (isnan, isinf, isfinite)."""
    def op(x: Tensor) -> Tensor:
        return Tensor._make(_arr(ufunc(x.data)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""out = (x {rule}) element-wise, as bool.

    Args:
        x: a Tensor of any dtype (integer and bool values are always finite).

    Returns:
        A bool Tensor of ``x``'s shape.
    """
    return op


isnan = _value_test("isnan", np.isnan, "is NaN")
isinf = _value_test("isinf", np.isinf, "is +inf or -inf")
isfinite = _value_test("isfinite", np.isfinite, "is neither NaN nor infinite")
