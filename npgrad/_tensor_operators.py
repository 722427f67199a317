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
        """``self + other``: :func:`npgrad.add`."""
        return _ops.binary.add(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        """``other + self`` (``other`` a number or array): :func:`npgrad.add`."""
        return _ops.binary.add(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        """``self - other``: :func:`npgrad.sub`."""
        return _ops.binary.sub(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        """``other - self``: :func:`npgrad.sub` with the operands in that order."""
        return _ops.binary.sub(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        """``self * other``: :func:`npgrad.mul`."""
        return _ops.binary.mul(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        """``other * self``: :func:`npgrad.mul`."""
        return _ops.binary.mul(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        """``self / other``: :func:`npgrad.div` (true division; integers give a float result)."""
        return _ops.binary.div(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        """``other / self``: :func:`npgrad.div` with the operands in that order."""
        return _ops.binary.div(other, self)

    def __floordiv__(self, other: Any) -> "Tensor":
        """``self // other``: :func:`npgrad.floor_divide` (rounds toward minus infinity)."""
        return _ops.binary.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> "Tensor":
        """``other // self``: :func:`npgrad.floor_divide` with the operands in that order."""
        return _ops.binary.floor_divide(other, self)

    def __mod__(self, other: Any) -> "Tensor":
        """``self % other``: :func:`npgrad.remainder` (result has the sign of ``other``, like Python)."""
        return _ops.binary.remainder(self, other)

    def __rmod__(self, other: Any) -> "Tensor":
        """``other % self``: :func:`npgrad.remainder` with the operands in that order."""
        return _ops.binary.remainder(other, self)

    def __pow__(self, other: Any) -> "Tensor":
        """``self ** other``: :func:`npgrad.pow`."""
        return _ops.binary.pow(self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        """``other ** self``: :func:`npgrad.pow` with the operands in that order."""
        return _ops.binary.pow(other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        """``self @ other``: :func:`npgrad.matmul`."""
        return _ops.linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        """``other @ self``: :func:`npgrad.matmul` with the operands in that order."""
        return _ops.linalg.matmul(other, self)

    def __neg__(self) -> "Tensor":
        """``-self``: :func:`npgrad.neg`."""
        return _ops.pointwise.neg(self)

    def __pos__(self) -> "Tensor":
        """``+self``: returns ``self`` unchanged (no copy)."""
        return self

    def __abs__(self) -> "Tensor":
        """``abs(self)``: :func:`npgrad.abs`."""
        return _ops.pointwise.abs(self)

    def __invert__(self) -> "Tensor":
        """``~self``: :func:`npgrad.bitwise_not` of an integer or bool tensor (TypeError for floating tensors)."""
        return _ops.binary.invert(self)

    def __lshift__(self, other: Any) -> "Tensor":
        """``self << other``: :func:`npgrad.bitwise_left_shift`."""
        return _ops.binary.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> "Tensor":
        """``other << self``: :func:`npgrad.bitwise_left_shift` with the operands in that order."""
        return _ops.binary.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> "Tensor":
        """``self >> other``: :func:`npgrad.bitwise_right_shift`."""
        return _ops.binary.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> "Tensor":
        """``other >> self``: :func:`npgrad.bitwise_right_shift` with the operands in that order."""
        return _ops.binary.bitwise_right_shift(other, self)

    def __and__(self, other: Any) -> "Tensor":
        """``self & other``: :func:`npgrad.bitwise_and` (logical AND for bool tensors)."""
        return _ops.binary.bitwise_and(self, other)

    def __rand__(self, other: Any) -> "Tensor":
        """``other & self``: :func:`npgrad.bitwise_and`."""
        return _ops.binary.bitwise_and(other, self)

    def __or__(self, other: Any) -> "Tensor":
        """``self | other``: :func:`npgrad.bitwise_or` (logical OR for bool tensors)."""
        return _ops.binary.bitwise_or(self, other)

    def __ror__(self, other: Any) -> "Tensor":
        """``other | self``: :func:`npgrad.bitwise_or`."""
        return _ops.binary.bitwise_or(other, self)

    def __xor__(self, other: Any) -> "Tensor":
        """``self ^ other``: :func:`npgrad.bitwise_xor` (logical XOR for bool tensors)."""
        return _ops.binary.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> "Tensor":
        """``other ^ self``: :func:`npgrad.bitwise_xor`."""
        return _ops.binary.bitwise_xor(other, self)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        """``self == other``: elementwise :func:`npgrad.eq`, a bool tensor (not a Python bool)."""
        return _ops.binary.eq(self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        """``self != other``: elementwise :func:`npgrad.ne`, a bool tensor."""
        return _ops.binary.ne(self, other)

    def __lt__(self, other: Any) -> "Tensor":
        """``self < other``: elementwise :func:`npgrad.lt`, a bool tensor."""
        return _ops.binary.lt(self, other)

    def __le__(self, other: Any) -> "Tensor":
        """``self <= other``: elementwise :func:`npgrad.le`, a bool tensor."""
        return _ops.binary.le(self, other)

    def __gt__(self, other: Any) -> "Tensor":
        """``self > other``: elementwise :func:`npgrad.gt`, a bool tensor."""
        return _ops.binary.gt(self, other)

    def __ge__(self, other: Any) -> "Tensor":
        """``self >= other``: elementwise :func:`npgrad.ge`, a bool tensor."""
        return _ops.binary.ge(self, other)

    def __contains__(self, element: Any) -> bool:
        """``element in t``: whether any entry equals ``element`` (a number or a tensor)."""
        if not isinstance(element, (int, float, bool)) and not hasattr(element, "data"):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")
        return bool((self == element).data.any())

    def __reversed__(self) -> "Tensor":
        """``reversed(self)``: the tensor flipped along dim 0 (:func:`npgrad.flip`); a 0-d tensor is returned as is."""
        return self if self.data.ndim == 0 else _ops.shape.flip(self, (0,))

    def __getitem__(self, index: Any) -> "Tensor":
        """``self[index]``: basic indexing (ints, slices, None, Ellipsis) gives a view, advanced indexing
        (tensors, lists, bool masks) a copy; differentiable either way."""
        return _ops.index.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``self[index] = value``: writes ``value`` (broadcast) into the indexed elements in place; autograd
        records the write like any in-place op."""
        _ops.index.setitem(self, index, value)

    # ----------------------------------------------------------------- augmented assignment
    def __iadd__(self, other: Any) -> "Tensor":
        """``self += other``: :meth:`Tensor.add_`."""
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        """``self -= other``: :meth:`Tensor.sub_`."""
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        """``self *= other``: :meth:`Tensor.mul_`."""
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        """``self /= other``: :meth:`Tensor.div_`."""
        return self.div_(other)

    def __ifloordiv__(self, other: Any) -> "Tensor":
        """``self //= other``: :meth:`Tensor.floor_divide_`."""
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> "Tensor":
        """``self %= other``: :meth:`Tensor.remainder_`."""
        return self.remainder_(other)

    def __ipow__(self, other: Any) -> "Tensor":
        """``self **= other``: :meth:`Tensor.pow_`."""
        return self.pow_(other)

    def __iand__(self, other: Any) -> "Tensor":
        """``self &= other``: :func:`npgrad.bitwise_and` written into ``self``."""
        return self._inplace(_ops.binary.bitwise_and, other)

    def __ior__(self, other: Any) -> "Tensor":
        """``self |= other``: :func:`npgrad.bitwise_or` written into ``self``."""
        return self._inplace(_ops.binary.bitwise_or, other)

    def __ixor__(self, other: Any) -> "Tensor":
        """``self ^= other``: :func:`npgrad.bitwise_xor` written into ``self``."""
        return self._inplace(_ops.binary.bitwise_xor, other)

    def __ilshift__(self, other: Any) -> "Tensor":
        """``self <<= other``: :func:`npgrad.bitwise_left_shift` written into ``self``."""
        return self._inplace(_ops.binary.bitwise_left_shift, other)

    def __irshift__(self, other: Any) -> "Tensor":
        """``self >>= other``: :func:`npgrad.bitwise_right_shift` written into ``self``."""
        return self._inplace(_ops.binary.bitwise_right_shift, other)

    def __imatmul__(self, other: Any) -> "Tensor":
        """``self @= other``: :func:`npgrad.matmul` written into ``self`` (the product must keep ``self``'s shape)."""
        return self._inplace(_ops.linalg.matmul, other)
