"""Smooth activations: elu / selu / celu, gelu, silu, mish, softplus, logsigmoid, softsign and
tanhshrink.

Each is a ``_Spec`` run by ``Unary`` (see ``_pointwise_util``), with a fused first derivative on
arrays and a Tensor-op second derivative. gelu, silu and mish cache a by-product of the forward
(the cdf, the sigmoid, ...) for the first backward. The elu family rounds its coefficients as
torch's kernels do, so float32 results agree with torch's bit for bit up to exp / expm1 rounding.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._binary_select import where
from ._binary_util import where_array
from ._pointwise_erf import _erf, _erfc_large
from ._pointwise_math import exp, log1p, sigmoid, tanh
from ._pointwise_round import abs, sign  # noqa: A004
from ._pointwise_util import _activation_op, _apply, _log1p_unit, _sigmoid, _Spec, _times

_SQRT1_2, _INV_SQRT_2PI = math.sqrt(0.5), 1.0 / math.sqrt(2.0 * math.pi)
_GELU_BETA, _GELU_KAPPA = math.sqrt(2.0 / math.pi), 0.044715
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


# ----------------------------------------------------------------------------- elu / selu / celu
# Parameters (alpha, scale, isc): f(x) = scale x for x > 0, alpha scale (exp(isc x) - 1) otherwise.
# torch's kernels round negcoef = alpha * scale in the op's math type (float32 for float32 and
# float16), and celu's backward uses input scale 1 / float32(alpha) (derivatives.yaml:
# ``1.0 / alpha.toFloat()``) where its forward uses 1 / alpha: ``_grad_isc`` gives the former.
@functools.lru_cache(maxsize=64)
def _f32_product(alpha: float, scale: float) -> float:
    """float32(alpha) * float32(scale), rounded to float32."""
    return float(np.float32(alpha) * np.float32(scale))


def _negcoef(dt: np.dtype, alpha: float, scale: float) -> float:
    """alpha * scale as torch's elu kernels round it for an array of dtype ``dt``."""
    if scale == 1.0 or dt == np.float64:  # alpha alone is rounded to the dtype where it is used
        return alpha * scale
    return _f32_product(alpha, scale)


def _grad_isc(alpha: float, isc: float) -> float:
    """The input scale of the backward: 1 for elu / selu, 1 / float32(alpha) for celu."""
    return 1.0 if isc == 1.0 else 1.0 / _f32_product(alpha, 1.0)


def _elu_fwd(a: np.ndarray, alpha: float, scale: float, isc: float) -> np.ndarray:
    """x <= 0: expm1(x * isc) * (alpha * scale); x > 0: scale * x (elu, selu, celu)."""
    t = np.minimum(a, 0.0)
    if isc != 1.0:
        t *= isc
    np.expm1(t, out=t)
    t *= _negcoef(a.dtype, alpha, scale)  # the positive part is 0 here and max(scale x, 0) is 0 on the negative part
    t += np.maximum(a * scale if scale != 1.0 else a, 0.0)
    return t


def _elu_grad(g: np.ndarray, x: np.ndarray, alpha: float, scale: float, isc: float) -> np.ndarray:
    """x > 0: g scale; else ((g * isc') * negcoef) * exp(x * isc'), torch's order of roundings."""
    isc = _grad_isc(alpha, isc)
    t = np.minimum(x, 0.0)
    if isc != 1.0:
        t *= isc
    np.exp(t, out=t)
    neg = g * isc if isc != 1.0 else g.copy()
    neg *= _negcoef(x.dtype, alpha, scale)
    return where_array(x > 0, g * scale if scale != 1.0 else g, _times(t, neg))


def _elu_d2(x: Tensor, alpha: float, scale: float, isc: float) -> Tensor:
    """x <= 0: alpha scale isc'^2 exp(x isc') (the backward's input scale); 0 for x > 0."""
    isc = _grad_isc(alpha, isc)
    return where(Tensor._make(x.data > 0), 0.0, exp(x * isc) * (alpha * scale * isc * isc))


