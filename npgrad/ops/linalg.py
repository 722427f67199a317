"""Matrix products and norms. ``matmul`` is one BLAS call forward and two backward:

    C = A @ B      dL/dA = dL/dC @ B^T      dL/dB = A^T @ dL/dC

(with 1-D operands promoted to matrices and batch dims broadcast; the engine sums gradients of
broadcast batch dims back to each input's shape).
"""
from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import as_tensor_operand, normalize_dims, wrap_dim
from .shape import expand, reshape, squeeze, transpose, unsqueeze


def _matmul_error(a: tuple, b: tuple) -> RuntimeError:
    if len(a) <= 2 and len(b) <= 2:
        sa = "x".join(map(str, (a if len(a) == 2 else (1,) + a)))
        sb = "x".join(map(str, (b if len(b) == 2 else b + (1,))))
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    return RuntimeError(f"matmul: shapes {list(a)} and {list(b)} cannot be multiplied")


class MatMul(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor) -> np.ndarray:
        ad, bd = a.data, b.data
        if ad.ndim == 0 or bd.ndim == 0:
            raise RuntimeError(
                f"both arguments to matmul need to be at least 1D, but they are {ad.ndim}D and {bd.ndim}D"
            )
        k_a = ad.shape[-1]
        k_b = bd.shape[-2] if bd.ndim >= 2 else bd.shape[0]
        if k_a != k_b:
            raise _matmul_error(ad.shape, bd.shape)
        if ad.ndim > 2 or bd.ndim > 2:
            try:
                np.broadcast_shapes(ad.shape[:-2], bd.shape[:-2])
            except ValueError:
                raise _matmul_error(ad.shape, bd.shape) from None
        if ad.dtype != bd.dtype:
            dt = _dtype.promote_types(ad.dtype, bd.dtype)
            ad, bd = ad.astype(dt), bd.astype(dt)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return np.matmul(ad, bd)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        a_nd = len(ctx._input_meta[0][0]) if ctx._input_meta[0] else a.ndim
        b_nd = len(ctx._input_meta[1][0]) if ctx._input_meta[1] else b.ndim
        if a_nd == 1 and b_nd == 1:
            return (grad * b if b is not None else None), (grad * a if a is not None else None)
        g = grad
        if a_nd == 1:
            g = unsqueeze(g, -2)
        if b_nd == 1:
            g = unsqueeze(g, -1)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            bm = unsqueeze(b, -1) if b_nd == 1 else b
            ga = matmul(g, transpose(bm, -1, -2))
            if a_nd == 1:
                ga = squeeze(ga, -2)
        if ctx.needs_input_grad[1]:
            am = unsqueeze(a, 0) if a_nd == 1 else a
            gb = matmul(transpose(am, -1, -2), g)
            if b_nd == 1:
                gb = squeeze(gb, -1)
        return ga, gb


def matmul(a: Tensor, b: Tensor) -> Tensor:
    return MatMul.apply(as_tensor_operand(a), as_tensor_operand(b))


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, got {a.ndim}D and {b.ndim}D")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if a.ndim != 3 else "batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] but got: "
            f"[{b.shape[0]}, {b.shape[1]}]."
        )
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
            f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )
    return matmul(a, b)


inner = dot


