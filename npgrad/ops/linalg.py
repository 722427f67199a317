"""Matrix products, einsum and norms.

``matmul`` is one BLAS call forward and two backward (1-D operands are treated as a row / column
vector, batch dims broadcast; the engine sums gradients of broadcast batch dims back):

    C = A @ B      dL/dA = dL/dC @ B^T      dL/dB = A^T @ dL/dC

Every backward is written with these same ops, so double backward works (except through the
singular values of ``svdvals`` / 'nuc' / 2-norms, which are differentiable once).
"""
from __future__ import annotations

import math
import string
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import normalize_dims, wrap_dim
from .binary import TORCH_NAMES, check_broadcast, type_name, where
from .pointwise import abs as _abs
from .pointwise import sign
from .shape import expand, movedim, reshape, squeeze, transpose, unsqueeze


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x))


# ----------------------------------------------------------------------------- matmul family
def _mm_error(sa: tuple, sb: tuple) -> RuntimeError:
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")


def _bmm_error(batch: int, k: int, b0: int, b1: int) -> RuntimeError:
    return RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k}] but got: [{b0}, {b1}]."
    )


def _check_matmul(a: np.ndarray, b: np.ndarray) -> None:
    """torch's checks and messages for every matmul case (dot, mv, mm, folded and batched)."""
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if a.dtype != b.dtype:
        if na == 1 and nb == 1:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{TORCH_NAMES[a.dtype]} and {TORCH_NAMES[b.dtype]}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {type_name(a.dtype)} != "
                           f"{type_name(b.dtype)}")
    k = a.shape[-1]
    kb = b.shape[0] if nb == 1 else b.shape[-2]
    if na == 1 and nb == 1:
        if k != kb:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k}] and src [{kb}] to have the same "
                               f"number of elements, but got {k} and {kb} elements respectively")
    elif nb == 1:
        if k != kb:
            rows = a.size // k if k else int(np.prod(a.shape[:-1]))
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec ({kb})")
    elif nb == 2 and na <= 2:
        if k != kb:
            raise _mm_error((1, k) if na == 1 else a.shape, b.shape)
    elif nb == 2:
        if k != kb:
            raise _mm_error((int(np.prod(a.shape[:-1])), k), b.shape)
    else:
        check_broadcast(a.shape[:-2], b.shape[:-2])
        batch = int(np.prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2])))
        if k != kb:
            raise _bmm_error(batch, k, batch, kb)


class MatMul(Function):
    """a @ b with torch's 1-D / batched semantics."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor) -> np.ndarray:
        ad, bd = a.data, b.data
        _check_matmul(ad, bd)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        ctx.nd = (ad.ndim, bd.ndim)
        if ad.ndim > 2 and bd.ndim == 2:  # fold the batch into rows: one large GEMM instead of many small
            rows = math.prod(ad.shape[:-1])
            return np.matmul(ad.reshape(rows, ad.shape[-1]), bd).reshape(ad.shape[:-1] + bd.shape[-1:])
        return np.asarray(np.matmul(ad, bd))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.nd
        if na == 1 and nb == 1:
            return (grad * b if b is not None else None), (grad * a if a is not None else None)
        g = unsqueeze(grad, -2) if na == 1 else grad
        g = unsqueeze(g, -1) if nb == 1 else g
        ga = gb = None
        if ctx.needs_input_grad[0]:
            bm = unsqueeze(b, -1) if nb == 1 else b
            ga = matmul(g, transpose(bm, -1, -2))
            ga = squeeze(ga, -2) if na == 1 else ga
        if ctx.needs_input_grad[1]:
            if na > 2 and nb == 2:  # sum over the folded batch inside the GEMM
                rows, k, n = math.prod(a.data.shape[:-1]), a.data.shape[-1], g.data.shape[-1]
                gb = matmul(transpose(reshape(a, (rows, k)), 0, 1), reshape(g, (rows, n)))
            else:
                am = unsqueeze(a, 0) if na == 1 else a
                gb = matmul(transpose(am, -1, -2), g)
                gb = squeeze(gb, -1) if nb == 1 else gb
        return ga, gb


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with broadcasting batch dims (torch.matmul)."""
    return MatMul.apply(_as_tensor(a), _as_tensor(b))