# ----------------------------------------------------------------------------- gelu / silu / mish
def _gelu_fwd(a: np.ndarray, approximate: str) -> tuple:
    """(x Phi(x), aux); Phi is 0.5 (1 + erf(x / sqrt 2)), or for the tanh form
    0.5 (1 + tanh(u)) = sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3).

    ``aux`` (kept for the backward) is Phi, or (sigmoid(2u), sigmoid(-2u)) for the tanh form: both
    computed directly, so neither 1 + tanh(u) nor 1 - tanh(u)^2 cancels in the tails."""
    if approximate == "tanh":
        t = a * a
        t *= 2.0 * _GELU_KAPPA * _GELU_BETA
        t += 2.0 * _GELU_BETA
        t *= a  # 2u
        s, sc = _sigmoid(t), _sigmoid(np.negative(t, out=t))
        return s * a, (s, sc)
    t = _erf(a, _SQRT1_2)
    t += 1.0
    t *= 0.5
    if a.dtype != np.float64:
        # Phi(x) = erfc(-x / sqrt 2) / 2 where 1 + erf would cancel (x < -1.77): in float32 that
        # subtraction keeps only a few correct bits of a value near 1e-4.
        tail = np.flatnonzero(a.reshape(-1) < -1.25 / _SQRT1_2)
        if tail.size:
            z = np.negative(a.reshape(-1).take(tail), dtype=np.float64) * _SQRT1_2
            t.reshape(-1)[tail] = 0.5 * _erfc_large(z)
    return t * a, t


def _gelu_grad(g: np.ndarray, x: np.ndarray, approximate: str, aux: Any = None) -> np.ndarray:
    """g (Phi(x) + x phi(x)); for the tanh form g (s + 2 x s (1 - s) du/dx) with s = sigmoid(2u),
    du/dx = sqrt(2/pi) (1 + 3 * 0.044715 x^2). ``aux`` is the forward's (see ``_gelu_fwd``)."""
    if approximate == "tanh":
        s, sc = aux if aux is not None else _gelu_fwd(x, "tanh")[1]
        du = x * x
        du *= 3.0 * _GELU_KAPPA * _GELU_BETA
        du += _GELU_BETA
        du *= sc
        du *= s
        du *= x
        du *= 2.0
        du += s
        return _times(du, g)
    cdf = aux if aux is not None else _gelu_fwd(x, "none")[1]
    pdf = np.square(x)  # Phi(x) + x phi(x)
    pdf *= -0.5
    np.exp(pdf, out=pdf)
    pdf *= _INV_SQRT_2PI
    pdf *= x
    pdf += cdf
    return _times(pdf, g)


def _gelu_d2(x: Tensor, approximate: str) -> Tensor:
    """The second derivative of gelu (exact: phi(x) (2 - x^2))."""
    if approximate == "tanh":
        x2 = x * x
        t = tanh(x * (x2 * _GELU_KAPPA + 1.0) * _GELU_BETA)
        du = (x2 * (3.0 * _GELU_KAPPA) + 1.0) * _GELU_BETA
        return (1.0 - t * t) * (du + x * 0.5 * (x * (6.0 * _GELU_KAPPA * _GELU_BETA) - 2.0 * t * du * du))
    return exp(x * x * -0.5) * _INV_SQRT_2PI * (2.0 - x * x)


def _silu_fwd(a: np.ndarray) -> tuple:
    """(x sigmoid(x), sigmoid(x))."""
    sig = _sigmoid(a)
    return a * sig, sig


def _silu_grad(g: np.ndarray, x: np.ndarray, aux: Any = None) -> np.ndarray:
    """g s (1 + x (1 - s)), s = sigmoid(x) (``aux`` from the forward)."""
    sig = aux if aux is not None else _sigmoid(x)  # sigmoid (1 + x (1 - sigmoid))
    t = np.subtract(1.0, sig)
    t *= x
    t += 1.0
    t *= sig
    return _times(t, g)


def _silu_d2(x: Tensor) -> Tensor:
    """s (1 - s) (2 + x (1 - 2 s)), s = sigmoid(x)."""
    s = sigmoid(x)
    return s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s))


