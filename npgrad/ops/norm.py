"""Normalization kernels: batch norm (statistics per channel) and group norm (statistics per sample and group,
which also gives layer norm and instance norm), each ONE Function with a closed-form backward.

Batch norm over x viewed as (N, C, L), M = N*L values per channel:
    mean = sum(x)/M,  var = sum((x - mean)^2)/M,  invstd = 1/sqrt(var + eps)
    y    = x*a + (b - mean*a)                      with a = w*invstd (torch's CPU form)
    dx   = (dy - sum(dy)/M - (x - mean)*invstd^2*sum(dy*(x - mean))/M) * a
    dw   = invstd*sum(dy*(x - mean)),  db = sum(dy)
Group norm over x viewed as (N, G, K, L), statistics per (n, g) over D = K*L values, affine per (g, k):
    xhat = (x - mean)*rstd,  y = xhat*w + b,  g = dy*w
    dx   = rstd*(g - mean(g) - xhat*mean(g*xhat)),  dw = sum_{n,l} dy*xhat,  db = sum_{n,l} dy
Everything stays in the input's dtype (float32 stays float32); sums over the long axis are BLAS
GEMV/dot calls. Batch norm makes 5 passes over the data forward and 7 backward. Each backward is
itself a Function whose backward (double backward) differentiates the same formulas written with
Tensor ops (a third derivative raises).
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


@functools.lru_cache(maxsize=64)
def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    return np.ones(n, dtype=dtype)


def _row_sums(a: np.ndarray) -> np.ndarray:
    """Sums over the last axis (a GEMV)."""
    return np.matmul(a, _ones(a.shape[-1], a.dtype))


def _row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum(a*b) over the last axis without a temporary (batched dot products)."""
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0, 0]


def _norm_backward(backward_fn: type, ctx: Function, dy: Tensor) -> tuple:
    """The backward of a normalization Function: ``backward_fn`` on the saved x, w and statistics."""
    x, w = ctx.saved_tensors
    grads = backward_fn.apply(dy, x, w, ctx.mean, ctx.invstd, ctx.eps, ctx.needs_input_grad)
    return tuple(g if n else None for g, n in zip(grads, ctx.needs_input_grad)) + (None,)


class _NormBackwardFn(Function):
    """(dx, dw, db) of a normalization Function, from its saved statistics (mean, 1/std).

    Subclasses set ``kernel(dy, x, w, mean, invstd, needs)``, the array backward, and
    ``composite(x, w, b, eps)``, the forward written with Tensor ops, which ``_double_backward``
    differentiates twice. Gradients not needed come back as empty arrays.
    """

    kernel: Any
    composite: Any

    @staticmethod
    def forward(ctx: Function, dy: Tensor, x: Tensor, w: Tensor | None, mean: np.ndarray, invstd: np.ndarray,
                eps: float, needs: tuple) -> tuple:
        ctx.eps, ctx.has_b = eps, needs[2]
        ctx.save_for_backward(dy, x, w)
        out = ctx.kernel(dy.data, x.data, None if w is None else w.data, mean, invstd, needs)
        return tuple(np.zeros(0, dtype=x.data.dtype) if g is None else g for g in out)

    @staticmethod
    def backward(ctx: Function, ggx: Tensor, ggw: Tensor, ggb: Tensor) -> tuple:
        dy, x, w = ctx.saved_tensors
        fn = functools.partial(ctx.composite, eps=ctx.eps)
        return _double_backward(fn, ctx, dy, x, w, ggx, ggw, ggb) + (None, None, None, None)