def mm(a: Tensor, b: Tensor) -> Tensor:
    """(n, k) @ (k, m)."""
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """(B, n, k) @ (B, k, m), no broadcasting."""
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise _bmm_error(a.shape[0], a.shape[2], b.shape[0], b.shape[1])
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {TORCH_NAMES[a.data.dtype]} but found {TORCH_NAMES[b.data.dtype]}")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Inner product of two 1-D tensors."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def inner(a: Tensor, b: Tensor) -> Tensor:
    """Sum over the last dims: dot for vectors, a @ b^T in general; a 0-d operand multiplies."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim == 1 and b.ndim == 1:
        return dot(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    bt = reshape(b, (-1, b.shape[-1]))
    return reshape(matmul(a, transpose(bt, 0, 1)), tuple(a.shape[:-1]) + tuple(b.shape[:-1]))


def outer(a: Tensor, b: Tensor) -> Tensor:
    """a_i b_j for 1-D a and b."""
    for name, t in (("self", a), ("vec2", b)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return unsqueeze(a, 1) * unsqueeze(b, 0)


ger = outer


def _add_scaled(prod: Tensor, input: Tensor, beta: Any, alpha: Any) -> Tensor:  # noqa: A002
    shape, ishape = tuple(prod.shape), tuple(input.shape)
    for i in range(1, len(ishape) + 1):
        target = shape[-i] if i <= len(shape) else 1
        if ishape[-i] not in (1, target) or len(ishape) > len(shape):
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size ({ishape[-i]}) at "
                f"non-singleton dimension {len(shape) - i}.  Target sizes: {list(shape)}.  Tensor sizes: {list(ishape)}"
            )
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # input is ignored, NaNs included (its gradient is zero), like torch
        return prod + where(Tensor._make(np.zeros((), bool)), input, 0.0) if input.requires_grad else prod
    return prod + (input if beta == 1 else input * beta)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    return _add_scaled(mm(mat1, mat2), input, beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: A002
    """beta * input + alpha * bmm(batch1, batch2)."""
    return _add_scaled(bmm(batch1, batch2), input, beta, alpha)


# ----------------------------------------------------------------------------- einsum
def _parse_einsum(equation: str, ndims: Sequence[int]) -> tuple[list[str], str]:
    """Subscripts per operand and for the output, with each '...' replaced by explicit letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        which = "more" if len(ndims) > len(ins) else "fewer"
        raise RuntimeError(f"einsum(): {which} operands were provided than specified in the equation")
    for c in eq.replace("...", "").replace(",", "").replace("->", ""):
        if c not in string.ascii_letters:
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
    free = [c for c in string.ascii_letters if c not in eq]
    n_ell = max((nd - (len(s) - 3) for s, nd in zip(ins, ndims) if "..." in s), default=0)
    ell = "".join(free[:n_ell])
    expanded = []
    for i, (s, nd) in enumerate(zip(ins, ndims)):
        if "..." in s:
            k = nd - (len(s) - 3)
            if k < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s) - 3}) is more "
                                   f"than the number of dimensions ({nd}) for operand {i}")
            s = s.replace("...", ell[n_ell - k:])
        elif len(s) != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match the "
                               f"number of dimensions ({nd}) for operand {i} and no ellipsis was given")
        expanded.append(s)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if not any(c in s for s in expanded):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
    else:
        counts = "".join(expanded)
        out = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ell))
    return expanded, out