def _mish_parts(x: np.ndarray) -> tuple:
    """tanh(softplus(x)) and sigmoid(x) from a single exp: with n = e^x, tanh(log(1 + n)) =
    n (n + 2) / (n (n + 2) + 2) and sigmoid(x) = n / (n + 1) (x is capped at 20, where both are 1)."""
    n = np.minimum(x, 20.0)
    np.exp(n, out=n)
    sig = n + 1.0
    np.divide(n, sig, out=sig)
    n *= n + 2.0
    th = n + 2.0
    np.divide(n, th, out=th)
    return th, sig


def _mish_fwd(a: np.ndarray) -> tuple:
    """(x tanh(softplus(x)), (tanh(softplus(x)), sigmoid(x)))."""
    th, sig = _mish_parts(a)
    return th * a, (th, sig)


def _mish_grad(g: np.ndarray, x: np.ndarray, aux: Any = None) -> np.ndarray:
    """g (t + x sigmoid(x) (1 - t^2)), t = tanh(softplus(x))."""
    th, sig = aux if aux is not None else _mish_parts(x)  # tanh(sp) + x sigmoid (1 - tanh(sp)^2)
    t = np.square(th)
    np.subtract(1.0, t, out=t)
    t *= sig
    t *= x
    t += th
    return _times(t, g)


def _mish_d2(x: Tensor) -> Tensor:
    """The second derivative of mish."""
    s, t = sigmoid(x), tanh(log1p(exp(x)))
    return (1.0 - t * t) * s * (2.0 + x * (1.0 - s - 2.0 * t * s))


