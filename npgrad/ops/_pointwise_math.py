"""Smooth unary math functions: exp / log / powers, trigonometry, sigmoid, erf and logit.

Each is a ``_Spec`` run by ``Unary`` (see ``_pointwise_util``), so first and second derivatives
come with it. Integer and bool inputs compute in the default float dtype, except ``square``,
which keeps integer dtypes (bool becomes int64), as in torch.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from ._binary_select import where
from ._binary_util import where_array
from ._pointwise_erf import _erf
from ._pointwise_util import _apply, _sigmoid, _Spec, _times, _unary_op

_LN2, _LN10 = math.log(2.0), math.log(10.0)


# ----------------------------------------------------------------------------- exp / log / powers
def _recip_sq(s: Tensor) -> Tensor:
    """-1 / s^2: the derivative of 1 / s."""
    return -1.0 / (s * s)


_EXP = _Spec("Exp", np.exp, lambda g, y: g * y, lambda y: 1.0, out=True)
_EXP2 = _Spec("Exp2", np.exp2, lambda g, y: g * y * _LN2, lambda y: _LN2, out=True)
_EXPM1 = _Spec("Expm1", np.expm1, lambda g, y: g * (y + 1.0), lambda y: 1.0, out=True)
_LOG = _Spec("Log", np.log, lambda g, x: g / x, _recip_sq)
_LOG2 = _Spec("Log2", np.log2, lambda g, x: g / (x * _LN2), lambda x: _recip_sq(x) * (1.0 / _LN2))
_LOG10 = _Spec("Log10", np.log10, lambda g, x: g / (x * _LN10), lambda x: _recip_sq(x) * (1.0 / _LN10))
_LOG1P = _Spec("Log1p", np.log1p, lambda g, x: g / (x + 1.0), lambda x: _recip_sq(x + 1.0))
_SQRT = _Spec("Sqrt", np.sqrt, lambda g, y: g / (y * 2.0), lambda y: -0.5 / (y * y), out=True)
_RSQRT = _Spec("Rsqrt", lambda a: np.reciprocal(np.sqrt(a)), lambda g, y: g * (-0.5 * y * y * y),
               lambda y: -1.5 * y * y, out=True)
_SQUARE = _Spec("Square", np.square, lambda g, x: g * (2.0 * x), lambda x: 2.0, ints=True)
_RECIPROCAL = _Spec("Reciprocal", np.reciprocal, lambda g, y: -g * (y * y), lambda y: -2.0 * y, out=True)


exp = _unary_op("exp", _EXP, "e^x (overflow gives inf)", "e^x")
exp2 = _unary_op("exp2", _EXP2, "2^x", "2^x ln 2")
expm1 = _unary_op("expm1", _EXPM1, "e^x - 1, accurate for x near 0", "e^x")
log = _unary_op("log", _LOG, "ln(x), the natural logarithm (-inf at 0, NaN below)", "1 / x")
log2 = _unary_op("log2", _LOG2, "log2(x), the base-2 logarithm", "1 / (x ln 2)")
log10 = _unary_op("log10", _LOG10, "log10(x), the base-10 logarithm", "1 / (x ln 10)")
log1p = _unary_op("log1p", _LOG1P, "ln(1 + x), accurate for x near 0", "1 / (1 + x)")
sqrt = _unary_op("sqrt", _SQRT, "sqrt(x) (NaN for x < 0)", "1 / (2 sqrt(x))")
rsqrt = _unary_op("rsqrt", _RSQRT, "1 / sqrt(x) (inf at 0)", "-x^(-3/2) / 2")
reciprocal = _unary_op("reciprocal", _RECIPROCAL, "1 / x (inf at 0)", "-1 / x^2")


def square(x: Tensor) -> Tensor:
    """out = x^2, element-wise.

    Args:
        x: a Tensor of any shape; integer dtypes are kept and bool becomes int64, as in torch.

    Returns:
        A Tensor of ``x``'s shape; d/dx = 2x.
    """
    if x.data.dtype == np.bool_:
        return _apply(_SQUARE, Tensor._make(x.data.astype(np.int64)))
    return _apply(_SQUARE, x)


# ----------------------------------------------------------------------------- trigonometry / special
def _tan_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g (1 + tan^2)."""
    t = y * y
    t += 1.0
    return _times(t, g)


