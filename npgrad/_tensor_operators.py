"""Python operators of ``Tensor``: ``a + b``, ``a @ b``, ``a < b``, ``a[i]``, ``a += b``...

Each operator calls the matching op (``npgrad.ops.binary``, ``.pointwise``, ``.linalg``,
``.index``) or in-place method; reflected forms (``2 - a``) pass the operands in their order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ops as _ops

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorOperators:
    """Mixin with the Python operator methods of ``Tensor``."""

    __slots__ = ()

    def __add__(self, other: Any) -> "Tensor":
        return _ops.binary.add(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _ops.binary.add(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        return _ops.binary.sub(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _ops.binary.sub(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        return _ops.binary.mul(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _ops.binary.mul(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _ops.binary.div(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _ops.binary.div(other, self)

    def __floordiv__(self, other: Any) -> "Tensor":
        return _ops.binary.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> "Tensor":
        return _ops.binary.floor_divide(other, self)

    def __mod__(self, other: Any) -> "Tensor":
        return _ops.binary.remainder(self, other)

    def __rmod__(self, other: Any) -> "Tensor":
        return _ops.binary.remainder(other, self)

    def __pow__(self, other: Any) -> "Tensor":
        return _ops.binary.pow(self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        return _ops.binary.pow(other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _ops.linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _ops.linalg.matmul(other, self)

    def __neg__(self) -> "Tensor":
        return _ops.pointwise.neg(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return _ops.pointwise.abs(self)

    def __invert__(self) -> "Tensor":
        return _ops.binary.invert(self)

    def __lshift__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_right_shift(other, self)

    def __and__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_and(self, other)

    def __rand__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_and(other, self)

    def __or__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_or(self, other)

    def __ror__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_or(other, self)

    def __xor__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> "Tensor":
        return _ops.binary.bitwise_xor(other, self)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _ops.binary.eq(self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _ops.binary.ne(self, other)

    def __lt__(self, other: Any) -> "Tensor":
        return _ops.binary.lt(self, other)

    def __le__(self, other: Any) -> "Tensor":
        return _ops.binary.le(self, other)

    def __gt__(self, other: Any) -> "Tensor":
        return _ops.binary.gt(self, other)

    def __ge__(self, other: Any) -> "Tensor":
        return _ops.binary.ge(self, other)

    def __contains__(self, element: Any) -> bool:
        """``element in t``: whether any entry equals ``element`` (a number or a tensor)."""
        if not isinstance(element, (int, float, bool)) and not hasattr(element, "data"):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")
        return bool((self == element).data.any())

    def __reversed__(self) -> "Tensor":
        return self if self.data.ndim == 0 else _ops.shape.flip(self, (0,))

    def __getitem__(self, index: Any) -> "Tensor":
        return _ops.index.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _ops.index.setitem(self, index, value)

    # ----------------------------------------------------------------- augmented assignment
    def __iadd__(self, other: Any) -> "Tensor":
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self.div_(other)

    def __ifloordiv__(self, other: Any) -> "Tensor":
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> "Tensor":
        return self.remainder_(other)

    def __ipow__(self, other: Any) -> "Tensor":
        return self.pow_(other)

    def __iand__(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_and, other)

    def __ior__(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_or, other)

    def __ixor__(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_xor, other)

    def __ilshift__(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_left_shift, other)

    def __irshift__(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.bitwise_right_shift, other)

    def __imatmul__(self, other: Any) -> "Tensor":
        return self._inplace(_ops.linalg.matmul, other)
