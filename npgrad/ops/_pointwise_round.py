"""Piecewise-linear unary ops: negation, abs and sign, rounding (floor, ceil, trunc, round, frac),
nan_to_num and clamp.

Their gradients are 1, -1, sign(x) or 0, and ``clamp`` routes the gradient to ``x`` or to a tensor
bound, following torch's rules. Rounding an integer tensor is a copy, as in torch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._binary_util import TORCH_NAMES, prepare, result_type
from ._pointwise_util import _apply, _Spec, _zero_grad
from ._util import quiet_fp, restore_fp


# ----------------------------------------------------------------------------- sign-like
class Neg(Function):
    """-x; the gradient is -grad (bool tensors are rejected like torch)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        if x.data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                               "to invert a mask, use the `~` or `logical_not()` operator instead.")
        return np.asarray(np.negative(x.data))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        return neg(grad)


def neg(x: Tensor) -> Tensor:
    """out = -x, element-wise.

    Args:
        x: a Tensor of any shape and numeric dtype (bool raises, as in torch).

    Returns:
        A Tensor of ``x``'s shape and dtype; d/dx = -1.
    """
    return Neg.apply(x)


negative = neg


def _sign(a: np.ndarray) -> np.ndarray:
    """(0 < a) - (a < 0): like torch, NaN gives 0 (np.sign gives NaN)."""
    return a.copy() if a.dtype == np.bool_ else np.subtract(a > 0, a < 0, dtype=a.dtype)


_ABS = _Spec("Abs", np.abs, lambda g, x: g * _sign(x), ints=True, bools=False)
_SIGN = _Spec("Sign", _sign, _zero_grad, ints=True)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """out = |x|, element-wise.

    Args:
        x: a Tensor of any shape; integer dtypes are kept (bool raises, as in torch).

    Returns:
        A Tensor of ``x``'s shape and dtype; d/dx = sign(x) (0 at 0).
    """
    return _apply(_ABS, x)


absolute = abs


def sign(x: Tensor) -> Tensor:
    """out = -1, 0 or 1 as x is negative, zero or positive, element-wise (0 for NaN, like torch).

    Args:
        x: a Tensor of any shape; its dtype is kept.

    Returns:
        A Tensor of ``x``'s shape and dtype; the gradient is zero.
    """
    return _apply(_SIGN, x)


# ----------------------------------------------------------------------------- rounding
_FLOOR = _Spec("Floor", np.floor, _zero_grad)
_CEIL = _Spec("Ceil", np.ceil, _zero_grad)
_TRUNC = _Spec("Trunc", np.trunc, _zero_grad)
_ROUND = _Spec("Round", lambda a, d: np.round(a, d), _zero_grad)
_FRAC = _Spec("Frac", lambda a: a - np.trunc(a), lambda g, x: g.copy(), bools=False)


def _rounding(spec: _Spec, x: Tensor, *p: Any) -> Tensor:
    """Run a rounding op: bool raises, integer tensors are already integral (a copy, like torch)."""
    if x.data.dtype == np.bool_:
        raise NotImplementedError(f"\"{spec.name.lower()}_vml_cpu\" not implemented for 'Bool'")
    if x.data.dtype.kind in "iu":
        return Tensor._make(x.data.copy())
    return _apply(spec, x, *p)


