"""Triangles and diagonals: ``tril``, ``triu``, ``diagonal``, ``diag``, ``diag_embed`` and ``trace``
(re-exported by ``npgrad.ops.index``).

``diagonal`` is a strided NumPy view of its input, like torch's; its adjoint ``DiagScatter`` writes a
gradient back onto the diagonal of zeros and also implements ``diag_embed``.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import wrap_dim
from .shape import _share_version, clone, reshape


class Tri(Function):
    """Keep the lower (``np.tril``) or upper (``np.triu``) triangle; self-adjoint, so backward is the same op."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, k: int, lower: bool) -> np.ndarray:
        ctx.args = (k, lower)
        return (np.tril if lower else np.triu)(x.data, k)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return Tri.apply(grad, *ctx.args), None, None


def _tri(x: Tensor, diagonal: int, lower: bool) -> Tensor:
    """tril/triu's worker: check that ``x`` is at least 2-D, then apply ``Tri``."""
    if x.data.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions")
    return Tri.apply(x, int(diagonal), lower)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Lower triangle of the last two dims: ``out[..., i, j] = input[..., i, j] if j - i <= diagonal else 0``.

    Args:
        input (Tensor): at least 2-D; the leading dims are a batch.
        diagonal (int): which diagonal bounds the kept part: 0 the main one, > 0 above it, < 0 below it.

    Returns:
        Tensor: of ``input``'s shape and dtype. The gradient is masked the same way.
    """
    return _tri(input, diagonal, True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Upper triangle of the last two dims: ``out[..., i, j] = input[..., i, j] if j - i >= diagonal else 0``.

    The mirror of :func:`tril`: same arguments (``diagonal`` now bounds the kept part from below), same
    result shape and dtype, gradient masked the same way.
    """
    return _tri(input, diagonal, False)


def _diag_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """Writable view of the ``offset`` diagonal of dims (d1, d2), appended as the last dim (torch layout)."""
    n1, n2 = a.shape[d1], a.shape[d2]
    r0, c0 = (0, offset) if offset >= 0 else (-offset, 0)
    length = builtins.max(0, builtins.min(n1 - r0, n2 - c0))
    if length:
        key = [slice(None)] * a.ndim
        key[d1], key[d2] = slice(r0, None), slice(c0, None)
        a = a[tuple(key)]
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (length,)
    strides = tuple(a.strides[i] for i in rest) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


class Diagonal(Function):
    """The ``offset`` diagonal of dims ``(d1, d2)`` as a strided view, appended as the last dim.

    The backward writes the gradient onto the same diagonal of zeros (``DiagScatter``).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, offset: int, d1: int, d2: int) -> np.ndarray:
        ctx.args = (offset, d1, d2, x.data.shape)
        return _diag_view(x.data, offset, d1, d2)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        offset, d1, d2, shape = ctx.args
        return DiagScatter.apply(grad, offset, d1, d2, shape), None, None, None


class DiagScatter(Function):
    """Zeros of ``shape`` with ``src`` written on a diagonal: diagonal's adjoint, and diag_embed."""

    @staticmethod
    def forward(ctx: Function, src: Tensor, offset: int, d1: int, d2: int, shape: tuple) -> np.ndarray:
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, dtype=src.data.dtype)
        _diag_view(out, offset, d1, d2)[...] = src.data
        return out

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


def _diag_dims(dim1: int, dim2: int, ndim: int) -> tuple:
    """``(dim1, dim2)`` wrapped for ``ndim`` dims; RuntimeError when they are the same dim."""
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """A diagonal as a view: ``out[..., k] = input[..., i + k, ..., j + k, ...]`` (along ``dim1``, ``dim2``).

    ``(i, j)`` is ``(0, offset)`` for ``offset >= 0`` and ``(-offset, 0)`` otherwise. ``dim1`` and
    ``dim2`` are removed and the diagonal becomes the last dim. The result shares memory (and version
    counter) with ``input``.

    Args:
        input (Tensor): at least 2-D.
        offset (int): 0 the main diagonal, > 0 above it (towards higher ``dim2`` positions), < 0 below.
        dim1 (int): the row dim.
        dim2 (int): the column dim (different from ``dim1``).

    Returns:
        Tensor: ``input``'s other dims followed by the diagonal's length (0 if the offset misses the
        matrix). The gradient is written back onto the diagonal of zeros.
    """
    d1, d2 = _diag_dims(dim1, dim2, input.data.ndim)
    return _share_version(Diagonal.apply(input, int(offset), d1, d2), input)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Put vectors on diagonals: ``out[..., i + k, ..., j + k, ...] = input[..., k]``, zeros elsewhere.

    ``(i, j)`` is ``(0, offset)`` for ``offset >= 0`` and ``(-offset, 0)`` otherwise, on dims ``dim1`` and
    ``dim2`` of the output; this is the inverse of :func:`diagonal`.

    Args:
        input (Tensor): the diagonals in its last dim (a 0-d input counts as one value); the leading
            dims are a batch.
        offset (int): which diagonal to fill (0 main, > 0 above, < 0 below).
        dim1 (int): the output's row dim (of ``input.dim() + 1`` dims).
        dim2 (int): the output's column dim (different from ``dim1``).

    Returns:
        Tensor: one more dim than ``input``: ``dim1`` and ``dim2`` have size ``input.size(-1) + |offset|``.
    """
    nd = input.data.ndim + 1
    d1, d2 = _diag_dims(dim1, dim2, nd)
    n = (input.data.shape[-1] if input.data.ndim else 1) + builtins.abs(int(offset))
    rest = list(input.data.shape[:-1])
    for d in sorted((d1, d2)):
        rest.insert(d, n)
    src = input if input.data.ndim else reshape(input, (1,))
    return DiagScatter.apply(src, int(offset), d1, d2, tuple(rest))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Build a diagonal matrix from a vector, or take a matrix's diagonal (``out[k] = input[k, k + diagonal]``).

    Args:
        input (Tensor): 1-D (a vector to place) or 2-D (a matrix to read).
        diagonal (int): which diagonal (0 main, > 0 above, < 0 below).

    Returns:
        Tensor: for a vector of length n, an ``(n + |diagonal|)``-square matrix, zero off that
        diagonal; for a matrix, that diagonal as a new 1-D tensor (a copy, not a view).
    """
    if input.data.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.data.ndim == 2:
        return clone(globals()["diagonal"](input, diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.data.ndim}D")


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """Sum of a matrix's main diagonal: ``out = sum_i input[i, i]``.

    Args:
        input (Tensor): 2-D, any shape.

    Returns:
        Tensor: 0-d; integer and bool inputs give int64. The gradient is the identity pattern.
    """
    if input.data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.data.ndim}")
    return diagonal(input).sum()