# ----------------------------------------------------------------------------- batch norm
class BatchNormFn(Function):
    """Training-mode batch norm of (N, C, L) with batch statistics; returns (y, mean, biased var)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, w: Tensor | None, b: Tensor | None, eps: float) -> tuple:
        x3 = x.data
        ft = x3.dtype.type
        m = ft(x3.shape[0] * x3.shape[2])
        mean = _row_sums(x3).sum(0) / m
        y = np.subtract(x3, mean[:, None])  # centred x first (two-pass variance), then overwritten by y
        var = _row_dots(y, y).sum(0) / m
        invstd = 1 / np.sqrt(var + ft(eps))
        a = invstd if w is None else w.data * invstd
        shift = -mean * a if b is None else b.data - mean * a
        np.multiply(x3, a[:, None], out=y)
        y += shift[:, None]
        ctx.mean, ctx.invstd, ctx.eps = mean, invstd, eps
        ctx.save_for_backward(x, w)
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx: Function, dy: Tensor, *unused: Any) -> tuple:
        return _norm_backward(BatchNormBackwardFn, ctx, dy)


def batch_norm_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray | None, mean: np.ndarray,
                        invstd: np.ndarray, needs: tuple) -> tuple:
    """(dx, dw, db) of training-mode batch norm on (N, C, L) arrays (see the module docstring)."""
    m = x.dtype.type(x.shape[0] * x.shape[2])
    sdy = _row_sums(dy).sum(0)
    buf = np.subtract(x, mean[:, None])
    dot = _row_dots(dy, buf).sum(0)
    if needs[0]:  # buf becomes dx in place: (dy - sdy/M - xc*invstd^2*dot/M) * w*invstd
        buf *= (dot * invstd * invstd / m)[:, None]
        np.subtract(dy, buf, out=buf)
        buf -= (sdy / m)[:, None]
        buf *= (invstd if w is None else w * invstd)[:, None]
    return (buf if needs[0] else None), (dot * invstd if needs[1] else None), (sdy if needs[2] else None)


def _composite_batch_norm(x: Tensor, w: Tensor | None, b: Tensor | None, eps: float) -> Tensor:
    """Training batch norm of (N, C, L) with Tensor ops (what the double backward differentiates)."""
    mean = x.mean(dim=(0, 2), keepdim=True)
    xc = x - mean
    y = xc * ((xc * xc).mean(dim=(0, 2), keepdim=True) + eps).rsqrt()
    if w is not None:
        y = y * w.reshape(1, -1, 1)
    return y if b is None else y + b.reshape(1, -1, 1)


class BatchNormBackwardFn(_NormBackwardFn):
    """(dx, dw, db) of ``BatchNormFn``; differentiable again through the Tensor-op formula."""

    kernel = staticmethod(batch_norm_backward)
    composite = staticmethod(_composite_batch_norm)


# ----------------------------------------------------------------------------- group norm (layer / instance)
class GroupNormFn(Function):
    """Normalize (N, G, K, L) per (n, g) over (K, L); optional affine w, b of shape (G, K).

    Returns (y, mean, biased var), the statistics of shape (N, G).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, w: Tensor | None, b: Tensor | None, eps: float) -> tuple:
        n, g, k, l = x.data.shape
        x2 = x.data.reshape(n * g, k * l)
        ft = x2.dtype.type
        mean = _row_sums(x2) / ft(k * l)
        xhat = np.subtract(x2, mean[:, None])
        var = _row_dots(xhat, xhat) / ft(k * l)
        rstd = 1 / np.sqrt(var + ft(eps))
        xhat *= rstd[:, None]
        y = xhat.reshape(n, g, k, l)
        if w is not None:
            y *= w.data[None, :, :, None]
        if b is not None:
            y += b.data[None, :, :, None]
        ctx.mean, ctx.invstd, ctx.eps = mean, rstd, eps
        ctx.save_for_backward(x, w)
        mean, var = mean.reshape(n, g), var.reshape(n, g)
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx: Function, dy: Tensor, *unused: Any) -> tuple:
        return _norm_backward(GroupNormBackwardFn, ctx, dy)


