"""Differentiable binary arithmetic: add, sub, mul, div (true and rounded), remainder, fmod, pow, atan2.

Operands are Tensors, NumPy arrays (treated as tensors) or Python/NumPy scalars, promoted as in
``_binary_util.result_type``. Gradients are returned at the broadcast shape; the engine sums them
back to each input's shape and casts them to each input's dtype. Backward formulas are Tensor
ops, so they differentiate again. The NumPy work runs with floating-point warnings silenced
(``quiet_fp``): like torch, overflow gives inf and 0/0 gives NaN without a word.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._binary_select import where
from ._binary_util import (
    _BOOL, _args, _as_tensor, _const, _dtype_of, _float_prepare, _not_implemented, prepare, scalar_array,
)
from ._util import quiet_fp, restore_fp


# ----------------------------------------------------------------------------- add / sub / mul / div
def _check_alpha(alpha: Any, dt: np.dtype) -> None:
    """torch's checks on ``alpha``: bool only for bool results, no float for integer results."""
    if isinstance(alpha, (bool, np.bool_)) and dt != _BOOL:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.kind != "f" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


class Add(Function):
    """a + alpha * b; d/da = 1, d/db = alpha. ``Sub`` reuses the forward with ``np.subtract``."""

    _ufunc = np.add

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, alpha: Any = 1) -> np.ndarray:
        token = quiet_fp()
        try:
            ad, bd, dt = prepare(a, b)
            ctx.alpha = alpha
            if alpha.__class__ is not int or alpha != 1:  # the common alpha=1 tested first, cheaply
                if alpha != 1 or isinstance(alpha, (bool, np.bool_)):
                    _check_alpha(alpha, dt)
                    bd = bd * scalar_array(alpha, dt)
            return ctx._ufunc(ad, bd)
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None


class Sub(Add):
    """a - alpha * b (bool operands are rejected like torch); d/da = 1, d/db = -alpha."""

    _ufunc = np.subtract

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, alpha: Any = 1) -> np.ndarray:
        if _BOOL in (_dtype_of(a), _dtype_of(b)):
            if _dtype_of(a) == _dtype_of(b):
                raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                                   "Use the `^` or `logical_xor()` operator instead.")
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return Add.forward(ctx, a, b, alpha)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return grad, (-grad if ctx.alpha == 1 else grad * (-ctx.alpha)), None


