"""The machinery of the unary element-wise ops (``_Spec``, ``Unary``, ``UnaryGrad``) and the
array helpers their formulas share.

Every op ``y = f(x)`` is described by a small ``_Spec``: its forward on arrays, the product
``grad * f'(s)`` on arrays (``s`` is the input ``x`` or, where cheaper, the output ``y``), and
``d f'(s) / ds`` written with Tensor ops. ``Unary`` runs the forward; its backward is another
Function, ``UnaryGrad``, whose forward is the fast fused array product and whose own backward
uses the Tensor-op second derivative, so double (and higher) backward works like in torch.

Integer inputs to floating functions (exp, sqrt, sigmoid, ...) compute in the default float
dtype, as torch does. Constants are Python floats so float32 work stays float32. The array work
runs with NumPy's floating-point warnings silenced: exp(1000) is inf and log(-1) NaN, silently.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import quiet_fp, restore_fp


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
        token = quiet_fp()
        try:  # 0-d work is done in 1-d: ufuncs give scalars for 0-d input
            y = spec.fwd(a, *p) if a.ndim else spec.fwd(a.reshape(1), *p)
        finally:
            restore_fp(token)
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
        token = quiet_fp()
        try:
            if g.ndim:
                return spec.grad(g, sd, *p, **kw)
            return spec.grad(g.reshape(1), sd.reshape(1), *p, **kw).reshape(())
        finally:
            restore_fp(token)

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
    """Run the op ``spec`` on ``x`` (a Tensor, or anything ``np.asarray`` takes) with parameters ``p``."""
    if not isinstance(x, Tensor):
        x = Tensor._make(np.asarray(x))
    return Unary.apply(x, spec, *p)


def _unary_op(name: str, spec: _Spec, formula: str, derivative: str) -> Callable[[Tensor], Tensor]:
    """The public function ``name(x)`` running ``spec``, documented from ``formula`` and ``derivative``.

    For the plain floating functions (exp, log, sin, ...), which differ only in their spec.
    """
    def op(x: Tensor) -> Tensor:
        return _apply(spec, x)

    op.__name__ = op.__qualname__ = name
    op.__module__ = sys._getframe(1).f_globals["__name__"]  # where it is bound, so pickle finds it (as namedtuple)
    op.__doc__ = f"""out = {formula}, element-wise.

    Args:
        x: a Tensor of any shape (integers and bool compute in the default float dtype).

    Returns:
        A floating Tensor of ``x``'s shape; d/dx = {derivative}.
    """
    return op



def _activation_op(name: str, spec: _Spec, formula: str, derivative: str,
                   result: str = "A floating Tensor of ``x``'s shape") -> Callable[..., Tensor]:
    """The public activation ``name(x, inplace=False)`` running ``spec`` (relu, silu, mish, ...)."""
    def op(x: Tensor, inplace: bool = False) -> Tensor:
        return x._inplace(op) if inplace else _apply(spec, x)

    op.__name__ = op.__qualname__ = name
    op.__module__ = sys._getframe(1).f_globals["__name__"]
    op.__doc__ = f"""out = {formula}, element-wise.

    Args:
        x: a Tensor of any shape.
        inplace: write the result into ``x`` and return it.

    Returns:
        {result}; d/dx = {derivative}.
    """
    return op


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
    """The gradient of a piecewise-constant op: zeros like ``g``."""
    return np.zeros_like(g)
