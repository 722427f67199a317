"""Unary element-wise ops and activations.

Every op ``y = f(x)`` is described by a small ``_Spec``: its forward on arrays, the product
``grad * f'(s)`` on arrays (``s`` is the input ``x`` or, where cheaper, the output ``y``), and
``d f'(s) / ds`` written with Tensor ops. ``Unary`` runs the forward; its backward is another
Function, ``UnaryGrad``, whose forward is the fast fused array product and whose own backward
uses the Tensor-op second derivative, so double (and higher) backward works like in torch.

Integer inputs to floating functions (exp, sqrt, sigmoid, ...) compute in the default float
dtype, as torch does. Constants are Python floats so float32 work stays float32.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from .binary import TORCH_NAMES, prepare, result_type, where, where_array


class _Spec:
    """One element-wise op: forward, fused gradient product and second derivative (see module doc)."""

    __slots__ = ("name", "fwd", "grad", "d2", "out", "ints", "bools", "cache")

    def __init__(self, name: str, fwd: Callable, grad: Callable, d2: Callable | None = None, *,
                 out: bool = False, ints: bool = False, bools: bool = True, cache: bool = False) -> None:
        self.name, self.fwd, self.grad, self.d2 = name, fwd, grad, d2
        self.out = out  # the gradient is a function of the output y instead of x
        self.ints = ints  # integer (and bool) inputs keep their dtype
        self.bools = bools  # bool inputs are accepted
        self.cache = cache  # fwd returns (y, aux); grad(..., aux=aux) reuses it (recomputes when None)


class Unary(Function):
    """y = spec.fwd(x, *params); saves x (or y) for ``UnaryGrad``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, spec: _Spec, *p: Any) -> np.ndarray:
        a = x.data
        if a.dtype.kind != "f":
            if a.dtype.kind == "b" and not spec.bools:
                raise NotImplementedError(f"\"{spec.name.lower()}_cpu\" not implemented for 'Bool'")
            if not spec.ints:
                a = a.astype(_dtype.get_default_dtype().np)
        ctx.spec, ctx.p, ctx._node_name = spec, p, spec.name + "Backward0"
        with np.errstate(all="ignore"):  # 0-d work is done in 1-d: ufuncs give scalars for 0-d input
            y = spec.fwd(a, *p) if a.ndim else spec.fwd(a.reshape(1), *p)
        if spec.cache:
            y, aux = y
            if ctx.needs_input_grad[0]:
                ctx.aux = aux  # a by-product of the forward that the first backward reuses
        y = y if a.ndim else y.reshape(())
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(y if spec.out else x)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (s,) = ctx.saved_tensors
        kw = {}
        if ctx.spec.cache:
            kw["aux"], ctx.aux = ctx.aux, None  # used once; a retained graph recomputes it
        return (UnaryGrad.apply(grad, s, ctx.spec, *ctx.p, **kw),) + (None,) * (1 + len(ctx.p))


class UnaryGrad(Function):
    """grad * f'(s) as one op; its backward is (gg * f'(s), gg * grad * f''(s))."""

    @staticmethod
    def forward(ctx: Function, grad: Tensor, s: Tensor, spec: _Spec, *p: Any, aux: Any = None) -> np.ndarray:
        ctx.spec, ctx.p, ctx._node_name = spec, p, spec.name + "BackwardBackward0"
        ctx.save_for_backward(grad if ctx.needs_input_grad[1] else None, s)
        g, sd = grad.data, s.data
        kw = {"aux": aux} if spec.cache else {}
        with np.errstate(all="ignore"):
            if g.ndim:
                return spec.grad(g, sd, *p, **kw)
            return spec.grad(g.reshape(1), sd.reshape(1), *p, **kw).reshape(())

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        grad, s = ctx.saved_tensors
        spec, p = ctx.spec, ctx.p
        g_grad = UnaryGrad.apply(gg, s, spec, *p) if ctx.needs_input_grad[0] else None
        g_s = None
        if ctx.needs_input_grad[1]:
            d2 = spec.d2(s, *p) if spec.d2 is not None else 0.0
            g_s = gg * grad * d2 if not isinstance(d2, float) or d2 != 0.0 else gg * 0.0
        return (g_grad, g_s, None) + (None,) * len(p)