def add(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    """out = a + alpha * b, element-wise with broadcasting and torch's type promotion.

    Args:
        a, b: Tensors or numbers (at least one a Tensor), of broadcastable shapes.
        alpha: multiplier of ``b``; must be integral for integer results, bool only for bool ones.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype.
    """
    if isinstance(a, Tensor) and not isinstance(b, np.ndarray):  # _args' common case, inlined
        return Add.apply(a, b, alpha)
    return Add.apply(*_args(a, b), alpha)


def sub(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    """out = a - alpha * b, element-wise with broadcasting (bool operands raise, as in torch).

    Args:
        a, b: Tensors or numbers of broadcastable shapes; alpha: multiplier of ``b``.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype.
    """
    if isinstance(a, Tensor) and not isinstance(b, np.ndarray):  # _args' common case, inlined
        return Sub.apply(a, b, alpha)
    return Sub.apply(*_args(a, b), alpha)


subtract = sub


def rsub(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    """out = b - alpha * a: ``sub`` with the operands swapped.

    Args:
        a, b: Tensors or numbers of broadcastable shapes; alpha: multiplier of ``a``.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype.
    """
    return sub(b, a, alpha=alpha)


class Mul(Function):
    """a * b; d/da = grad * b, d/db = grad * a."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        token = quiet_fp()
        try:
            ad, bd, _ = prepare(a, b)
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
            return np.multiply(ad, bd)
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None), (grad * a if ctx.needs_input_grad[1] else None)


def mul(a: Any, b: Any) -> Tensor:
    """out = a * b, element-wise with broadcasting and torch's type promotion.

    Args:
        a, b: Tensors or numbers (at least one a Tensor), of broadcastable shapes.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype; d/da = b, d/db = a.
    """
    if isinstance(a, Tensor) and not isinstance(b, np.ndarray):  # _args' common case, inlined
        return Mul.apply(a, b)
    return Mul.apply(*_args(a, b))


multiply = mul


def _float_op(ufunc: np.ufunc, a: Any, b: Any) -> np.ndarray:
    """``ufunc`` on both operands in their promoted dtype lifted to floating (true division, atan2)."""
    token = quiet_fp()
    try:
        ad, bd = _float_prepare(a, b)
        return ufunc(ad, bd)
    finally:
        restore_fp(token)


class Div(Function):
    """True division a / b; d/da = 1/b, d/db = -(a/b)/b."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return _float_op(np.true_divide, a, b)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        ga = grad / b if ctx.needs_input_grad[0] else None
        gb = -grad * ((a / b) / b) if ctx.needs_input_grad[1] else None
        return ga, gb


class RoundedDiv(Function):
    """Division rounded toward zero ('trunc') or down ('floor', Python's //); its gradient is zero."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, mode: str) -> np.ndarray:
        ad, bd, dt = prepare(a, b)
        ctx.mode = mode
        if dt == _BOOL:
            raise _not_implemented("div_trunc_cpu" if mode == "trunc" else "div_floor_cpu", dt)
        if dt.kind in "iu":
            if not bd.all():
                raise RuntimeError("ZeroDivisionError")
            q = np.floor_divide(ad, bd)
            if mode == "trunc":  # floor rounded negative inexact quotients one further from zero
                q += ((ad % bd) != 0) & ((ad < 0) != (bd < 0))
            return q
        token = quiet_fp()
        try:
            return np.trunc(np.true_divide(ad, bd)) if mode == "trunc" else np.floor_divide(ad, bd)
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        if ctx.mode == "floor_divide":
            raise RuntimeError("derivative for aten::floor_divide is not implemented")
        zero = grad * 0
        return (zero if ctx.needs_input_grad[0] else None), (zero if ctx.needs_input_grad[1] else None), None


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    """out = a / b element-wise; with ``rounding_mode`` the quotient is rounded.

    Args:
        a, b: Tensors or numbers of broadcastable shapes.
        rounding_mode: None (true division: integers give the default float dtype), 'trunc'
            (round toward zero) or 'floor' (round down); the rounded forms have zero gradient and
            keep integer dtypes.

    Returns:
        A Tensor of the broadcast shape. Division by zero gives inf/NaN for floats and raises for
        integers.
    """
    a, b = _args(a, b)
    if rounding_mode is None:
        return Div.apply(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    return RoundedDiv.apply(a, b, rounding_mode)


divide = true_divide = div


def floor_divide(a: Any, b: Any) -> Tensor:
    """out = floor(a / b) element-wise (Python's ``//``), in the promoted dtype.

    Args:
        a, b: Tensors or numbers of broadcastable shapes.

    Returns:
        A Tensor of the broadcast shape. Like torch it records no usable derivative: backward raises.
    """
    return RoundedDiv.apply(*_args(a, b), "floor_divide")


class Remainder(Function):
    """remainder (sign of the divisor, a - floor(a/b) b) or fmod (sign of the dividend, a - trunc(a/b) b)."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, mode: str) -> np.ndarray:
        token = quiet_fp()
        try:
            ad, bd, dt = prepare(a, b)
            if dt == _BOOL:
                raise _not_implemented("remainder_cpu" if mode == "floor" else "fmod_cpu", dt)
            if dt.kind in "iu" and not bd.all():
                raise RuntimeError("ZeroDivisionError")
            ctx.mode = mode
            ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[1] else None)
            return np.remainder(ad, bd) if mode == "floor" else np.fmod(ad, bd)
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        gb = -grad * div(a, b, rounding_mode=ctx.mode) if ctx.needs_input_grad[1] else None
        return grad, gb, None


def _remainder_op(name: str, mode: str, like: str) -> Callable[[Any, Any], Tensor]:
    """The public function ``name(a, b)`` = a - round(a / b) * b, ``mode`` 'floor' or 'trunc' rounding."""
    def op(a: Any, b: Any) -> Tensor:
        return Remainder.apply(*_args(a, b), mode)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""out = a - {mode}(a / b) * b element-wise: the remainder with the sign of {like}.

    Args:
        a, b: Tensors or numbers of broadcastable shapes (integer ``b`` must be non-zero).

    Returns:
        A Tensor of the broadcast shape and the promoted dtype; d/da = 1, d/db = -{mode}(a / b).
    """
    return op


remainder = _remainder_op("remainder", "floor", "``b``, like Python's ``%``")
fmod = _remainder_op("fmod", "trunc", "``a``, like C's fmod")


# ----------------------------------------------------------------------------- pow
def _int_pow(ad: np.ndarray, bd: np.ndarray) -> np.ndarray:
    """Integer power where negative exponents give 0, except for bases 1 and -1 (torch's powi)."""
    neg = bd < 0
    out = np.power(ad, np.where(neg, 0, bd))
    if neg.any():
        odd = (bd % 2) != 0
        special = np.where(ad == 1, 1, np.where(ad == -1, np.where(odd, -1, 1), 0)).astype(out.dtype)
        out = np.where(neg, special, out)
    return out


_POW_FAST = {2: np.square, 0.5: np.sqrt, -1: np.reciprocal}


class Pow(Function):
    """a ** b. d/da = b a^(b-1) (0 where b == 0); d/db = a^b log a (0 where a == 0 and b >= 0)."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        token = quiet_fp()
        try:
            return Pow._forward(ctx, a, b)
        finally:
            restore_fp(token)

    @staticmethod
    def _forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        """a ** b on arrays (x ** 0 and x ** 1 special-cased, integer powers as torch's powi)."""
        ad, bd, dt = prepare(a, b)
        scalar_exp = not isinstance(b, Tensor)
        if scalar_exp and b in (0, 1):  # torch: x ** 0 is ones, x ** 1 a copy (for any dtype, bool included)
            y = np.ones_like(ad) if b == 0 else ad.copy()
            ctx.save_for_backward(a, b, y if ctx.needs_input_grad[1] else None)
            return y
        if dt == _BOOL:
            raise _not_implemented("pow", dt)
        if dt.kind in "iu":
            if scalar_exp and b < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            y = _int_pow(ad, bd)
        elif scalar_exp and b in _POW_FAST:
            y = _POW_FAST[b](ad)
        else:
            y = np.power(ad, bd)
        ctx.save_for_backward(a, b, y if ctx.needs_input_grad[1] else None)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        token = quiet_fp()  # 0 * inf at the special points is meant (torch is silent too)
        try:
            return Pow._grads(ctx, grad, *ctx.saved_tensors)
        finally:
            restore_fp(token)

    @staticmethod
    def _grads(ctx: Function, grad: Tensor, a: Any, b: Any, y: Any) -> tuple:
        """(grad b a^(b-1), grad a^b log a) with torch's values at b == 0 and a == 0."""
        from ._pointwise_math import log  # imported here: the pointwise modules import this one

        ga = gb = None
        if ctx.needs_input_grad[0]:
            if not isinstance(b, Tensor):
                ga = grad * 0 if b == 0 else grad * (b * pow(a, b - 1))
            else:
                ga = where(_const(b.data == 0), 0.0, grad * (b * pow(a, b - 1)))
        if ctx.needs_input_grad[1]:
            if not isinstance(a, Tensor):
                if a == 0:
                    gb = grad * where(_const(b.data >= 0), 0.0, y * (-math.inf))
                else:
                    gb = grad * (y * float(np.log(float(a))))  # NaN for a negative base, like torch
            else:
                gb = grad * where(_const((a.data == 0) & (b.data >= 0)), 0.0, y * log(a))
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - torch's name
    """out = a ** b element-wise (a Tensor or a number on either side).

    Args:
        a: base; b: exponent; broadcastable shapes. Integer tensors to negative integer powers
            give 0 (1 and -1 excepted) for a tensor exponent and raise for a scalar one, as in torch.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype; d/da = b a^(b-1),
        d/db = a^b log(a) (0 where a == 0 and b >= 0).
    """
    return Pow.apply(*_args(a, b))


def float_power(a: Any, b: Any) -> Tensor:
    """out = a ** b computed in float64 (torch.float_power), whatever the input dtypes.

    Args:
        a: base (Tensor or number); b: exponent (Tensor or number), broadcastable with ``a``.

    Returns:
        A float64 Tensor of the broadcast shape.
    """
    a = _as_tensor(a).to(_dtype.float64)
    return pow(a, b.to(_dtype.float64) if isinstance(b, Tensor) else float(b))


# ----------------------------------------------------------------------------- atan2
class Atan2(Function):
    """atan2(a, b); d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _float_op(np.arctan2, a, b)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        recip = 1.0 / (a * a + b * b)
        ga = grad * b * recip if ctx.needs_input_grad[0] else None
        gb = grad * -a * recip if ctx.needs_input_grad[1] else None
        return ga, gb


def atan2(a: Any, b: Any) -> Tensor:
    """out = atan2(a, b): the angle of the point (x=b, y=a), in radians in (-pi, pi].

    Args:
        a: the y coordinates; b: the x coordinates (Tensor or number), broadcastable.

    Returns:
        A floating Tensor of the broadcast shape (integers give the default float dtype).
    """
    return Atan2.apply(_as_tensor(a), _args(a, b)[1])


arctan2 = atan2
