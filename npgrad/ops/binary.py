"""Binary element-wise ops with NumPy broadcasting and torch's type promotion.

Gradients are returned at the broadcast shape; the engine sums them back to each input's shape.
Broadcast errors are raised here, naming both shapes, instead of surfacing from NumPy.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import as_tensor_operand


def _operands(a: Any, b: Any) -> tuple:
    """Data of both operands (Python scalars stay scalars) and the promoted result dtype."""
    ad = a.data if isinstance(a, Tensor) else a
    bd = b.data if isinstance(b, Tensor) else b
    if isinstance(ad, np.ndarray) and isinstance(bd, np.ndarray) and ad.shape != bd.shape:
        _check_broadcast(ad.shape, bd.shape)
    return ad, bd, _dtype.result_type(ad, bd)


def _check_broadcast(sa: tuple, sb: tuple) -> None:
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension "
                f"{max(len(sa), len(sb)) - i}"
            )


def _as(arr: Any, dt: np.dtype) -> Any:
    if isinstance(arr, np.ndarray):
        return arr if arr.dtype == dt else arr.astype(dt)
    return arr


def _cast_result(out: Any, dt: np.dtype) -> np.ndarray:
    out = np.asarray(out)
    return out if out.dtype == dt else out.astype(dt)


# ----------------------------------------------------------------------------- arithmetic
class Add(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, alpha: Any = 1) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        ctx.alpha = alpha
        if alpha != 1:
            bd = bd * alpha
        return _cast_result(np.add(_as(ad, dt), _as(bd, dt)), dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None


def add(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor_operand(a)
    return Add.apply(a, b, alpha)


class Sub(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, alpha: Any = 1) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        if dt == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        ctx.alpha = alpha
        if alpha != 1:
            bd = bd * alpha
        return _cast_result(np.subtract(_as(ad, dt), _as(bd, dt)), dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return grad, -grad if ctx.alpha == 1 else grad * (-ctx.alpha), None


def sub(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor_operand(a)
    return Sub.apply(a, b, alpha)


subtract = sub


class Mul(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        ctx.save_for_backward(
            a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None
        )
        return _cast_result(np.multiply(_as(ad, dt), _as(bd, dt)), dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        ga = grad * b if ctx.needs_input_grad[0] else None
        gb = grad * a if ctx.needs_input_grad[1] else None
        return ga, gb


def mul(a: Any, b: Any) -> Tensor:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor_operand(a)
    return Mul.apply(a, b)


multiply = mul


class Div(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        if dt.kind != "f":
            dt = _dtype.get_default_dtype().np
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _cast_result(np.true_divide(_as(ad, dt), _as(bd, dt)), dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        ga = grad / b if ctx.needs_input_grad[0] else None
        gb = -grad * a / (b * b) if ctx.needs_input_grad[1] else None
        return ga, gb


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is None:
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            a = as_tensor_operand(a)
        return Div.apply(a, b)
    if rounding_mode == "trunc":
        return _rounded_div(a, b, np.trunc)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    raise RuntimeError(
        f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
    )


divide = true_divide = div


def _rounded_div(a: Any, b: Any, rounding: Any) -> Tensor:
    ad, bd, dt = _operands(a, b)
    ad, bd = _as(ad, dt), _as(bd, dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        if dt.kind in "iu":
            if np.any(np.asarray(bd) == 0):
                raise RuntimeError("ZeroDivisionError")
            q = np.floor_divide(ad, bd) if rounding is np.floor else np.trunc(np.true_divide(ad, bd)).astype(dt)
        else:
            q = rounding(np.true_divide(ad, bd))
    out = _cast_result(q, dt)
    ref = a if isinstance(a, Tensor) else b
    from .pointwise import _const_like

    return _const_like(out, ref) if isinstance(ref, Tensor) else Tensor._make(out)


def floor_divide(a: Any, b: Any) -> Tensor:
    return _rounded_div(a, b, np.floor)


class Remainder(Function):
    """Python-style modulus (sign of the divisor): a - floor(a / b) * b."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, fn: Any) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        ad, bd = _as(ad, dt), _as(bd, dt)
        if dt.kind in "iu" and np.any(np.asarray(bd) == 0):
            raise RuntimeError("ZeroDivisionError")
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[1] else None)
        ctx.fn = fn
        with np.errstate(divide="ignore", invalid="ignore"):
            return _cast_result(fn(ad, bd), dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            rounding = np.floor if ctx.fn is np.remainder else np.trunc
            q = Tensor._make(rounding(a.data / b.data).astype(grad.data.dtype))
            gb = -grad * q
        return grad, gb, None


def remainder(a: Any, b: Any) -> Tensor:
    if not isinstance(a, Tensor):
        a = as_tensor_operand(a)
    return Remainder.apply(a, b, np.remainder)


def fmod(a: Any, b: Any) -> Tensor:
    return Remainder.apply(a, b, np.fmod)


class Pow(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        ad, bd = _as(ad, dt), _as(bd, dt)
        if dt.kind in "iu" and np.any(np.asarray(bd) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            y = _cast_result(np.power(ad, bd), dt)
        ctx.save_for_backward(a, b, y if ctx.needs_input_grad[1] else None)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b, y = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, (int, float)) and b == 0:
                ga = grad * 0
            elif isinstance(b, (int, float)) and b == 2:
                ga = grad * a * 2
            else:
                ga = grad * b * pow(a, b - 1)
        if ctx.needs_input_grad[1]:
            av = a if isinstance(a, Tensor) else as_tensor_operand(a)
            # d/db a^b = a^b log a, defined as 0 where a == 0 and b >= 0 (torch's convention)
            safe = where(Tensor._make(np.asarray(av.data == 0)), Tensor._make(np.ones((), y.data.dtype)), av)
            gb = grad * y * _log(safe)
        return ga, gb


def _log(x: Tensor) -> Tensor:
    from .pointwise import log

    return log(x)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001
    if not isinstance(a, Tensor):
        a = as_tensor_operand(a)
    if isinstance(b, (int, float)) and not isinstance(b, bool) and b == 1:
        return a * 1
    return Pow.apply(a, b)


float_power = pow


class MaxMin(Function):
    """maximum / minimum: the gradient goes to the selected input, split evenly on ties (torch)."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor, is_max: bool) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        ad, bd = _as(ad, dt), _as(bd, dt)
        out = np.maximum(ad, bd) if is_max else np.minimum(ad, bd)
        ctx.save_for_backward(a, b)
        ctx.is_max = is_max
        return _cast_result(out, dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        ad, bd = a.data, b.data
        pick_a = (ad > bd) if ctx.is_max else (ad < bd)
        tie = ad == bd
        dt = grad.data.dtype
        wa = np.broadcast_to(pick_a + 0.5 * tie, grad.shape).astype(dt)
        wb = np.broadcast_to((~pick_a & ~tie) + 0.5 * tie, grad.shape).astype(dt)
        return grad * Tensor._make(wa), grad * Tensor._make(wb), None


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return MaxMin.apply(as_tensor_operand(a), as_tensor_operand(b), True)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return MaxMin.apply(as_tensor_operand(a), as_tensor_operand(b), False)


fmax, fmin = maximum, minimum


class Atan2(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        if dt.kind != "f":
            dt = _dtype.get_default_dtype().np
        ctx.save_for_backward(a, b)
        return _cast_result(np.arctan2(_as(ad, dt), _as(bd, dt)), dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        denom = a * a + b * b
        return grad * b / denom, -grad * a / denom


def atan2(a: Tensor, b: Tensor) -> Tensor:
    return Atan2.apply(as_tensor_operand(a), as_tensor_operand(b))


arctan2 = atan2


def lerp(start: Tensor, end: Tensor, weight: Any) -> Tensor:
    """start + weight * (end - start)."""
    return start + (end - start) * weight


# ----------------------------------------------------------------------------- selection
class Where(Function):
    @staticmethod
    def forward(ctx: Function, cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
        ad, bd, dt = _operands(a, b)
        ctx.cond = cond
        out = np.where(cond, _as(ad, dt), _as(bd, dt))
        return _cast_result(out, dt)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        zero = Tensor._make(np.zeros((), grad.data.dtype))
        cond = Tensor._make(ctx.cond)
        ga = where(cond, grad, zero) if ctx.needs_input_grad[1] else None
        gb = where(cond, zero, grad) if ctx.needs_input_grad[2] else None
        return None, ga, gb


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``where(cond, a, b)`` picks a where cond else b; ``where(cond)`` is ``nonzero(cond, as_tuple=True)``."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        from .index import nonzero

        return nonzero(condition if isinstance(condition, Tensor) else Tensor._make(cond), as_tuple=True)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {_dtype._FROM_NP.get(cond.dtype, cond.dtype)}")
    shapes = [np.shape(x.data if isinstance(x, Tensor) else x) for x in (cond, input, other)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"where(): shapes {[list(s) for s in shapes]} cannot be broadcast together") from None
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = as_tensor_operand(input)
    out_shape = np.broadcast_shapes(*shapes)
    if cond.shape != out_shape:
        cond = np.broadcast_to(cond, out_shape)
    return Where.apply(cond, input, other)


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_dtype._FROM_NP.get(m.dtype, m.dtype)}")
    if isinstance(value, Tensor):
        if value.data.ndim != 0:
            raise RuntimeError(
                f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.data.ndim} dimension(s)."
            )
        value = value.to(x.dtype)
    else:
        value = Tensor._make(np.asarray(value, dtype=x.data.dtype))
    return where(Tensor._make(m), value, x)


# ----------------------------------------------------------------------------- comparisons (no grad)
def _compare(a: Any, b: Any, fn: Any) -> Tensor:
    ad, bd, dt = _operands(a, b)
    return Tensor._make(np.asarray(fn(_as(ad, dt), _as(bd, dt))))


def eq(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.equal)


def ne(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.not_equal)


def lt(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.less)


def le(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.less_equal)


def gt(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.greater)


def ge(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.greater_equal)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(a: Tensor, b: Tensor) -> bool:
    """True if both tensors have the same shape and elements."""
    return a.data.shape == b.data.shape and bool(np.array_equal(a.data, b.data))


def isclose(a: Tensor, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    ad, bd, _ = _operands(a, b)
    return Tensor._make(np.asarray(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(a: Tensor, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return bool(isclose(a, b, rtol, atol, equal_nan).data.all())


def _logical(fn: Any, *xs: Any) -> Tensor:
    return Tensor._make(np.asarray(fn(*(x.data if isinstance(x, Tensor) else x for x in xs))))


def logical_and(a: Any, b: Any) -> Tensor:
    return _logical(np.logical_and, a, b)


def logical_or(a: Any, b: Any) -> Tensor:
    return _logical(np.logical_or, a, b)


def logical_xor(a: Any, b: Any) -> Tensor:
    return _logical(np.logical_xor, a, b)


def logical_not(a: Any) -> Tensor:
    return _logical(np.logical_not, a)


def _bitwise(fn: Any, a: Any, b: Any = None) -> Tensor:
    ad = a.data if isinstance(a, Tensor) else a
    if isinstance(ad, np.ndarray) and ad.dtype.kind == "f":
        raise TypeError(f"{fn.__name__} is only supported for integer and boolean tensors, got {_dtype._FROM_NP[ad.dtype]}")
    if b is None:
        return Tensor._make(np.asarray(fn(ad)))
    ad, bd, dt = _operands(a, b)
    return Tensor._make(_cast_result(fn(_as(ad, dt), _as(bd, dt)), dt))


def bitwise_and(a: Any, b: Any) -> Tensor:
    return _bitwise(np.bitwise_and, a, b)


def bitwise_or(a: Any, b: Any) -> Tensor:
    return _bitwise(np.bitwise_or, a, b)


def bitwise_xor(a: Any, b: Any) -> Tensor:
    return _bitwise(np.bitwise_xor, a, b)


def bitwise_not(a: Any) -> Tensor:
    return _bitwise(np.invert, a)


def isnan(x: Tensor) -> Tensor:
    return Tensor._make(np.isnan(x.data))


def isinf(x: Tensor) -> Tensor:
    return Tensor._make(np.isinf(x.data))


def isfinite(x: Tensor) -> Tensor:
    return Tensor._make(np.isfinite(x.data))
