"""Less common op methods of ``Tensor``: torch's aliases, extra reductions/indexing ops and their
in-place variants (``x.diagonal()``, ``x.nansum()``, ``x.unique()``, ``x.tril_()``, ``x.eq_(y)``...).

Like ``TensorOps``, every method is a one-line call into ``npgrad/ops``; in-place variants go through
``Tensor._inplace`` (version counter, autograd recording, leaf checks).
"""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from . import ops as _ops

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorExtraOps:
    """Mixin with the less common op methods of ``Tensor``."""

    __slots__ = ()

    # ----------------------------------------------------------------- aliases of binary ops
    def arctan2(self, other: "Tensor") -> "Tensor":
        return _ops.binary.atan2(self, other)

    def float_power(self, exponent: Any) -> "Tensor":
        return _ops.binary.float_power(self, exponent)

    def fmax(self, other: "Tensor") -> "Tensor":
        return _ops.binary.fmax(self, other)

    def fmin(self, other: "Tensor") -> "Tensor":
        return _ops.binary.fmin(self, other)

    def bitwise_and(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_xor(self, other)

    def bitwise_not(self) -> "Tensor":
        return _ops.binary.bitwise_not(self)

    def bitwise_left_shift(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_right_shift(self, other)

    def greater(self, other: Any) -> "Tensor":
        return _ops.binary.gt(self, other)

    def greater_equal(self, other: Any) -> "Tensor":
        return _ops.binary.ge(self, other)

    def less(self, other: Any) -> "Tensor":
        return _ops.binary.lt(self, other)

    def less_equal(self, other: Any) -> "Tensor":
        return _ops.binary.le(self, other)

    def not_equal(self, other: Any) -> "Tensor":
        return _ops.binary.ne(self, other)

    # ----------------------------------------------------------------- linear algebra
    def inner(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.inner(self, other)

    def ger(self, other: "Tensor") -> "Tensor":
        return _ops.linalg.ger(self, other)

    def baddbmm(self, batch1: "Tensor", batch2: "Tensor", *, beta: Any = 1, alpha: Any = 1) -> "Tensor":
        return _ops.linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    # ----------------------------------------------------------------- reductions
    def nansum(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> "Tensor":
        return _ops.reduce.nanmean(self, dim, keepdim, dtype=dtype)

    def nanquantile(self, q: Any, dim: Any = None, keepdim: builtins.bool = False, *,
                    interpolation: str = "linear") -> "Tensor":
        return _ops.reduce.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def aminmax(self, *, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        return _ops.reduce.aminmax(self, dim=dim, keepdim=keepdim)

    def count_nonzero(self, dim: Any = None) -> "Tensor":
        return _ops.reduce.count_nonzero(self, dim)

    def cummax(self, dim: builtins.int) -> Any:
        return _ops.reduce.cummax(self, dim)

    def cummin(self, dim: builtins.int) -> Any:
        return _ops.reduce.cummin(self, dim)

    def kthvalue(self, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        return _ops.reduce.kthvalue(self, k, dim, keepdim)

    def msort(self) -> "Tensor":
        return _ops.reduce.msort(self)

    def diff(self, n: builtins.int = 1, dim: builtins.int = -1, prepend: Any = None, append: Any = None) -> "Tensor":
        return _ops.reduce.diff(self, n, dim, prepend, append)

    # ----------------------------------------------------------------- indexing
    def diagonal(self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1) -> "Tensor":
        return _ops.index.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal: builtins.int = 0) -> "Tensor":
        return _ops.index.diag(self, diagonal)

    def diag_embed(self, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1) -> "Tensor":
        return _ops.index.diag_embed(self, offset, dim1, dim2)

    def trace(self) -> "Tensor":
        return _ops.index.trace(self)

    def take(self, index: "Tensor") -> "Tensor":
        return _ops.index.take(self, index)

    def argwhere(self) -> "Tensor":
        return _ops.index.argwhere(self)

    def unique(self, sorted: builtins.bool = True, return_inverse: builtins.bool = False,  # noqa: A002
               return_counts: builtins.bool = False, dim: Any = None) -> Any:
        return _ops.index.unique(self, sorted, return_inverse, return_counts, dim)

    def index_add(self, dim: builtins.int, index: "Tensor", source: "Tensor", *, alpha: Any = 1) -> "Tensor":
        return _ops.index.index_add(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim: builtins.int, index: "Tensor", source: "Tensor") -> "Tensor":
        return _ops.index.index_copy(self, dim, index, source)

    def index_fill(self, dim: builtins.int, index: "Tensor", value: Any) -> "Tensor":
        return _ops.index.index_fill(self, dim, index, value)

    def index_put(self, indices: Any, values: "Tensor", accumulate: builtins.bool = False) -> "Tensor":
        return _ops.index.index_put(self, indices, values, accumulate)

    def masked_scatter(self, mask: "Tensor", source: "Tensor") -> "Tensor":
        return _ops.index.masked_scatter(self, mask, source)

    def scatter_reduce(self, dim: builtins.int, index: "Tensor", src: "Tensor", reduce: str, *,
                       include_self: builtins.bool = True) -> "Tensor":
        return _ops.index.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def fliplr(self) -> "Tensor":
        return _ops.shape.fliplr(self)

    def flipud(self) -> "Tensor":
        return _ops.shape.flipud(self)

    # ----------------------------------------------------------------- random (npgrad's generator)
    def bernoulli(self, p: Any = None, *, generator: Any = None) -> "Tensor":
        return _ops.creation.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: builtins.int, replacement: builtins.bool = False, *,
                    generator: Any = None) -> "Tensor":
        return _ops.creation.multinomial(self, num_samples, replacement, generator=generator)

    def is_nonzero(self) -> builtins.bool:
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if self.data.size == 0 else 'more than one value'} "
                               "is ambiguous")
        return builtins.bool(self.data.reshape(()) != 0)

    # ----------------------------------------------------------------- in-place variants
    def index_put_(self, indices: Any, values: "Tensor", accumulate: builtins.bool = False) -> "Tensor":
        return self._inplace(_ops.index.index_put, indices, values, accumulate)

    def index_copy_(self, dim: builtins.int, index: "Tensor", source: "Tensor") -> "Tensor":
        return self._inplace(_ops.index.index_copy, dim, index, source)

    def masked_scatter_(self, mask: "Tensor", source: "Tensor") -> "Tensor":
        return self._inplace(_ops.index.masked_scatter, mask, source)

    def scatter_reduce_(self, dim: builtins.int, index: "Tensor", src: "Tensor", reduce: str, *,
                        include_self: builtins.bool = True) -> "Tensor":
        return self._inplace(_ops.index.scatter_reduce, dim, index, src, reduce, include_self=include_self)

    def tril_(self, diagonal: builtins.int = 0) -> "Tensor":
        return self._inplace(_ops.index.tril, diagonal)

    def triu_(self, diagonal: builtins.int = 0) -> "Tensor":
        return self._inplace(_ops.index.triu, diagonal)

    def cumsum_(self, dim: builtins.int, *, dtype: Any = None) -> "Tensor":
        return self._inplace(_ops.reduce.cumsum, dim, dtype=dtype)

    def cumprod_(self, dim: builtins.int, *, dtype: Any = None) -> "Tensor":
        return self._inplace(_ops.reduce.cumprod, dim, dtype=dtype)

    def atan2_(self, other: "Tensor") -> "Tensor":
        return self._inplace(_ops.binary.atan2, other)

    arctan2_ = atan2_

    def float_power_(self, exponent: Any) -> "Tensor":
        return self._inplace(_ops.binary.float_power, exponent)

    def exp2_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.exp2)

    def log2_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.log2)

    def log10_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.log10)

    def tan_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.tan)

    def erf_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.erf)

    def frac_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.frac)

    def logit_(self, eps: Any = None) -> "Tensor":
        return self._inplace(_ops.pointwise.logit, eps)

    def absolute_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.abs)

    def _compare_(self, op: Any, other: Any) -> "Tensor":
        """torch's ``x.eq_(y)`` & co: the boolean result written back in ``x``'s dtype."""
        return self._inplace(lambda s, o: op(s, o).to(s.dtype), other)

    def eq_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.eq, other)

    def ne_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.ne, other)

    def lt_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.lt, other)

    def le_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.le, other)

    def gt_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.gt, other)

    def ge_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.ge, other)

    not_equal_, less_, less_equal_, greater_, greater_equal_ = ne_, lt_, le_, gt_, ge_

    def logical_and_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.logical_and, other)

    def logical_or_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.logical_or, other)

    def logical_xor_(self, other: Any) -> "Tensor":
        return self._compare_(_ops.binary.logical_xor, other)

    def logical_not_(self) -> "Tensor":
        return self._inplace(lambda s: _ops.binary.logical_not(s).to(s.dtype))

    def bitwise_and_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_and, other)

    def bitwise_or_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_or, other)

    def bitwise_xor_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_xor, other)

    def bitwise_not_(self) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_not)

    def addmm_(self, mat1: "Tensor", mat2: "Tensor", *, beta: Any = 1, alpha: Any = 1) -> "Tensor":
        return self._inplace(_ops.linalg.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: "Tensor", batch2: "Tensor", *, beta: Any = 1, alpha: Any = 1) -> "Tensor":
        return self._inplace(_ops.linalg.baddbmm, batch1, batch2, beta=beta, alpha=alpha)