class Einsum(Function):
    """Sum of products over the letters missing from the output (NumPy's optimised einsum).

    The gradient of operand i is again an einsum: of the output gradient with the other operands,
    written to operand i's subscripts; a letter repeated in operand i (a diagonal) is spread back
    with an identity matrix, and a letter summed only inside operand i with a vector of ones.
    """

    @staticmethod
    def forward(ctx: Function, subs: tuple, out: str, sizes: dict, *xs: Tensor) -> np.ndarray:
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        ctx.save_for_backward(*xs)
        return np.asarray(np.einsum(",".join(subs) + "->" + out, *(x.data for x in xs), optimize=len(xs) > 1))

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        xs = ctx.saved_tensors
        grads: list = [None, None, None]
        for i, sub in enumerate(ctx.subs):
            if not ctx.needs_input_grad[i + 3]:
                grads.append(None)
                continue
            others = [(s, x) for j, (s, x) in enumerate(zip(ctx.subs, xs)) if j != i]
            known = set(ctx.out).union(*(set(s) for s, _ in others))
            target, consts = "", []
            for c in sub:
                if c in target:  # a repeated letter: a fresh one tied to the first by an identity
                    fresh = next(f for f in string.ascii_letters if f not in target + ctx.out + "".join(ctx.subs)
                                 and all(f not in cs for cs, _ in consts))
                    target += fresh
                    consts.append((c + fresh, np.eye(ctx.sizes[c], dtype=grad.data.dtype)))
                else:
                    target += c
                    if c not in known:
                        consts.append((c, np.ones(ctx.sizes[c], dtype=grad.data.dtype)))
            terms = [(ctx.out, grad)] + others + [(cs, Tensor._make(v)) for cs, v in consts]
            g = einsum(",".join(s for s, _ in terms) + "->" + target, *(t for _, t in terms))
            if any(m < n for m, n in zip(g.data.shape, xs[i].data.shape)):  # a size-1 partner: broadcast back
                g = expand(g, np.broadcast_shapes(g.data.shape, xs[i].data.shape))
            grads.append(g)
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation (torch.einsum): explicit ('ij,jk->ik') or implicit output, '...' broadcasting."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [_as_tensor(x) for x in operands]
    subs, out = _parse_einsum(equation, [x.ndim for x in xs])
    for x in xs[1:]:
        if x.data.dtype != xs[0].data.dtype:
            raise RuntimeError(f"expected scalar type {TORCH_NAMES[xs[0].data.dtype]} but found "
                               f"{TORCH_NAMES[x.data.dtype]}")
    sizes: dict = {}
    for i, (sub, x) in enumerate(zip(subs, xs)):
        for c, n in zip(sub, x.shape):
            if c in sizes and n != sizes[c] and 1 not in (n, sizes[c]):
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {sizes[c]}")
            sizes[c] = max(sizes.get(c, n), n) if n != 1 else sizes.get(c, 1)
    return Einsum.apply(tuple(subs), out, sizes, *xs)


# ----------------------------------------------------------------------------- norms
_INF = math.inf