def _apply(spec: _Spec, x: Any, *p: Any) -> Tensor:
    if not isinstance(x, Tensor):
        x = Tensor._make(np.asarray(x))
    return Unary.apply(x, spec, *p)


# ----------------------------------------------------------------------------- helpers on arrays
def _times(t: np.ndarray, g: np.ndarray) -> np.ndarray:
    """t * g, written into the temporary ``t`` when the shapes allow."""
    return np.multiply(t, g, out=t) if t.shape == g.shape and t.dtype == g.dtype else t * g


def _log1p_unit(u: np.ndarray) -> np.ndarray:
    """log1p(u) for u in [0, 1] (overwrites u) with the vectorised log instead of NumPy's scalar
    log1p (~8x slower): log(w) u / (w - 1), w = 1 + u, exact to a few ulp (Goldberg 1991, thm 4)."""
    w = u + 1.0
    d = w - 1.0
    tiny = d == 0  # u below half an ulp of 1: log1p(u) = u
    d += tiny
    np.log(w, out=w)
    w *= u
    w /= d
    u *= tiny
    w += u
    return w


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)); exp overflow gives the exact limit 0 (warnings are silenced)."""
    t = np.negative(a)
    np.exp(t, out=t)
    t += 1.0
    return np.reciprocal(t, out=t)


def _zero_grad(g: np.ndarray, s: np.ndarray, *p: Any) -> np.ndarray:
    return np.zeros_like(g)


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_SQRT1_2, _INV_SQRT_2PI = math.sqrt(0.5), 1.0 / math.sqrt(2.0 * math.pi)
_GELU_BETA, _GELU_KAPPA = math.sqrt(2.0 / math.pi), 0.044715
_ONE_SIXTH = float(np.float32(1.0) / np.float32(6.0))  # torch's hardsigmoid backward multiplies by 1.0f / 6
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


# ----------------------------------------------------------------------------- sign-like and rounding
class Neg(Function):
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
    return Neg.apply(x)


negative = neg

def _sign(a: np.ndarray) -> np.ndarray:
    """(0 < a) - (a < 0): like torch, NaN gives 0 (np.sign gives NaN)."""
    return a.copy() if a.dtype == np.bool_ else np.subtract(a > 0, a < 0, dtype=a.dtype)


_ABS = _Spec("Abs", np.abs, lambda g, x: g * _sign(x), ints=True, bools=False)
_SIGN = _Spec("Sign", _sign, _zero_grad, ints=True)
_FLOOR = _Spec("Floor", np.floor, _zero_grad)
_CEIL = _Spec("Ceil", np.ceil, _zero_grad)
_TRUNC = _Spec("Trunc", np.trunc, _zero_grad)
_ROUND = _Spec("Round", lambda a, d: np.round(a, d), _zero_grad)
_FRAC = _Spec("Frac", lambda a: a - np.trunc(a), lambda g, x: g.copy(), bools=False)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """|x|; gradient sign(x) (0 at 0)."""
    return _apply(_ABS, x)


absolute = abs


def sign(x: Tensor) -> Tensor:
    """-1, 0 or 1 (0 for NaN, like torch); gradient zero."""
    return _apply(_SIGN, x)


def _rounding(spec: _Spec, x: Tensor, *p: Any) -> Tensor:
    if x.data.dtype == np.bool_:
        raise NotImplementedError(f"\"{spec.name.lower()}_vml_cpu\" not implemented for 'Bool'")
    if x.data.dtype.kind in "iu":  # already integral: a copy, like torch
        return Tensor._make(x.data.copy())
    return _apply(spec, x, *p)


def floor(x: Tensor) -> Tensor:
    return _rounding(_FLOOR, x)


def ceil(x: Tensor) -> Tensor:
    return _rounding(_CEIL, x)


def trunc(x: Tensor) -> Tensor:
    return _rounding(_TRUNC, x)


fix = trunc


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round half to even; with ``decimals``, round(x * 10^d) / 10^d (x / 10^-d * 10^-d for d < 0)."""
    return _rounding(_ROUND, x, int(decimals))


def frac(x: Tensor) -> Tensor:
    """x - trunc(x); gradient 1."""
    if x.data.dtype.kind in "iu":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{TORCH_NAMES[x.data.dtype]}'")
    return _apply(_FRAC, x)