def group_norm_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray | None, mean: np.ndarray, rstd: np.ndarray,
                        needs: tuple) -> tuple:
    """(dx, dw, db) of ``GroupNormFn`` on (N, G, K, L) arrays."""
    n, g, k, l = x.shape
    ft = x.dtype.type
    xhat = np.subtract(x.reshape(n * g, k * l), mean[:, None])
    xhat *= rstd[:, None]
    xhat4 = xhat.reshape(x.shape)
    dw = db = dx = None
    if needs[1]:
        dw = np.einsum("ngkl,ngkl->gk", dy, xhat4)
    if needs[2]:
        db = dy.sum(axis=(0, 3))
    if needs[0]:
        gy = dy if w is None else dy * w[None, :, :, None]
        g2 = gy.reshape(n * g, k * l)
        mg = _row_sums(g2) / ft(k * l)
        mgx = _row_dots(g2, xhat) / ft(k * l)
        xhat *= mgx[:, None]
        dx = np.subtract(g2, xhat, out=xhat)
        dx -= mg[:, None]
        dx *= rstd[:, None]
        dx = dx.reshape(x.shape)
    return dx, dw, db


def _composite_group_norm(x: Tensor, w: Tensor | None, b: Tensor | None, eps: float) -> Tensor:
    """Group norm of (N, G, K, L) with Tensor ops (what the double backward differentiates)."""
    mean = x.mean(dim=(2, 3), keepdim=True)
    xc = x - mean
    y = xc * ((xc * xc).mean(dim=(2, 3), keepdim=True) + eps).rsqrt()
    if w is not None:
        y = y * w.reshape(1, *w.shape, 1)
    return y if b is None else y + b.reshape(1, *b.shape, 1)


class GroupNormBackwardFn(_NormBackwardFn):
    """(dx, dw, db) of ``GroupNormFn``; differentiable again through the Tensor-op formula."""

    kernel = staticmethod(group_norm_backward)
    composite = staticmethod(_composite_group_norm)


# ----------------------------------------------------------------------------- double backward
class _NoThirdOrder(Function):
    """Identity on a double-backward result; differentiating it once more raises."""

    @staticmethod
    def forward(ctx: Function, g: Tensor) -> np.ndarray:
        return g.data

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        raise RuntimeError("third-order derivatives through batch/layer/group/instance norm are not supported")


def _double_backward(composite: Any, ctx: Function, dy: Tensor, x: Tensor, w: Tensor | None, ggx: Tensor,
                     ggw: Tensor, ggb: Tensor) -> tuple:
    """Gradients of <(dx, dw, db), (ggx, ggw, ggb)> w.r.t. (dy, x, w), by differentiating ``composite`` twice.

    The composite graph is built on fresh leaves: dy, x and w are independent arguments of the
    backward map here (dy usually depends on x upstream; the engine adds that path itself).
    """
    from ..autograd import grad
    from ..autograd.grad_mode import enable_grad, is_grad_enabled

    higher = is_grad_enabled()
    leaves = [t.detach().requires_grad_() for t in (dy, x)] + [None if w is None else w.detach().requires_grad_()]
    dy_, x_, w_ = leaves
    with enable_grad():
        outs = [(x_, ggx)] + ([(w_, ggw)] if w_ is not None else [])
        if ctx.has_b:
            outs.append((Tensor._make(np.zeros(ggb.data.shape, dtype=x.data.dtype), requires_grad=True), ggb))
        y = composite(x_, w_, outs[-1][0] if ctx.has_b else None)
        firsts = grad(y, [t for t, _ in outs], dy_, create_graph=True, allow_unused=True)
        pairs = [(f, gg) for f, (_, gg) in zip(firsts, outs)
                 if f is not None and f.requires_grad and gg is not None and gg.data.size]
        needs = ctx.needs_input_grad[:3]
        targets = [t for t, n in zip(leaves, needs) if n and t is not None]
        if not pairs or not targets:
            return (None,) * 3
        seconds = grad([f for f, _ in pairs], targets, [gg for _, gg in pairs], create_graph=higher,
                       allow_unused=True)
    it = iter(seconds)
    out = tuple(next(it) if n and t is not None else None for t, n in zip(leaves, needs))
    if higher:
        out = tuple(None if g is None else _NoThirdOrder.apply(g) for g in out)
    return out