# ----------------------------------------------------------------------------- softplus / logsigmoid / ...
def _softplus_fwd(a: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    """(max(bx, 0) + log1p(exp(-|bx|))) / beta, bx = beta x; x itself where bx > threshold."""
    bx = a * beta  # log1p(exp(bx)) = max(bx, 0) + log1p(exp(-|bx|))
    t = np.abs(bx)
    np.negative(t, out=t)
    np.exp(t, out=t)
    t = _log1p_unit(t)
    t += np.maximum(bx, 0.0)
    if beta != 1.0:
        t /= beta
    return where_array(bx > threshold, a, t)


def _softplus_grad(g: np.ndarray, x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    """g sigmoid(beta x) (g above the threshold)."""
    bx = x * beta
    z = np.exp(bx)
    t = z / (z + 1.0)
    return where_array(bx > threshold, g, _times(t, g))


def _softplus_d2(x: Tensor, beta: float, threshold: float) -> Tensor:
    """beta s (1 - s), s = sigmoid(beta x); 0 above the threshold."""
    s = sigmoid(x * beta)
    return where(Tensor._make(x.data * beta > threshold), 0.0, s * (1.0 - s) * beta)


def _logsigmoid_fwd(a: np.ndarray) -> np.ndarray:
    """min(x, 0) - log1p(exp(-|x|))."""
    z = np.abs(a)  # min(x, 0) - log1p(exp(-|x|))
    np.negative(z, out=z)
    np.exp(z, out=z)
    z = _log1p_unit(z)
    return np.subtract(np.minimum(a, 0.0), z, out=z)


def _logsigmoid_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g (1 - sigmoid(x)), as g / (1 + e^x) (g e^-x / (1 + e^-x) for x > 0)."""
    z = np.abs(x)
    np.negative(z, out=z)
    np.exp(z, out=z)
    d = z + 1.0
    return _times(np.divide(where_array(x < 0, np.ones((), z.dtype), z), d, out=d), g)


def _softsign_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g / (1 + |x|)^2."""
    t = np.abs(x)
    t += 1.0
    np.square(t, out=t)
    return np.divide(g, t, out=t) if t.shape == g.shape and t.dtype == g.dtype else g / t


def _tanhshrink_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g tanh(x)^2."""
    t = np.tanh(x)
    np.square(t, out=t)
    return _times(t, g)


_ELU = _Spec("Elu", _elu_fwd, _elu_grad, _elu_d2)
_GELU = _Spec("Gelu", _gelu_fwd, _gelu_grad, _gelu_d2, cache=True)
_SILU = _Spec("Silu", _silu_fwd, _silu_grad, _silu_d2, cache=True)
_MISH = _Spec("Mish", _mish_fwd, _mish_grad, _mish_d2, cache=True)
_SOFTPLUS = _Spec("Softplus", _softplus_fwd, _softplus_grad, _softplus_d2)
_LOGSIGMOID = _Spec("LogSigmoid", _logsigmoid_fwd, _logsigmoid_grad, lambda x: sigmoid(x) * (sigmoid(x) - 1.0))
_SOFTSIGN = _Spec("Softsign", lambda a: a / (np.abs(a) + 1.0), _softsign_grad,
                  lambda x: -2.0 * sign(x) / (abs(x) + 1.0) ** 3)
_TANHSHRINK = _Spec("Tanhshrink", lambda a: a - np.tanh(a), _tanhshrink_grad,
                    lambda x: 2.0 * tanh(x) * (1.0 - tanh(x) ** 2))


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """out = x if x > 0 else alpha * (e^x - 1), element-wise.

    Args:
        x: a Tensor of any shape.
        alpha: the value the negative side tends to is -alpha.
        inplace: write the result into ``x`` and return it.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 for x > 0, alpha e^x otherwise.
    """
    if inplace:
        return x._inplace(elu, alpha)
    return _apply(_ELU, x, float(alpha), 1.0, 1.0)


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """out = scale * (x if x > 0 else alpha * (e^x - 1)), element-wise, with the self-normalising
    constants alpha = 1.6732632..., scale = 1.0507009...

    Args:
        x: a Tensor of any shape.
        inplace: write the result into ``x`` and return it.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = scale for x > 0, scale alpha e^x otherwise.
    """
    return x._inplace(selu) if inplace else _apply(_ELU, x, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """out = x if x > 0 else alpha * (e^(x / alpha) - 1), element-wise (continuously differentiable elu).

    Args:
        x: a Tensor of any shape.
        alpha: the scale of the negative side (non-zero).
        inplace: write the result into ``x`` and return it.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 for x > 0, e^(x / alpha) otherwise (computed,
        like torch, with 1 / alpha rounded through float32).
    """
    if inplace:
        return x._inplace(celu, alpha)
    return _apply(_ELU, x, float(alpha), 1.0, 1.0 / alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """out = x * Phi(x), element-wise, Phi the standard normal cdf 0.5 (1 + erf(x / sqrt 2)).

    Args:
        x: a Tensor of any shape.
        approximate: 'none' (exact, via erf) or 'tanh', which uses
            Phi(x) ~ 0.5 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = Phi(x) + x phi(x) (or the tanh form's derivative).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _apply(_GELU, x, approximate)


silu = _activation_op("silu", _SILU, "x * sigmoid(x) (also called swish)",
                      "s (1 + x (1 - s)) with s = sigmoid(x)")
mish = _activation_op("mish", _MISH, "x * tanh(softplus(x)) = x * tanh(ln(1 + e^x))",
                      "t + x sigmoid(x) (1 - t^2) with t = tanh(softplus(x))")


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """out = ln(1 + e^(beta x)) / beta, element-wise, and x itself where beta x > threshold.

    Args:
        x: a Tensor of any shape.
        beta: sharpness (the result tends to relu as beta grows).
        threshold: above this value of beta x the function is taken as linear.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = sigmoid(beta x) (1 above the threshold).
    """
    return _apply(_SOFTPLUS, x, float(beta), float(threshold))


def logsigmoid(x: Tensor) -> Tensor:
    """out = ln(sigmoid(x)) = min(x, 0) - ln(1 + e^-|x|), element-wise, finite for any input.

    Args:
        x: a Tensor of any shape.

    Returns:
        A floating Tensor of ``x``'s shape, <= 0; d/dx = 1 - sigmoid(x).
    """
    return _apply(_LOGSIGMOID, x)


def softsign(x: Tensor) -> Tensor:
    """out = x / (1 + |x|), element-wise, in (-1, 1).

    Args:
        x: a Tensor of any shape.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = 1 / (1 + |x|)^2.
    """
    return _apply(_SOFTSIGN, x)


def tanhshrink(x: Tensor) -> Tensor:
    """out = x - tanh(x), element-wise.

    Args:
        x: a Tensor of any shape.

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = tanh(x)^2.
    """
    return _apply(_TANHSHRINK, x)