def _tanh_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g (1 - tanh^2)."""
    t = y * y
    np.subtract(1.0, t, out=t)
    return _times(t, g)


def _sigmoid_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g y (1 - y) with y = sigmoid(x)."""
    t = np.subtract(1.0, y)
    t *= y
    return _times(t, g)


def _erf_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g (2 / sqrt(pi)) exp(-x^2)."""
    t = np.square(x)
    np.negative(t, out=t)
    np.exp(t, out=t)
    t *= 2.0 / math.sqrt(math.pi)
    return _times(t, g)


_SIN = _Spec("Sin", np.sin, lambda g, x: g * np.cos(x), lambda x: -sin(x))
_COS = _Spec("Cos", np.cos, lambda g, x: -g * np.sin(x), lambda x: -cos(x))
_TAN = _Spec("Tan", np.tan, _tan_grad, lambda y: 2.0 * y, out=True)
_TANH = _Spec("Tanh", np.tanh, _tanh_grad, lambda y: -2.0 * y, out=True)
_SIGMOID = _Spec("Sigmoid", _sigmoid, _sigmoid_grad, lambda y: 1.0 - 2.0 * y, out=True)
_ERF = _Spec("Erf", _erf, _erf_grad, lambda x: x * exp(-(x * x)) * (-4.0 / math.sqrt(math.pi)))


sin = _unary_op("sin", _SIN, "sin(x), x in radians", "cos(x)")
cos = _unary_op("cos", _COS, "cos(x), x in radians", "-sin(x)")
tan = _unary_op("tan", _TAN, "tan(x), x in radians", "1 + tan(x)^2")
tanh = _unary_op("tanh", _TANH, "tanh(x) = (e^x - e^-x) / (e^x + e^-x), in [-1, 1]", "1 - tanh(x)^2")
sigmoid = _unary_op("sigmoid", _SIGMOID, "1 / (1 + e^-x), in [0, 1], exact in both tails (no NaN)",
                    "sigmoid(x) (1 - sigmoid(x))")
erf = _unary_op("erf", _ERF, "(2 / sqrt(pi)) * integral from 0 to x of exp(-t^2) dt, in [-1, 1] (see _pointwise_erf)",
                "(2 / sqrt(pi)) exp(-x^2)")


# ----------------------------------------------------------------------------- logit
def _logit_mask(x: np.ndarray, eps: float | None) -> tuple:
    """Where x is outside [eps, 1 - eps] (or [0, 1]), and the gradient there (0, or NaN without eps)."""
    lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
    return (x < lo) | (x > hi), (np.nan if eps is None else 0.0)


def _logit_fwd(a: np.ndarray, eps: float | None) -> np.ndarray:
    """log(a / (1 - a)) with a clamped to [eps, 1 - eps] when eps is given."""
    if eps is not None:
        a = np.clip(a, eps, 1.0 - eps)
    return np.log(a / (1.0 - a))


def _logit_grad(g: np.ndarray, x: np.ndarray, eps: float | None) -> np.ndarray:
    """g / (x (1 - x)) inside the range, 0 (NaN without eps) outside."""
    out_of_range, fill = _logit_mask(x, eps)
    return where_array(out_of_range, np.asarray(fill, g.dtype), g / (x * (1.0 - x)))


def _logit_d2(x: Tensor, eps: float | None) -> Tensor:
    """(2x - 1) / (x (1 - x))^2 inside the range."""
    out_of_range, fill = _logit_mask(x.data, eps)
    q = x * (1.0 - x)
    return where(Tensor._make(out_of_range), fill, (2.0 * x - 1.0) / (q * q))


_LOGIT = _Spec("Logit", _logit_fwd, _logit_grad, _logit_d2)


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    """out = ln(z / (1 - z)) with z = clamp(x, eps, 1 - eps) (z = x when eps is None), element-wise.

    Args:
        x: a Tensor of any shape, probabilities in [0, 1] (integers compute in the default float dtype).
        eps: the clamping margin; None leaves x as is (values outside [0, 1] give NaN).

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 / (x (1 - x)) inside the range, 0 outside
        [eps, 1 - eps] (NaN outside [0, 1] when eps is None).
    """
    return _apply(_LOGIT, x, None if eps is None else float(eps))