# ----------------------------------------------------------------------------- exp / log / powers
def _recip_sq(s: Tensor) -> Tensor:
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


def exp(x: Tensor) -> Tensor:
    return _apply(_EXP, x)


def exp2(x: Tensor) -> Tensor:
    return _apply(_EXP2, x)


def expm1(x: Tensor) -> Tensor:
    return _apply(_EXPM1, x)


def log(x: Tensor) -> Tensor:
    return _apply(_LOG, x)


def log2(x: Tensor) -> Tensor:
    return _apply(_LOG2, x)


def log10(x: Tensor) -> Tensor:
    return _apply(_LOG10, x)


def log1p(x: Tensor) -> Tensor:
    return _apply(_LOG1P, x)


def sqrt(x: Tensor) -> Tensor:
    return _apply(_SQRT, x)


def rsqrt(x: Tensor) -> Tensor:
    return _apply(_RSQRT, x)


def square(x: Tensor) -> Tensor:
    if x.data.dtype == np.bool_:
        return _apply(_SQUARE, Tensor._make(x.data.astype(np.int64)))
    return _apply(_SQUARE, x)


def reciprocal(x: Tensor) -> Tensor:
    return _apply(_RECIPROCAL, x)


# ----------------------------------------------------------------------------- erf (no SciPy)
# Rational approximations of W. J. Cody's type as tabulated in fdlibm's s_erf.c (Sun Microsystems,
# freely redistributable), highest power first. |error| < 1 ulp in float64 on every range.
_ERX = 8.45062911510467529297e-01
_PP = (-2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02,
       -3.25042107247001499370e-01, 1.28379167095512558561e-01)
_QQ = (-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
       6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0)
_PA = (-2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01,
       3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01,
       -2.36211856075265944077e-03)
_QA = (1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01,
       7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01, 1.0)
_RA = (-9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02,
       -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01,
       -6.93858572707181764372e-01, -9.86494403484714822705e-03)
_SA = (-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02,
       4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02,
       1.37657754143519042600e+02, 1.96512716674392571292e+01, 1.0)
_RB = (-4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02,
       -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01,
       -9.86494292470009928597e-03)
_SB = (-2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03,
       3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02,
       3.03380607434824582924e+01, 1.0)


# float32: erf(x) = x P(x^2) / Q(x^2) on [-4, 4] (the rational approximation of Eigen and XLA)
_ERF32_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
            -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02)
_ERF32_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
            -1.42647390514189e-02)


def _horner(z: np.ndarray, coeffs: tuple, out: np.ndarray | None = None) -> np.ndarray:
    """sum_i coeffs[i] z^(n-i) by Horner's rule, in place in one buffer (``out`` may be reused)."""
    r = np.multiply(z, coeffs[0], out=out)
    r += coeffs[1]
    for c in coeffs[2:]:
        r *= z
        r += c
    return r