def _rounding_op(name: str, spec: _Spec, rule: str) -> Callable[[Tensor], Tensor]:
    """The public rounding function ``name(x)`` running ``spec`` (floor, ceil, trunc)."""
    def op(x: Tensor) -> Tensor:
        return _rounding(spec, x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""out = {rule}, element-wise.

    Args:
        x: a Tensor of any shape (integer tensors are returned as a copy; bool raises).

    Returns:
        A Tensor of ``x``'s shape and dtype; the gradient is zero.
    """
    return op


floor = _rounding_op("floor", _FLOOR, "the largest integer <= x")
ceil = _rounding_op("ceil", _CEIL, "the smallest integer >= x")
trunc = _rounding_op("trunc", _TRUNC, "x rounded toward zero (its integer part)")
fix = trunc


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001
    """out = x rounded to the nearest integer, halves to even; with ``decimals``, to that many digits.

    With ``decimals = d``: round(x * 10^d) / 10^d (x / 10^-d * 10^-d for d < 0).

    Args:
        x: a Tensor of any shape (integer tensors are returned as a copy; bool raises).
        decimals: number of decimal places (negative rounds to tens, hundreds, ...).

    Returns:
        A Tensor of ``x``'s shape and dtype; the gradient is zero.
    """
    return _rounding(_ROUND, x, int(decimals))


def frac(x: Tensor) -> Tensor:
    """out = x - trunc(x), the fractional part with the sign of x, element-wise.

    Args:
        x: a floating Tensor of any shape (integer and bool dtypes raise, as in torch).

    Returns:
        A Tensor of ``x``'s shape and dtype; d/dx = 1.
    """
    if x.data.dtype.kind in "iu":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{TORCH_NAMES[x.data.dtype]}'")
    return _apply(_FRAC, x)


def _nan_to_num_fwd(a: np.ndarray, nan: float, posinf: Any, neginf: Any) -> np.ndarray:
    """np.nan_to_num with the replacements given."""
    return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)


_NAN_TO_NUM = _Spec("NanToNum", _nan_to_num_fwd, lambda g, x, *p: g * np.isfinite(x), ints=True)


def nan_to_num(x: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """out = x with NaN, +inf and -inf replaced by finite numbers, element-wise.

    Args:
        x: a Tensor of any shape (integer tensors pass through unchanged).
        nan: the value for NaN.
        posinf, neginf: the values for +inf / -inf; None means the dtype's largest / lowest finite value.

    Returns:
        A Tensor of ``x``'s shape and dtype; d/dx = 1 where x is finite, 0 where it was replaced.
    """
    return _apply(_NAN_TO_NUM, x, nan, posinf, neginf)


# ----------------------------------------------------------------------------- clamp
def _is_number(v: Any) -> bool:
    """True for None or a Python float / int (a bound that cannot change a floating dtype)."""
    return v is None or v.__class__ is float or v.__class__ is int


def _bounds(a: np.ndarray, lo: Any, hi: Any) -> tuple:
    """The clamp bounds as operands for ``a`` (None where a bound is absent)."""
    return (None if lo is None else prepare(a, lo)[1]), (None if hi is None else prepare(a, hi)[1])


class Clamp(Function):
    """min(max(x, lo), hi) with scalar or tensor bounds (lo > hi gives hi, like torch).

    Gradient (torch's rule): to x where lo <= x <= hi; to lo where x < lo and lo < hi; to hi where
    x > hi or hi < lo (with one bound: where x is beyond it).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, lo: Any, hi: Any) -> np.ndarray:
        token = quiet_fp()  # a bound beyond the dtype's range is cast to inf silently, as in torch
        try:
            a = x.data
            if a.dtype.kind != "f" or not (_is_number(lo) and _is_number(hi)):  # numbers keep a float dtype
                dt = result_type(x, lo, hi)
                a = a if a.dtype == dt else a.astype(dt)
            lo_d, hi_d = _bounds(a, lo, hi)
            if lo_d is not None and hi_d is not None:
                out = np.minimum(np.maximum(a, lo_d), hi_d)
            else:
                out = np.maximum(a, lo_d) if lo_d is not None else np.minimum(a, hi_d)
        finally:
            restore_fp(token)
        ctx.save_for_backward(x, lo, hi)
        return np.asarray(out)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, lo, hi = ctx.saved_tensors
        token = quiet_fp()
        try:
            masks = Clamp._masks(ctx.needs_input_grad, x.data, lo, hi)
        finally:
            restore_fp(token)
        dt = grad.data.dtype
        return tuple(None if m is None else grad * Tensor._make(np.asarray(m, dt)) for m in masks)

    @staticmethod
    def _masks(needs: tuple, xd: np.ndarray, lo: Any, hi: Any) -> tuple:
        """Where the gradient goes to x, to lo and to hi (None for an input that needs none)."""
        lo_d, hi_d = _bounds(xd, lo, hi)
        m_x = m_lo = m_hi = None
        if needs[0]:
            m_x = np.ones((), bool)
            if lo_d is not None:
                m_x = m_x & (xd >= lo_d)
            if hi_d is not None:
                m_x = m_x & (xd <= hi_d)
        if needs[1]:
            m_lo = (xd < lo_d) & (lo_d < hi_d) if hi_d is not None else xd < lo_d
        if needs[2]:
            m_hi = (xd > hi_d) | (hi_d < lo_d) if lo_d is not None else xd > hi_d
        return m_x, m_lo, m_hi


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """out = min(max(x, min), max), element-wise; where min > max the result is max, as in torch.

    Args:
        x: a Tensor of any shape.
        min, max: the bounds, numbers or Tensors broadcastable to x; either may be None, not both.

    Returns:
        A Tensor of ``x``'s shape (broadcast with tensor bounds) in the promoted dtype. The gradient
        goes to x where min <= x <= max and to a tensor bound where it was chosen.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if x.data.dtype == np.bool_ and result_type(x, min, max) == np.bool_:
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    return Clamp.apply(x, min, max)


clip = clamp


def clamp_min(x: Tensor, min: Any) -> Tensor:  # noqa: A002
    """out = max(x, min), element-wise: ``clamp`` with a lower bound only.

    Args:
        x: a Tensor; min: a number or a Tensor broadcastable to x.

    Returns:
        A Tensor as for ``clamp``; the gradient goes to x where x >= min.
    """
    return clamp(x, min, None)


def clamp_max(x: Tensor, max: Any) -> Tensor:  # noqa: A002
    """out = min(x, max), element-wise: ``clamp`` with an upper bound only.

    Args:
        x: a Tensor; max: a number or a Tensor broadcastable to x.

    Returns:
        A Tensor as for ``clamp``; the gradient goes to x where x <= max.
    """
    return clamp(x, None, max)