def outer(a: Tensor, b: Tensor) -> Tensor:
    return unsqueeze(a, 1) * unsqueeze(b, 0)


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat1 @ mat2)."""
    prod = mm(mat1, mat2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod
    return prod + (input if beta == 1 else input * beta)


def baddbmm(input: Tensor, b1: Tensor, b2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    prod = bmm(b1, b2)
    prod = prod * alpha if alpha != 1 else prod
    return prod if beta == 0 else prod + (input if beta == 1 else input * beta)


# ----------------------------------------------------------------------------- einsum
def _parse_einsum(equation: str, ndims: Sequence[int]) -> tuple[list[str], str]:
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(ndims) > len(ins) else "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in string.ascii_letters if c not in used]
    ell_n = max((nd - (len(s) - 3) for s, nd in zip(ins, ndims) if "..." in s), default=0)
    ell = "".join(free[:ell_n])
    expanded = []
    for s, nd in zip(ins, ndims):
        if "..." in s:
            k = nd - (len(s) - 3)
            s = s.replace("...", ell[ell_n - k :] if k else "")
        if len(s) != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match the "
                               f"number of dimensions ({nd}) for operand {len(expanded)}")
        expanded.append(s)
    if "->" in eq:
        out = rhs.replace("...", ell)
    else:
        counts: dict = {}
        for s in expanded:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return expanded, out


class Einsum(Function):
    @staticmethod
    def forward(ctx: Function, eq_in: tuple, eq_out: str, *xs: Tensor) -> np.ndarray:
        ctx.eq_in, ctx.eq_out = eq_in, eq_out
        ctx.save_for_backward(*xs)
        dt = xs[0].data.dtype
        for x in xs[1:]:
            dt = _dtype.promote_types(dt, x.data.dtype)
        return np.asarray(np.einsum(",".join(eq_in) + "->" + eq_out, *(x.data.astype(dt, copy=False) for x in xs), optimize=True))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        xs = ctx.saved_tensors
        grads: list = [None, None]
        for i, sub in enumerate(ctx.eq_in):
            if not ctx.needs_input_grad[i + 2]:
                grads.append(None)
                continue
            if len(set(sub)) != len(sub):
                raise RuntimeError(f"einsum backward with a repeated subscript in one operand ('{sub}') is not supported")
            others = [(s, x) for j, (s, x) in enumerate(zip(ctx.eq_in, xs)) if j != i]
            avail = set(ctx.eq_out).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in sub if c in avail)
            g = einsum(",".join([ctx.eq_out] + [s for s, _ in others]) + "->" + kept, grad, *[x for _, x in others])
            if kept != sub:  # letters summed only inside this operand: broadcast back
                g = reshape(g, [g.shape[kept.index(c)] if c in avail else 1 for c in sub])
                g = expand(g, [xs[i].shape[k] for k in range(len(sub))])
            grads.append(g)
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [as_tensor_operand(x) for x in operands]
    eq_in, eq_out = _parse_einsum(equation, [x.ndim for x in xs])
    sizes: dict = {}
    for s, x in zip(eq_in, xs):
        for c, n in zip(s, x.shape):
            if c in sizes and sizes[c] != n and 1 not in (n, sizes[c]):
                raise RuntimeError(
                    f"einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript '{c}' "
                    f"has size {sizes[c]} and {n}"
                )
            sizes[c] = max(sizes.get(c, n), n)
    return Einsum.apply(tuple(eq_in), eq_out, *xs)


# ----------------------------------------------------------------------------- norms
class VectorNorm(Function):
    """||x||_p over ``dims``. Gradient: x |x|^(p-2) / ||x||^(p-1) (0 where the norm is 0);
    p = inf/-inf sends the gradient to the extreme elements (split on ties); p = 0 has none."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, p: float, dims: tuple, keepdim: bool) -> np.ndarray:
        a = x.data if x.data.dtype.kind == "f" else x.data.astype(_dtype.get_default_dtype().np)
        ab = np.abs(a)
        if p == float("inf"):
            out = ab.max(axis=dims, keepdims=True) if a.size else np.zeros([1] * a.ndim, a.dtype)
        elif p == float("-inf"):
            out = ab.min(axis=dims, keepdims=True)
        elif p == 0:
            out = (ab != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
        elif p == 1:
            out = ab.sum(axis=dims, keepdims=True)
        elif p == 2:
            out = np.sqrt((a * a).sum(axis=dims, keepdims=True))
        else:
            out = (ab**p).sum(axis=dims, keepdims=True) ** (1.0 / p)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        ctx.save_for_backward(x, out)
        return out if keepdim else out.reshape([s for i, s in enumerate(out.shape) if i not in dims])

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, norm = ctx.saved_tensors  # norm kept with keepdim shape
        from .binary import where
        from .pointwise import abs as _abs, sign

        g = grad if ctx.keepdim else reshape(grad, norm.shape)
        p = ctx.p
        zero = Tensor._make(np.zeros((), g.data.dtype))
        if p == 0:
            return x * 0, None, None, None
        if p in (float("inf"), float("-inf")):
            hit = Tensor._make((np.abs(x.data) == norm.data).astype(g.data.dtype))
            count = Tensor._make(hit.data.sum(axis=ctx.dims, keepdims=True))
            return sign(x) * hit * g / count, None, None, None
        if p == 1:
            return sign(x) * g, None, None, None
        is_zero = Tensor._make(np.asarray(norm.data == 0))
        safe = where(is_zero, Tensor._make(np.ones((), norm.data.dtype)), norm)
        if p == 2:
            return x * where(is_zero, zero, g / safe), None, None, None
        scale = where(is_zero, zero, g / safe ** (p - 1))
        return x * _abs(x) ** (p - 2) * scale, None, None, None


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.is_floating_point is False:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {x.dtype}")
    dims = normalize_dims(dim, x.ndim)
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def matrix_norm(x: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False) -> Tensor:  # noqa: A002
    if ord == "fro":
        return vector_norm(x, 2, dim, keepdim)
    if ord == "nuc" or ord in (2, -2):
        d0, d1 = (wrap_dim(d, x.ndim) for d in dim)
        moved = x.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            out = unsqueeze(unsqueeze(out, -1), -1).movedim((-2, -1), (d0, d1))
        return out
    if ord in (1, -1, float("inf"), float("-inf")):
        d0, d1 = (wrap_dim(d, x.ndim) for d in dim)
        sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = x.abs().sum(sum_dim, keepdim=True)
        out = s.amax(red_dim, keepdim=True) if ord in (1, float("inf")) else s.amin(red_dim, keepdim=True)
        return out if keepdim else squeeze(out, (d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


class SvdVals(Function):
    """Singular values; d sigma_i = u_i^T dA v_i."""

    once_differentiable = True

    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        u, s, vh = np.linalg.svd(x.data, full_matrices=False)
        ctx.u, ctx.vh = u, vh
        return s

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> np.ndarray:
        return Tensor._make((ctx.u * grad.data[..., None, :]) @ ctx.vh)


def svdvals(x: Tensor) -> Tensor:
    return SvdVals.apply(x)


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """torch.norm: vector p-norm over ``dim`` (all elements by default); 'fro' is the 2-norm, 'nuc' nuclear."""
    if dtype is not None:
        x = x.to(dtype)
    if p == "nuc":
        return matrix_norm(x, "nuc", dim if dim is not None else (-2, -1), keepdim)
    if p == "fro" or p is None:
        p = 2
    return vector_norm(x, p, dim, keepdim)


def linalg_norm(x: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """torch.linalg.norm: vector norm for 1-D (or int dim), matrix norm for 2-D (or 2-tuple dim)."""
    if dtype is not None:
        x = x.to(dtype)
    if ord is None:
        return vector_norm(x, 2, dim, keepdim)
    if isinstance(dim, int) or (dim is None and x.ndim == 1):
        return vector_norm(x, ord, dim, keepdim)
    if dim is None and x.ndim != 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {x.ndim}D.")
    return matrix_norm(x, ord, tuple(dim) if dim is not None else (-2, -1), keepdim)
