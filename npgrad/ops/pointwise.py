"""Unary element-wise ops and activations. Each: forward on arrays, backward as Tensor math.

Integer inputs to floating functions (exp, sqrt, sigmoid, ...) compute in the default float dtype,
as torch does. Backward formulas are written with Tensor ops, so they can be differentiated again.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import float_dtype_for


def _f(x: Tensor) -> np.ndarray:
    """The input as a floating array (ints/bools are cast to the default float dtype)."""
    d = x.data
    return d if d.dtype.kind == "f" else d.astype(float_dtype_for(d))


def _erf(a: np.ndarray) -> np.ndarray:
    """Error function, vectorised (Abramowitz-Stegun 7.1.26 is not accurate enough; use math.erf via frompyfunc
    for float64 precision and a float32 cast for float32)."""
    return _ERF(a).astype(a.dtype)


_ERF = np.frompyfunc(math.erf, 1, 1)
try:  # SciPy's erf is vectorised C; use it when available (optional)
    from scipy.special import erf as _scipy_erf  # type: ignore

    def _erf(a: np.ndarray) -> np.ndarray:  # noqa: F811
        return _scipy_erf(a).astype(a.dtype, copy=False)
except ImportError:  # pragma: no cover
    pass


# ----------------------------------------------------------------------------- sign-like
class Neg(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        if x.data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                               "invert a mask, use the `~` or `logical_not()` operator instead.")
        return np.negative(x.data)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        return neg(grad)


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


class Abs(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * sign(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - torch's name
    return Abs.apply(x)


def sign(x: Tensor) -> Tensor:
    """Not differentiable (gradient zero almost everywhere): returns a constant."""
    return _const_like(np.sign(x.data), x)


def _const_like(arr: np.ndarray, x: Tensor) -> Tensor:
    out = Tensor._make(arr)
    if x.requires_grad and arr.dtype.kind == "f":
        return _ZeroGrad.apply(x, arr)
    return out


class _ZeroGrad(Function):
    """A piecewise-constant function of ``x`` (floor, sign, ...): the gradient is zero."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, value: np.ndarray) -> np.ndarray:
        return value

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return grad * 0, None


def floor(x: Tensor) -> Tensor:
    return x if x.data.dtype.kind in "iub" else _const_like(np.floor(x.data), x)


def ceil(x: Tensor) -> Tensor:
    return x if x.data.dtype.kind in "iub" else _const_like(np.ceil(x.data), x)


def trunc(x: Tensor) -> Tensor:
    return x if x.data.dtype.kind in "iub" else _const_like(np.trunc(x.data), x)


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001
    if x.data.dtype.kind in "iub":
        return x
    return _const_like(np.round(x.data, decimals), x)


def frac(x: Tensor) -> Tensor:
    return x - trunc(x)


