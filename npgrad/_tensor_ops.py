"""The op methods of ``Tensor`` (``x.exp()``, ``x.sum(dim)``, ``x.view(...)``, ...).

Each method is a one-line call into the op modules in ``npgrad/ops``, where forward and backward
live. ``Tensor`` inherits them from ``TensorOps``; the class exists only to keep tensor.py short.
"""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import ops as _ops
from ._dtype import dtype as DType

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorOps:
    """Mixin with the op methods of ``Tensor``."""

    __slots__ = ()

    # ----------------------------------------------------------------- pointwise (npgrad.ops.pointwise)
    def neg(self) -> "Tensor":
        return _ops.pointwise.neg(self)

    negative = neg

    def abs(self) -> "Tensor":
        return _ops.pointwise.abs(self)

    absolute = abs

    def sign(self) -> "Tensor":
        return _ops.pointwise.sign(self)

    def exp(self) -> "Tensor":
        return _ops.pointwise.exp(self)

    def exp2(self) -> "Tensor":
        return _ops.pointwise.exp2(self)

    def expm1(self) -> "Tensor":
        return _ops.pointwise.expm1(self)

    def log(self) -> "Tensor":
        return _ops.pointwise.log(self)

    def log2(self) -> "Tensor":
        return _ops.pointwise.log2(self)

    def log10(self) -> "Tensor":
        return _ops.pointwise.log10(self)

    def log1p(self) -> "Tensor":
        return _ops.pointwise.log1p(self)

    def sqrt(self) -> "Tensor":
        return _ops.pointwise.sqrt(self)

    def rsqrt(self) -> "Tensor":
        return _ops.pointwise.rsqrt(self)

    def square(self) -> "Tensor":
        return _ops.pointwise.square(self)

    def sin(self) -> "Tensor":
        return _ops.pointwise.sin(self)

    def cos(self) -> "Tensor":
        return _ops.pointwise.cos(self)

    def tan(self) -> "Tensor":
        return _ops.pointwise.tan(self)

    def tanh(self) -> "Tensor":
        return _ops.pointwise.tanh(self)

    def sigmoid(self) -> "Tensor":
        return _ops.pointwise.sigmoid(self)

    def relu(self) -> "Tensor":
        return _ops.pointwise.relu(self)

    def reciprocal(self) -> "Tensor":
        return _ops.pointwise.reciprocal(self)

    def floor(self) -> "Tensor":
        return _ops.pointwise.floor(self)

    def ceil(self) -> "Tensor":
        return _ops.pointwise.ceil(self)

    def round(self, *, decimals: builtins.int = 0) -> "Tensor":
        return _ops.pointwise.round(self, decimals=decimals)

    def trunc(self) -> "Tensor":
        return _ops.pointwise.trunc(self)

    def frac(self) -> "Tensor":
        return _ops.pointwise.frac(self)

    def erf(self) -> "Tensor":
        return _ops.pointwise.erf(self)

    def logit(self, eps: builtins.float | None = None) -> "Tensor":
        return _ops.pointwise.logit(self, eps)

    def nan_to_num(self, nan: builtins.float = 0.0, posinf: Any = None, neginf: Any = None) -> "Tensor":
        return _ops.pointwise.nan_to_num(self, nan, posinf, neginf)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        return _ops.pointwise.clamp(self, min, max)

    clip = clamp

    def softmax(self, dim: builtins.int, dtype: Any = None) -> "Tensor":
        return _ops.reduce.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: builtins.int, dtype: Any = None) -> "Tensor":
        return _ops.reduce.log_softmax(self, dim, dtype=dtype)

    # ----------------------------------------------------------------- binary (npgrad.ops.binary)
    def add(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return _ops.binary.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return _ops.binary.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other: Any) -> "Tensor":
        return _ops.binary.mul(self, other)

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        return _ops.binary.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def floor_divide(self, other: Any) -> "Tensor":
        return _ops.binary.floor_divide(self, other)

    def remainder(self, other: Any) -> "Tensor":
        return _ops.binary.remainder(self, other)

    def fmod(self, other: Any) -> "Tensor":
        return _ops.binary.fmod(self, other)

    def pow(self, exponent: Any) -> "Tensor":
        return _ops.binary.pow(self, exponent)

    def maximum(self, other: "Tensor") -> "Tensor":
        return _ops.binary.maximum(self, other)

    def minimum(self, other: "Tensor") -> "Tensor":
        return _ops.binary.minimum(self, other)

    def atan2(self, other: "Tensor") -> "Tensor":
        return _ops.binary.atan2(self, other)

    def lerp(self, end: "Tensor", weight: Any) -> "Tensor":
        return _ops.binary.lerp(self, end, weight)

    def where(self, condition: "Tensor", other: Any) -> "Tensor":
        return _ops.binary.where(condition, self, other)

    def masked_fill(self, mask: "Tensor", value: Any) -> "Tensor":
        return _ops.binary.masked_fill(self, mask, value)

    def eq(self, other: Any) -> "Tensor":
        return _ops.binary.eq(self, other)

    def ne(self, other: Any) -> "Tensor":
        return _ops.binary.ne(self, other)

    def lt(self, other: Any) -> "Tensor":
        return _ops.binary.lt(self, other)

    def le(self, other: Any) -> "Tensor":
        return _ops.binary.le(self, other)

    def gt(self, other: Any) -> "Tensor":
        return _ops.binary.gt(self, other)

    def ge(self, other: Any) -> "Tensor":
        return _ops.binary.ge(self, other)

    def equal(self, other: "Tensor") -> builtins.bool:
        return _ops.binary.equal(self, other)

    def isclose(self, other: "Tensor", rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08, equal_nan: builtins.bool = False) -> "Tensor":
        return _ops.binary.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: "Tensor", rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08, equal_nan: builtins.bool = False) -> builtins.bool:
        return _ops.binary.allclose(self, other, rtol, atol, equal_nan)

    def logical_and(self, other: "Tensor") -> "Tensor":
        return _ops.binary.logical_and(self, other)

    def logical_or(self, other: "Tensor") -> "Tensor":
        return _ops.binary.logical_or(self, other)

    def logical_xor(self, other: "Tensor") -> "Tensor":
        return _ops.binary.logical_xor(self, other)

    def logical_not(self) -> "Tensor":
        return _ops.binary.logical_not(self)

    def isnan(self) -> "Tensor":
        return _ops.binary.isnan(self)

    def isinf(self) -> "Tensor":
        return _ops.binary.isinf(self)

    def isfinite(self) -> "Tensor":
        return _ops.binary.isfinite(self)

    # ----------------------------------------------------------------- matmul family (npgrad.ops.linalg)
    def matmul(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.matmul(self, other)

    def mm(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.mm(self, other)

    def bmm(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.bmm(self, other)

    def dot(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.dot(self, other)

    def outer(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.outer(self, other)

    def addmm(self, mat1: "Tensor", mat2: "Tensor", *, beta: Any = 1, alpha: Any = 1) -> "Tensor":
        return _ops.linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None) -> "Tensor":
        return _ops.linalg.norm(self, p, dim, keepdim, dtype=dtype)

    # ----------------------------------------------------------------- reductions (npgrad.ops.reduce)
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        return _ops.reduce.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        return _ops.reduce.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.amin(self, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.argmax(self, dim, keepdim)

    def argmin(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.argmin(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: builtins.bool = False, *, correction: Any = None) -> "Tensor":
        return _ops.reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: builtins.bool = False, *, correction: Any = None) -> "Tensor":
        return _ops.reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def median(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        return _ops.reduce.median(self, dim, keepdim)

    def mode(self, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        return _ops.reduce.mode(self, dim, keepdim)

    def quantile(self, q: Any, dim: Any = None, keepdim: builtins.bool = False, *, interpolation: str = "linear") -> "Tensor":
        return _ops.reduce.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.logsumexp(self, dim, keepdim)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _ops.reduce.any(self, dim, keepdim)

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: builtins.int, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.cumprod(self, dim, dtype=dtype)

    def topk(self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True, sorted: builtins.bool = True) -> Any:
        return _ops.reduce.topk(self, k, dim, largest, sorted)

    def sort(self, dim: builtins.int = -1, descending: builtins.bool = False, stable: builtins.bool = False) -> Any:
        return _ops.reduce.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: builtins.int = -1, descending: builtins.bool = False, stable: builtins.bool = False) -> "Tensor":
        return _ops.reduce.argsort(self, dim, descending, stable=stable)

    # ----------------------------------------------------------------- shape (npgrad.ops.shape)
    def reshape(self, *shape: Any) -> "Tensor":
        return _ops.shape.reshape(self, _shape_args(shape))

    def view(self, *shape: Any) -> "Tensor":
        """A view with a new shape (must be stride-compatible), or ``view(dtype)``: the same bytes
        reinterpreted as another dtype (not differentiable)."""
        if len(shape) == 1 and isinstance(shape[0], (DType, type, np.dtype, str)):
            return _ops.shape.view_dtype(self, shape[0])
        return _ops.shape.view(self, _shape_args(shape))

    def view_as(self, other: "Tensor") -> "Tensor":
        """``self.view(other.shape)``: a view with ``other``'s shape (the sizes must be stride-compatible)."""
        return _ops.shape.view(self, other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        """``self.reshape(other.shape)``: ``self`` with ``other``'s shape (a view when possible, else a copy)."""
        return _ops.shape.reshape(self, other.shape)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> "Tensor":
        return _ops.shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: builtins.int, sizes: Sequence[builtins.int]) -> "Tensor":
        return _ops.shape.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> "Tensor":
        return _ops.shape.squeeze(self, dim)

    def unsqueeze(self, dim: builtins.int) -> "Tensor":
        return _ops.shape.unsqueeze(self, dim)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> "Tensor":
        return _ops.shape.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self) -> "Tensor":
        return _ops.shape.t(self)

    def permute(self, *dims: Any) -> "Tensor":
        return _ops.shape.permute(self, _shape_args(dims))

    def movedim(self, source: Any, destination: Any) -> "Tensor":
        return _ops.shape.movedim(self, source, destination)

    moveaxis = movedim

    def expand(self, *sizes: Any) -> "Tensor":
        """A view of ``self`` broadcast to ``sizes`` without copying: size-1 dims may grow to any size (stride
        0) and new leading dims may be added; -1 keeps a dim's size. Differentiable (the gradient is summed
        over the expanded dims). Writing into the result is not allowed where elements overlap.
        """
        return _ops.shape.expand(self, _shape_args(sizes))

    def expand_as(self, other: "Tensor") -> "Tensor":
        """``self.expand(other.shape)``: a broadcast view with ``other``'s shape."""
        return _ops.shape.expand(self, other.shape)

    def broadcast_to(self, shape: Sequence[builtins.int]) -> "Tensor":
        return _ops.shape.expand(self, tuple(shape))

    def repeat(self, *sizes: Any) -> "Tensor":
        """A copy of ``self`` tiled ``sizes[i]`` times along each dim (``len(sizes)`` >= ``self.dim()``; extra
        leading sizes add dims), e.g. a (2, 3) tensor ``.repeat(2, 1, 2)`` has shape (2, 2, 6). Differentiable.
        """
        return _ops.shape.repeat(self, _shape_args(sizes))

    def tile(self, *dims: Any) -> "Tensor":
        return _ops.shape.tile(self, _shape_args(dims))

    def split(self, split_size_or_sections: Any, dim: builtins.int = 0) -> tuple:
        return _ops.shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        return _ops.shape.chunk(self, chunks, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple:
        return _ops.shape.unbind(self, dim)

    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> "Tensor":
        return _ops.shape.narrow(self, dim, start, length)

    def flip(self, *dims: Any) -> "Tensor":
        return _ops.shape.flip(self, _shape_args(dims))

    def roll(self, shifts: Any, dims: Any = None) -> "Tensor":
        return _ops.shape.roll(self, shifts, dims)

    def tril(self, diagonal: builtins.int = 0) -> "Tensor":
        return _ops.index.tril(self, diagonal)

    def triu(self, diagonal: builtins.int = 0) -> "Tensor":
        return _ops.index.triu(self, diagonal)

    # ----------------------------------------------------------------- indexing (npgrad.ops.index)
    def gather(self, dim: builtins.int, index: "Tensor") -> "Tensor":
        return _ops.index.gather(self, dim, index)

    def scatter(self, dim: builtins.int, index: "Tensor", src: Any = None, *, value: Any = None, reduce: str | None = None) -> "Tensor":
        return _ops.index.scatter(self, dim, index, src if src is not None else value, reduce=reduce)

    def scatter_add(self, dim: builtins.int, index: "Tensor", src: "Tensor") -> "Tensor":
        return _ops.index.scatter_add(self, dim, index, src)

    def scatter_(self, dim: builtins.int, index: "Tensor", src: Any = None, *, value: Any = None, reduce: str | None = None) -> "Tensor":
        return self._inplace(_ops.index.scatter, dim, index, src if src is not None else value, reduce=reduce)

    def scatter_add_(self, dim: builtins.int, index: "Tensor", src: "Tensor") -> "Tensor":
        return self._inplace(_ops.index.scatter_add, dim, index, src)

    def index_select(self, dim: builtins.int, index: "Tensor") -> "Tensor":
        return _ops.index.index_select(self, dim, index)

    def masked_select(self, mask: "Tensor") -> "Tensor":
        return _ops.index.masked_select(self, mask)

    def take_along_dim(self, indices: "Tensor", dim: Any = None) -> "Tensor":
        return _ops.index.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        return _ops.index.nonzero(self, as_tuple=as_tuple)

    def index_add_(self, dim: builtins.int, index: "Tensor", source: "Tensor", *, alpha: Any = 1) -> "Tensor":
        return self._inplace(_ops.index.index_add, dim, index, source, alpha=alpha)

    def index_fill_(self, dim: builtins.int, index: "Tensor", value: Any) -> "Tensor":
        return self._inplace(_ops.index.index_fill, dim, index, value)


def _shape_args(args: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))`` / ``f([2, 3])`` / ``f(npgrad.Size)`` like torch."""
    if len(args) == 1 and (isinstance(args[0], (tuple, list)) or getattr(args[0], "ndim", 0) == 1):
        args = tuple(args[0])
    out = []
    for a in args:
        if isinstance(a, builtins.bool) or not isinstance(a, (builtins.int, np.integer)) and not hasattr(a, "__index__"):
            raise TypeError(f"expected a sequence of integers for a size, but got an element of type {type(a).__name__}")
        out.append(a.__index__())
    return tuple(out)