class VectorNorm(Function):
    """(sum |x|^p)^(1/p) over ``dims``; p = inf / -inf is max / min |x|, p = 0 counts non-zeros.

    Gradient (torch's norm_backward): sgn(x) |x|^(p-1) / norm^(p-1), zero where the norm is 0; for
    p = +-inf it is shared evenly by the elements attaining the norm; for p < 1 the zeros of x get 0.
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, p: float, dims: tuple, keepdim: bool) -> np.ndarray:
        a = x.data
        ab = np.abs(a)
        with np.errstate(all="ignore"):
            if p == _INF or p == -_INF:
                out = (ab.max if p > 0 else ab.min)(axis=dims, keepdims=True)
            elif p == 0:
                out = (ab != 0).sum(axis=dims, keepdims=True).astype(a.dtype)
            elif p == 1:
                out = ab.sum(axis=dims, keepdims=True)
            elif p == 2:
                out = np.sqrt(np.square(a).sum(axis=dims, keepdims=True))
            else:
                out = np.power(np.power(ab, p).sum(axis=dims, keepdims=True), 1.0 / p)
        out = np.asarray(out)  # NumPy gives scalars for 0-d input
        ctx.p, ctx.dims, ctx.kshape = p, dims, out.shape
        res = out if keepdim else out.reshape([s for i, s in enumerate(out.shape) if i not in dims])
        ctx.save_for_backward(x, res)  # the output itself, so that double backward sees norm(x)
        return res

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, norm = ctx.saved_tensors
        norm, g = reshape(norm, ctx.kshape), reshape(grad, ctx.kshape)  # at the keepdim shape
        p, nd = ctx.p, norm.data
        none = (None, None, None)
        with np.errstate(all="ignore"):
            if p == 0:
                return (x * 0,) + none
            if p == 1:
                return (sign(x) * g,) + none
            if p in (_INF, -_INF):
                hit = (np.abs(x.data) == nd) | np.isnan(x.data)
                share = hit / hit.sum(axis=ctx.dims, keepdims=True)
                return (sign(x) * g * Tensor._make(share.astype(x.data.dtype)),) + none
            zero_norm = Tensor._make(nd == 0)
            if p < 1:
                scaled = sign(x) * where(Tensor._make(x.data == 0), 0.0, _abs(x) ** (p - 1))
                return (scaled * g * norm ** (1 - p),) + none
            if p == 2:
                return (g * where(zero_norm, 0.0, x / norm),) + none
            scaled = sign(x) * _abs(x) ** (p - 1) if p < 2 else x * _abs(x) ** (p - 2)
            return (scaled * where(zero_norm, 0.0, g / norm ** (p - 1)),) + none


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """||x||_ord over ``dim`` (all elements by default), ord any real number or +-inf."""
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    if x.data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {TORCH_NAMES[x.data.dtype]}")
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(dim, (list, tuple)):
        seen = [wrap_dim(d, x.ndim) for d in dim]
        for d in seen:
            if seen.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    dims = normalize_dims(dim, x.ndim)
    p = float(ord)
    if x.data.size == 0 and (p < 0 or p == _INF):
        name = "inf" if p == _INF else ("-inf" if p == -_INF else f"{ord}")
        if dim is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because the "
                               "operation does not have an identity")
        for d in dims:
            if x.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}because "
                                   "this dimension is empty and the operation does not have an identity")
    return VectorNorm.apply(x, p, dims, bool(keepdim))


class SvdVals(Function):
    """Singular values (descending); d sigma_i = u_i^T dA v_i."""

    once_differentiable = True

    @staticmethod
    def forward(ctx: Function, x: Tensor) -> np.ndarray:
        if not ctx.needs_input_grad[0]:
            return np.linalg.svd(x.data, compute_uv=False)
        u, s, vh = np.linalg.svd(x.data, full_matrices=False)
        ctx.u, ctx.vh = u, vh
        return s

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> Tensor:
        return Tensor._make(np.matmul(ctx.u * grad.data[..., None, :], ctx.vh))


def svdvals(x: Tensor) -> Tensor:
    """Singular values of the matrices in the last two dims, in descending order."""
    if x.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    return SvdVals.apply(x)


def matrix_norm(x: Tensor, ord: Any = "fro", dim: Sequence[int] = (-2, -1), keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """'fro', 'nuc', 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column abs sum),
    inf / -inf (max / min row abs sum) over the two dims ``dim``."""
    if x.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if x.data.dtype.kind != "f":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. "
                           f"Got {TORCH_NAMES[x.data.dtype]}")
    if dtype is not None:
        x = x.to(dtype)
    dim = tuple(dim) if isinstance(dim, (list, tuple)) else (dim,)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = (wrap_dim(d, x.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(x, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(movedim(x, (d0, d1), (-2, -1)))
        out = einsum("...i->...", s) if ord == "nuc" else vector_norm(s, _INF if ord == 2 else -_INF, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = unsqueeze(out, d)
        return out
    if ord in (1, -1, _INF, -_INF):
        sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        col = vector_norm(x, 1, sum_dim, keepdim=True)
        out = vector_norm(col, _INF if ord in (1, _INF) else -_INF, red_dim, keepdim=True)
        return out if keepdim else squeeze(out, (d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """torch.norm: the vector p-norm over ``dim`` (all elements by default); 'fro' is the 2-norm,
    'nuc' the nuclear norm of the matrices in ``dim`` (default the last two)."""
    if dtype is not None:
        x = x.to(dtype)
    if p == "nuc":
        return matrix_norm(x, "nuc", dim if dim is not None else (-2, -1), keepdim)
    if p == "fro" or p is None:
        p = 2
    return vector_norm(x, p, dim, keepdim)


def linalg_norm(x: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector norm for 1-D input or an int ``dim``, a matrix norm for 2-D input
    or a 2-tuple ``dim``; without ``ord`` the 2-norm of all elements."""
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(dim, int) or (isinstance(dim, (list, tuple)) and len(dim) == 1):
        if isinstance(ord, str):
            return matrix_norm(x, ord, dim if isinstance(dim, (list, tuple)) else (dim,), keepdim)
        return vector_norm(x, 2 if ord is None else ord, dim, keepdim)
    if dim is not None:
        return matrix_norm(x, "fro" if ord is None else ord, dim, keepdim)
    if ord is None:
        return vector_norm(x, 2, None, keepdim)
    if x.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {x.ndim}D.")
    if x.ndim == 1 and not isinstance(ord, str):
        return vector_norm(x, ord, None, keepdim)
    return matrix_norm(x, ord, (-2, -1), keepdim)