# ----------------------------------------------------------------------------- exp / log family
class Exp(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        y = np.exp(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


def exp2(x: Tensor) -> Tensor:
    return exp(x * math.log(2.0))


class Expm1(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        y = np.expm1(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


def expm1(x: Tensor) -> Tensor:
    return Expm1.apply(x)


class Log(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(_f(x))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


def log2(x: Tensor) -> Tensor:
    return log(x) * (1.0 / math.log(2.0))


def log10(x: Tensor) -> Tensor:
    return log(x) * (1.0 / math.log(10.0))


class Log1p(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(_f(x))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


def log1p(x: Tensor) -> Tensor:
    return Log1p.apply(x)


# ----------------------------------------------------------------------------- powers
class Sqrt(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            y = np.sqrt(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad / (y * 2)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


def rsqrt(x: Tensor) -> Tensor:
    return reciprocal(sqrt(x))


def square(x: Tensor) -> Tensor:
    return x * x


class Reciprocal(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore"):
            y = np.reciprocal(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return -grad * y * y


def reciprocal(x: Tensor) -> Tensor:
    return Reciprocal.apply(x)


# ----------------------------------------------------------------------------- trigonometry
class Sin(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(_f(x))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * cos(x)


def sin(x: Tensor) -> Tensor:
    return Sin.apply(x)


class Cos(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cos(_f(x))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return -grad * sin(x)


def cos(x: Tensor) -> Tensor:
    return Cos.apply(x)


class Tan(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        y = np.tan(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y * y + 1)


def tan(x: Tensor) -> Tensor:
    return Tan.apply(x)


class Tanh(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        y = np.tanh(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(x)


def _stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """1/(1+e^-a) without overflow: exp is only taken of -|a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        y = _stable_sigmoid(_f(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(x)


class Erf(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return _erf(_f(x))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * exp(-(x * x)) * (2.0 / math.sqrt(math.pi))


def erf(x: Tensor) -> Tensor:
    return Erf.apply(x)


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    if eps is not None:
        x = clamp(x, eps, 1 - eps)
    return log(x / (1 - x))


class NanToNum(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, nan: float, posinf: Any, neginf: Any) -> np.ndarray:
        ctx.save_for_backward(np.isfinite(x.data))
        return np.nan_to_num(x.data, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (finite,) = ctx.saved_tensors
        return grad * finite.to(grad.dtype), None, None, None


def nan_to_num(x: Tensor, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
    return NanToNum.apply(x, nan, posinf, neginf)


# ----------------------------------------------------------------------------- clamp family
class Clamp(Function):
    """clamp(x, lo, hi); gradient flows where lo <= x <= hi (to x), else to the active bound if a tensor."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, lo: Any, hi: Any) -> np.ndarray:
        lo_d = lo.data if isinstance(lo, Tensor) else lo
        hi_d = hi.data if isinstance(hi, Tensor) else hi
        out = x.data
        if lo_d is not None:
            out = np.maximum(out, lo_d)
        if hi_d is not None:
            out = np.minimum(out, hi_d)
        if out is x.data:
            out = out.copy()
        from .._dtype import result_type

        ops = [x.data] + [v for v in (lo_d, hi_d) if v is not None]
        out = out.astype(result_type(*ops), copy=False)
        if isinstance(lo_d, np.ndarray) or isinstance(hi_d, np.ndarray) or x.requires_grad:
            ctx.save_for_backward(x, lo if isinstance(lo, Tensor) else None, hi if isinstance(hi, Tensor) else None)
        ctx.lo, ctx.hi = lo_d, hi_d
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, lo_t, hi_t = ctx.saved_tensors
        xd = x.data
        keep = np.ones(xd.shape, dtype=bool)
        to_lo = to_hi = None
        if ctx.lo is not None:
            keep = keep & (xd >= ctx.lo)
            to_lo = ~(xd >= ctx.lo)
        if ctx.hi is not None:
            keep = keep & (xd <= ctx.hi)
            to_hi = xd > ctx.hi
            if to_lo is not None:  # torch: when lo > hi the result is hi
                to_lo = to_lo & ~to_hi
        gx = grad * Tensor._make(np.broadcast_to(keep, grad.shape).astype(grad.data.dtype))
        glo = grad * Tensor._make(np.broadcast_to(to_lo, grad.shape).astype(grad.data.dtype)) if lo_t is not None else None
        ghi = grad * Tensor._make(np.broadcast_to(to_hi, grad.shape).astype(grad.data.dtype)) if hi_t is not None else None
        return gx, glo, ghi


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return Clamp.apply(x, min, max)


clip = clamp


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return clamp(x, min_val, max_val)


class Relu(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        y = np.maximum(x.data, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return _mask_grad(grad, y.data > 0)


class _MaskGrad(Function):
    """grad * mask for a constant boolean mask (the gradient of ReLU-like gates)."""

    @staticmethod
    def forward(ctx: Function, grad: Tensor, mask: np.ndarray) -> np.ndarray:
        ctx.mask = mask
        return grad.data * mask

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return _MaskGrad.apply(gg, ctx.mask), None


def _mask_grad(grad: Tensor, mask: np.ndarray) -> Tensor:
    return _MaskGrad.apply(grad, mask)


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


def relu6(x: Tensor) -> Tensor:
    return clamp(x, 0.0, 6.0)


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, slope: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x.data > 0, x.data, x.data * np.asarray(slope, x.data.dtype))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        scale = np.where(x.data > 0, 1.0, ctx.slope).astype(grad.data.dtype)
        return _MaskGrad.apply(grad, scale), None


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu.apply(x, negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return where_positive(x, x, expm1(clamp(x, max=0.0)) * alpha)


def selu(x: Tensor) -> Tensor:
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return elu(x, alpha) * scale


def celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return where_positive(x, x, expm1(clamp(x, max=0.0) / alpha) * alpha)


def where_positive(x: Tensor, a: Tensor, b: Tensor) -> Tensor:
    from .binary import where

    return where(Tensor._make(x.data > 0), a, b)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
        return x * 0.5 * (tanh(inner) + 1)
    if approximate != "none":
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return x * 0.5 * (erf(x * (1.0 / math.sqrt(2.0))) + 1)


def silu(x: Tensor) -> Tensor:
    return x * sigmoid(x)


class Softplus(Function):
    """softplus(x) = log(1 + exp(beta x)) / beta, linear above ``threshold`` (torch's rule)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        a = _f(x)
        bx = a * beta
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return np.where(bx > threshold, a, soft).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        lin = Tensor._make(bx.data > ctx.threshold)
        from .binary import where

        return grad * where(lin, 1.0, sigmoid(bx)), None, None


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return Softplus.apply(x, beta, threshold)


def mish(x: Tensor) -> Tensor:
    return x * tanh(softplus(x))


def hardsigmoid(x: Tensor) -> Tensor:
    return clamp(x / 6.0 + 0.5, 0.0, 1.0)


def hardswish(x: Tensor) -> Tensor:
    return x * hardsigmoid(x)


def logsigmoid(x: Tensor) -> Tensor:
    return -softplus(-x)


def softsign(x: Tensor) -> Tensor:
    return x / (abs(x) + 1)


def tanhshrink(x: Tensor) -> Tensor:
    return x - tanh(x)