def _erfc_scaled(ax: np.ndarray, ra: tuple, sa: tuple) -> np.ndarray:
    """erfc(|x|) = exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / |x| for 1.25 <= |x| < 6.

    exp(-x^2) is split as exp(-hi^2) exp((hi - x)(hi + x)) with ``hi`` = x cut to half its mantissa
    bits, so hi^2 is exact and no accuracy is lost to the large exponent.
    """
    z = 1.0 / (ax * ax)
    rs = _horner(z, ra)
    rs /= _horner(z, sa)
    hi = (ax.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
    e1 = hi * hi
    np.negative(e1, out=e1)
    e1 -= 0.5625
    np.exp(e1, out=e1)
    rs += (hi - ax) * (hi + ax)
    np.exp(rs, out=rs)
    rs *= e1
    rs /= ax
    return rs


def _erf(a: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Vectorised erf. float64 (fdlibm's method, < 1 ulp): x + x R(x^2) for |x| < 0.84375,
    erx + P/Q(|x| - 1) below 1.25, 1 - erfc(|x|) below 6 and +-1 beyond. float32/16: one rational
    function on [-4, 4] (within 8 ulp of torch, 3x faster than the piecewise method).
    Computes erf(scale * a)."""
    if a.dtype != np.float64:
        x = np.multiply(a, scale, dtype=np.float32)
        np.clip(x, -4.0, 4.0, out=x)
        z = x * x
        out = _horner(z, _ERF32_P)
        out *= x
        out /= _horner(z, _ERF32_Q, out=x)
        np.clip(out, -1.0, 1.0, out=out)  # the rational function overshoots 1 by an ulp near |x| = 4
        return out.astype(a.dtype, copy=False)
    x = np.ascontiguousarray(a * scale if scale != 1.0 else a).reshape(-1)
    z = x * x
    out = _horner(z, _PP)
    out /= _horner(z, _QQ)
    out *= x
    out += x
    big = np.flatnonzero(z >= 0.84375 * 0.84375)  # NaN stays in the first branch and gives NaN
    if big.size:
        xb = x.take(big)
        ab = np.abs(xb)
        res = np.ones_like(ab)  # |x| >= 6 (and the infinities)
        mid = np.flatnonzero(ab < 1.25)
        if mid.size:
            s = ab.take(mid) - 1.0
            pq = _horner(s, _PA)
            pq /= _horner(s, _QA)
            res[mid] = pq + _ERX
        for lo, hi, r, q in ((1.25, 1.0 / 0.35, _RA, _SA), (1.0 / 0.35, 6.0, _RB, _SB)):
            idx = np.flatnonzero((ab >= lo) & (ab < hi))
            if idx.size:
                res[idx] = 1.0 - _erfc_scaled(ab.take(idx), r, q)
        out[big] = np.copysign(res, xb)
    return out.reshape(a.shape)


# ----------------------------------------------------------------------------- trigonometry / special
def _tan_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    t = y * y
    t += 1.0
    return _times(t, g)


def _tanh_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    t = y * y
    np.subtract(1.0, t, out=t)
    return _times(t, g)


def _sigmoid_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    t = np.subtract(1.0, y)
    t *= y
    return _times(t, g)


def _erf_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
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


def sin(x: Tensor) -> Tensor:
    return _apply(_SIN, x)


def cos(x: Tensor) -> Tensor:
    return _apply(_COS, x)


def tan(x: Tensor) -> Tensor:
    return _apply(_TAN, x)


def tanh(x: Tensor) -> Tensor:
    return _apply(_TANH, x)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), exact in both tails (no overflow warnings, no NaN)."""
    return _apply(_SIGMOID, x)


def erf(x: Tensor) -> Tensor:
    """(2/sqrt(pi)) * integral_0^x exp(-t^2) dt (float64-accurate; see ``_special.erf``)."""
    return _apply(_ERF, x)


def _logit_mask(x: np.ndarray, eps: float | None) -> tuple:
    lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
    return (x < lo) | (x > hi), (np.nan if eps is None else 0.0)


def _logit_fwd(a: np.ndarray, eps: float | None) -> np.ndarray:
    if eps is not None:
        a = np.clip(a, eps, 1.0 - eps)
    return np.log(a / (1.0 - a))


def _logit_grad(g: np.ndarray, x: np.ndarray, eps: float | None) -> np.ndarray:
    out_of_range, fill = _logit_mask(x, eps)
    return where_array(out_of_range, np.asarray(fill, g.dtype), g / (x * (1.0 - x)))


def _logit_d2(x: Tensor, eps: float | None) -> Tensor:
    out_of_range, fill = _logit_mask(x.data, eps)
    q = x * (1.0 - x)
    return where(Tensor._make(out_of_range), fill, (2.0 * x - 1.0) / (q * q))


_LOGIT = _Spec("Logit", _logit_fwd, _logit_grad, _logit_d2)


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given (gradient 0 outside)."""
    return _apply(_LOGIT, x, None if eps is None else float(eps))


def _nan_to_num_fwd(a: np.ndarray, nan: float, posinf: Any, neginf: Any) -> np.ndarray:
    return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)


_NAN_TO_NUM = _Spec("NanToNum", _nan_to_num_fwd, lambda g, x, *p: g * np.isfinite(x), ints=True)


def nan_to_num(x: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf`` (dtype max), -inf -> ``neginf`` (dtype min); gradient 0 there."""
    return _apply(_NAN_TO_NUM, x, nan, posinf, neginf)


# ----------------------------------------------------------------------------- clamp
class Clamp(Function):
    """min(max(x, lo), hi) with scalar or tensor bounds (lo > hi gives hi, like torch).

    Gradient (torch's rule): to x where lo <= x <= hi; to lo where x < lo and lo < hi; to hi where
    x > hi or hi < lo (with one bound: where x is beyond it).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, lo: Any, hi: Any) -> np.ndarray:
        dt = result_type(x, lo, hi)
        a = x.data if x.data.dtype == dt else x.data.astype(dt)
        lo_d = None if lo is None else prepare(a, lo)[1]
        hi_d = None if hi is None else prepare(a, hi)[1]
        if lo_d is not None and hi_d is not None:
            out = np.minimum(np.maximum(a, lo_d), hi_d)
        else:
            out = np.maximum(a, lo_d) if lo_d is not None else np.minimum(a, hi_d)
        ctx.save_for_backward(x, lo, hi)
        return np.asarray(out)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, lo, hi = ctx.saved_tensors
        xd, dt = x.data, grad.data.dtype
        lo_d = None if lo is None else prepare(xd, lo)[1]
        hi_d = None if hi is None else prepare(xd, hi)[1]
        ok = np.ones((), bool)
        if lo_d is not None:
            ok = ok & (xd >= lo_d)
        if hi_d is not None:
            ok = ok & (xd <= hi_d)
        gx = grad * Tensor._make(np.asarray(ok, dt)) if ctx.needs_input_grad[0] else None
        glo = ghi = None
        if ctx.needs_input_grad[1]:
            m = (xd < lo_d) & (lo_d < hi_d) if hi_d is not None else xd < lo_d
            glo = grad * Tensor._make(np.asarray(m, dt))
        if ctx.needs_input_grad[2]:
            m = (xd > hi_d) | (hi_d < lo_d) if lo_d is not None else xd > hi_d
            ghi = grad * Tensor._make(np.asarray(m, dt))
        return gx, glo, ghi


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if x.data.dtype == np.bool_ and result_type(x, min, max) == np.bool_:
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    return Clamp.apply(x, min, max)


clip = clamp


def clamp_min(x: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp(x, min, None)


def clamp_max(x: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp(x, None, max)


# ----------------------------------------------------------------------------- activations
def _relu_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.multiply(g, y > 0)


def _leaky_fwd(a: np.ndarray, slope: float) -> np.ndarray:
    if 0.0 <= slope <= 1.0:  # x if x > 0 else slope x, as one max
        return np.maximum(a, a * slope)
    return where_array(a > 0, a, a * slope)


def _leaky_grad(g: np.ndarray, x: np.ndarray, slope: float) -> np.ndarray:
    return where_array(x > 0, g, g * slope)


def _hardtanh_grad(g: np.ndarray, x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return g * ~((x <= lo) | (x >= hi))


def _elu_fwd(a: np.ndarray, alpha: float, scale: float, isc: float) -> np.ndarray:
    """x <= 0: alpha * scale * (exp(x * input_scale) - 1); x > 0: scale * x (elu, selu, celu)."""
    t = np.minimum(a, 0.0)
    if isc != 1.0:
        t *= isc
    np.expm1(t, out=t)
    t *= alpha * scale  # the positive part is 0 here and max(scale x, 0) is 0 on the negative part
    t += np.maximum(a * scale if scale != 1.0 else a, 0.0)
    return t


def _elu_grad(g: np.ndarray, x: np.ndarray, alpha: float, scale: float, isc: float) -> np.ndarray:
    t = np.minimum(x, 0.0)
    if isc != 1.0:
        t *= isc
    np.exp(t, out=t)
    t *= alpha * scale * isc
    return where_array(x <= 0, _times(t, g), g * scale if scale != 1.0 else g)


def _elu_d2(x: Tensor, alpha: float, scale: float, isc: float) -> Tensor:
    return where(Tensor._make(x.data > 0), 0.0, exp(x * isc) * (alpha * scale * isc * isc))


def _gelu_fwd(a: np.ndarray, approximate: str) -> tuple:
    """(x Phi(x), Phi(x)); Phi is 0.5 (1 + erf(x / sqrt 2)) or 0.5 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate == "tanh":
        t = a * a
        t *= _GELU_KAPPA * _GELU_BETA
        t += _GELU_BETA
        t *= a
        np.tanh(t, out=t)
        aux = t.copy()  # tanh(inner), reused by the backward
    else:
        t = aux = _erf(a, _SQRT1_2)
    t += 1.0
    t *= 0.5
    return t * a, (aux if approximate == "tanh" else t)


def _gelu_grad(g: np.ndarray, x: np.ndarray, approximate: str, aux: Any = None) -> np.ndarray:
    if approximate == "tanh":
        th = aux if aux is not None else _gelu_fwd(x, "tanh")[1]
        du = x * x  # d inner / dx = beta (1 + 3 kappa x^2)
        du *= 3.0 * _GELU_KAPPA * _GELU_BETA
        du += _GELU_BETA
        right = np.square(th)
        np.subtract(1.0, right, out=right)
        right *= du
        right *= x
        right *= 0.5
        out = th + 1.0
        out *= 0.5
        out += right
        return _times(out, g)
    cdf = aux if aux is not None else _gelu_fwd(x, "none")[1]
    pdf = np.square(x)  # Phi(x) + x phi(x)
    pdf *= -0.5
    np.exp(pdf, out=pdf)
    pdf *= _INV_SQRT_2PI
    pdf *= x
    pdf += cdf
    return _times(pdf, g)


def _gelu_d2(x: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        x2 = x * x
        t = tanh(x * (x2 * _GELU_KAPPA + 1.0) * _GELU_BETA)
        du = (x2 * (3.0 * _GELU_KAPPA) + 1.0) * _GELU_BETA
        return (1.0 - t * t) * (du + x * 0.5 * (x * (6.0 * _GELU_KAPPA * _GELU_BETA) - 2.0 * t * du * du))
    return exp(x * x * -0.5) * _INV_SQRT_2PI * (2.0 - x * x)


def _silu_fwd(a: np.ndarray) -> tuple:
    sig = _sigmoid(a)
    return a * sig, sig


def _silu_grad(g: np.ndarray, x: np.ndarray, aux: Any = None) -> np.ndarray:
    sig = aux if aux is not None else _sigmoid(x)  # sigmoid (1 + x (1 - sigmoid))
    t = np.subtract(1.0, sig)
    t *= x
    t += 1.0
    t *= sig
    return _times(t, g)


def _silu_d2(x: Tensor) -> Tensor:
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
    th, sig = _mish_parts(a)
    return th * a, (th, sig)


def _mish_grad(g: np.ndarray, x: np.ndarray, aux: Any = None) -> np.ndarray:
    th, sig = aux if aux is not None else _mish_parts(x)  # tanh(sp) + x sigmoid (1 - tanh(sp)^2)
    t = np.square(th)
    np.subtract(1.0, t, out=t)
    t *= sig
    t *= x
    t += th
    return _times(t, g)


def _mish_d2(x: Tensor) -> Tensor:
    s, t = sigmoid(x), tanh(log1p(exp(x)))
    return (1.0 - t * t) * s * (2.0 + x * (1.0 - s - 2.0 * t * s))


def _softplus_fwd(a: np.ndarray, beta: float, threshold: float) -> np.ndarray:
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
    bx = x * beta
    z = np.exp(bx)
    t = z / (z + 1.0)
    return where_array(bx > threshold, g, _times(t, g))


def _softplus_d2(x: Tensor, beta: float, threshold: float) -> Tensor:
    s = sigmoid(x * beta)
    return where(Tensor._make(x.data * beta > threshold), 0.0, s * (1.0 - s) * beta)


def _hardswish_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = x / 3.0
    t += 0.5
    t *= (x > -3.0) & (x < 3.0)  # 0 below -3 (and at it), 1 from 3 on, like torch's kernel
    t += x >= 3.0
    return _times(t, g)


def _logsigmoid_fwd(a: np.ndarray) -> np.ndarray:
    z = np.abs(a)  # min(x, 0) - log1p(exp(-|x|))
    np.negative(z, out=z)
    np.exp(z, out=z)
    z = _log1p_unit(z)
    return np.subtract(np.minimum(a, 0.0), z, out=z)


def _logsigmoid_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = np.abs(x)
    np.negative(z, out=z)
    np.exp(z, out=z)
    d = z + 1.0
    return _times(np.divide(where_array(x < 0, np.ones((), z.dtype), z), d, out=d), g)


def _softsign_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.abs(x)
    t += 1.0
    np.square(t, out=t)
    return np.divide(g, t, out=t) if t.shape == g.shape and t.dtype == g.dtype else g / t


def _tanhshrink_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.tanh(x)
    np.square(t, out=t)
    return _times(t, g)


_RELU = _Spec("Relu", lambda a: np.maximum(a, 0), _relu_grad, out=True, ints=True, bools=False)
_LEAKY = _Spec("LeakyRelu", _leaky_fwd, _leaky_grad)
_HARDTANH = _Spec("Hardtanh", lambda a, lo, hi: np.clip(a, lo, hi), _hardtanh_grad)
_ELU = _Spec("Elu", _elu_fwd, _elu_grad, _elu_d2)
_GELU = _Spec("Gelu", _gelu_fwd, _gelu_grad, _gelu_d2, cache=True)
_SILU = _Spec("Silu", _silu_fwd, _silu_grad, _silu_d2, cache=True)
_MISH = _Spec("Mish", _mish_fwd, _mish_grad, _mish_d2, cache=True)
_SOFTPLUS = _Spec("Softplus", _softplus_fwd, _softplus_grad, _softplus_d2)
_HARDSIGMOID = _Spec("Hardsigmoid", lambda a: np.clip(a + 3.0, 0.0, 6.0) / 6.0,
                     lambda g, x: g * (((x > -3.0) & (x < 3.0)) * np.asarray(_ONE_SIXTH, g.dtype)))
_HARDSWISH = _Spec("Hardswish", lambda a: a * np.clip(a + 3.0, 0.0, 6.0) / 6.0, _hardswish_grad,
                   lambda x: Tensor._make(((x.data > -3.0) & (x.data < 3.0)) * np.asarray(1.0 / 3.0, x.data.dtype)))
_LOGSIGMOID = _Spec("LogSigmoid", _logsigmoid_fwd, _logsigmoid_grad, lambda x: sigmoid(x) * (sigmoid(x) - 1.0))
_SOFTSIGN = _Spec("Softsign", lambda a: a / (np.abs(a) + 1.0), _softsign_grad,
                  lambda x: -2.0 * sign(x) / (abs(x) + 1.0) ** 3)
_TANHSHRINK = _Spec("Tanhshrink", lambda a: a - np.tanh(a), _tanhshrink_grad,
                    lambda x: 2.0 * tanh(x) * (1.0 - tanh(x) ** 2))


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); gradient 1 where the output is positive."""
    return x._inplace(relu) if inplace else _apply(_RELU, x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return x._inplace(leaky_relu, negative_slope)
    return _apply(_LEAKY, x, float(negative_slope))


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val); gradient 1 strictly inside (min_val, max_val)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return x._inplace(hardtanh, min_val, max_val)
    return _apply(_HARDTANH, x, min_val, max_val)


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) (hardtanh(x, 0, 6))."""
    return hardtanh(x, 0.0, 6.0, inplace)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (exp(x) - 1)."""
    if inplace:
        return x._inplace(elu, alpha)
    return _apply(_ELU, x, float(alpha), 1.0, 1.0)


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return x._inplace(selu) if inplace else _apply(_ELU, x, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (exp(x / alpha) - 1)."""
    if inplace:
        return x._inplace(celu, alpha)
    return _apply(_ELU, x, float(alpha), 1.0, 1.0 / alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x) (exact, via erf) or its tanh approximation (``approximate='tanh'``)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _apply(_GELU, x, approximate)


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    return x._inplace(silu) if inplace else _apply(_SILU, x)


def mish(x: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return x._inplace(mish) if inplace else _apply(_MISH, x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    return _apply(_SOFTPLUS, x, float(beta), float(threshold))


def hardsigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    """clamp(x / 6 + 1/2, 0, 1)."""
    return x._inplace(hardsigmoid) if inplace else _apply(_HARDSIGMOID, x)


def hardswish(x: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x)."""
    return x._inplace(hardswish) if inplace else _apply(_HARDSWISH, x)


def logsigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for any input."""
    return _apply(_LOGSIGMOID, x)


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return _apply(_SOFTSIGN, x)


def tanhshrink(x: Tensor) -> Tensor:
    """x - tanh(x)."""
    return _apply(_TANHSHRINK, x)
