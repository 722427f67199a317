"""Conversion methods of ``Tensor``: to Python/NumPy (``item``, ``tolist``, ``numpy``), between dtypes
and devices (``to``, ``float``, ``type_as``...), new tensors like this one (``new_zeros``...),
copies (``clone``, ``contiguous``) and the copy/pickle protocols.
"""
from __future__ import annotations

import builtins
import copy as _copy
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import _dtype
from . import ops as _ops
from ._dtype import dtype as DType

if TYPE_CHECKING:
    from .tensor import Tensor

_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
    "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
}
_FROM_TYPE_NAME = {v: k for k, v in _TYPE_NAMES.items()}


class TensorConvert:
    """Mixin with the conversion methods of ``Tensor``."""

    __slots__ = ()

    # ----------------------------------------------------------------- to Python / NumPy
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to Scalar")
        return self.data.item()

    def tolist(self) -> Any:
        """The elements as (nested) Python lists of Python numbers; a 0-d tensor gives a single number."""
        return self.data.tolist()

    def numpy(self, *, force: builtins.bool = False) -> np.ndarray:
        """The underlying array (shared memory). Raises for tensors that require grad, like torch."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self.data.copy() if force and self.requires_grad else self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """NumPy's conversion hook (``np.asarray(t)``): the data array, cast to ``dtype`` if given, copied if
        ``copy``. Like :meth:`numpy`, it refuses tensors that require grad.
        """
        arr = self.numpy()
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __array_wrap__(self, arr: np.ndarray, context: Any = None, return_scalar: builtins.bool = False) -> Any:
        """NumPy ufuncs applied to tensors return tensors (``np.exp(t)``), like torch."""
        if return_scalar:
            return arr[()]
        return _T.Tensor._make(arr) if arr.dtype in _dtype._FROM_NP else arr

    # ----------------------------------------------------------------- Python number protocol
    def __bool__(self) -> builtins.bool:
        """``bool(self)`` for a one-element tensor (RuntimeError for more elements)."""
        if self.data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self.data.reshape(()))

    def __float__(self) -> builtins.float:
        """``float(self)`` for a one-element tensor."""
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        """``int(self)`` for a one-element tensor (truncates toward zero)."""
        return builtins.int(self.item())

    def __complex__(self) -> complex:
        """``complex(self)`` for a one-element tensor."""
        return complex(self.item())

    def __index__(self) -> builtins.int:
        """``operator.index(self)``: a one-element integer or bool tensor used as a Python index
        (``range(t)``, ``lst[t]``)."""
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.item())

    def __format__(self, spec: str) -> str:
        """``format(self, spec)``: a 0-d tensor formats its number (``f'{loss:.3f}'``), others their repr."""
        if self.data.ndim == 0:
            return self.item().__format__(spec)
        return self.__repr__().__format__(spec)

    # ----------------------------------------------------------------- copies
    def clone(self, *, memory_format: Any = None) -> "Tensor":
        """A copy with its own memory; differentiable (the gradient passes through unchanged)."""
        return _ops.shape.clone(self)

    def contiguous(self, memory_format: Any = None) -> "Tensor":
        """``self`` when its memory is already C-contiguous (row-major), else a contiguous copy (differentiable).

        ``memory_format`` is accepted for compatibility and ignored.
        """
        return self if self.data.flags.c_contiguous else _ops.shape.clone(self)

    # ----------------------------------------------------------------- dtype / device
    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``; a no-op returns self."""
        T = _T.Tensor
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, T):
                target = a.dtype
            elif isinstance(a, (DType, type, np.dtype)):
                target = a
            elif isinstance(a, (str, _T.device)) or a is None:
                _T._check_device(a)
            elif isinstance(a, builtins.bool):
                continue  # non_blocking
            else:
                raise TypeError(f"to() received an invalid combination of arguments: {type(a).__name__}")
        _T._check_device(kwargs.get("device"))
        copy = kwargs.get("copy", False)
        if target is None:
            return _ops.shape.clone(self) if copy else self
        target = _dtype.to_dtype(target)
        if target.np == self.data.dtype:
            return _ops.shape.clone(self) if copy else self
        return _ops.shape.cast(self, target.np)

    def type(self, dtype: Any = None, non_blocking: builtins.bool = False) -> Any:
        """Without argument: the type name (``'npgrad.FloatTensor'``); else ``to(dtype)``."""
        if dtype is None:
            return f"npgrad.{_TYPE_NAMES.get(self.data.dtype.name, self.data.dtype.name)}"
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1]
            if name not in _FROM_TYPE_NAME:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = _dtype.to_dtype(_FROM_TYPE_NAME[name])
        return self.to(dtype)

    def type_as(self, other: "Tensor") -> "Tensor":
        """``self`` converted to ``other``'s dtype (``self.to(other.dtype)``; ``self`` when they already match)."""
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        """``self`` as float32 (``self.to(npgrad.float32)``); ``self`` itself when it already is."""
        return self.to(_dtype.float32)

    def double(self) -> "Tensor":
        """``self`` as float64 (``self.to(npgrad.float64)``); ``self`` itself when it already is."""
        return self.to(_dtype.float64)

    def half(self) -> "Tensor":
        """``self`` as float16 (``self.to(npgrad.float16)``); ``self`` itself when it already is."""
        return self.to(_dtype.float16)

    def bfloat16(self) -> "Tensor":
        """Not supported: NumPy has no bfloat16 type, so this always raises TypeError."""
        raise TypeError("npgrad does not support bfloat16 (NumPy has no bfloat16 type)")

    def long(self) -> "Tensor":
        """``self`` as int64 (``self.to(npgrad.int64)``); floats are truncated toward zero."""
        return self.to(_dtype.int64)

    def int(self) -> "Tensor":
        """``self`` as int32 (``self.to(npgrad.int32)``); floats are truncated toward zero."""
        return self.to(_dtype.int32)

    def short(self) -> "Tensor":
        """``self`` as int16 (``self.to(npgrad.int16)``); floats are truncated toward zero."""
        return self.to(_dtype.int16)

    def char(self) -> "Tensor":
        """``self`` as int8 (``self.to(npgrad.int8)``); floats are truncated toward zero."""
        return self.to(_dtype.int8)

    def byte(self) -> "Tensor":
        """``self`` as uint8 (``self.to(npgrad.uint8)``)."""
        return self.to(_dtype.uint8)

    def bool(self) -> "Tensor":
        """``self`` as bool (``self.to(npgrad.bool)``): non-zero elements become True."""
        return self.to(_dtype.bool)

    def cpu(self, memory_format: Any = None) -> "Tensor":
        """``self``: npgrad tensors always live on the CPU, so there is nothing to move."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> "Tensor":
        """Always raises RuntimeError: npgrad has no CUDA backend (tensors live on the CPU)."""
        raise RuntimeError("npgrad was built without a CUDA backend; tensors live on the CPU")

    # ----------------------------------------------------------------- new tensors like this one
    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        """A new leaf copying ``data``, with this tensor's dtype unless ``dtype`` is given."""
        arr = np.array(_T._as_array(data, dtype if dtype is not None else self.dtype), copy=True)
        return _leaf(arr, requires_grad, device)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        """A new zero-filled leaf tensor of shape ``size`` (ints or one sequence), with ``self``'s dtype unless
        ``dtype`` is given. ``self``'s values are not used.
        """
        return _leaf(np.zeros(_ops.shape._shape_args(size), _np_dtype(dtype, self)), requires_grad, device)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        """A new leaf tensor of ones of shape ``size`` (ints or one sequence), with ``self``'s dtype unless
        ``dtype`` is given.
        """
        return _leaf(np.ones(_ops.shape._shape_args(size), _np_dtype(dtype, self)), requires_grad, device)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        """A new uninitialised leaf tensor of shape ``size`` (ints or one sequence), with ``self``'s dtype unless
        ``dtype`` is given; its values are arbitrary.
        """
        return _leaf(np.empty(_ops.shape._shape_args(size), _np_dtype(dtype, self)), requires_grad, device)

    def new_full(self, size: Sequence[builtins.int], fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: builtins.bool = False) -> "Tensor":
        """A new leaf tensor of shape ``size`` filled with ``fill_value``, with ``self``'s dtype unless ``dtype``
        is given.
        """
        return _leaf(np.full(_ops.shape._shape_args((size,)), fill_value, _np_dtype(dtype, self)), requires_grad, device)

    # ----------------------------------------------------------------- copy / pickle protocols
    def __deepcopy__(self, memo: dict) -> "Tensor":
        """``copy.deepcopy(self)``: a leaf with copied data, ``requires_grad`` flag, ``.grad`` and Python attributes
        (RuntimeError for non-leaf tensors, like torch).
        """
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                "moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = object.__new__(type(self))
        new._init(self.data.copy(), self._requires_grad)
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = _copy.deepcopy(self._grad, memo)
        for k, v in self.__dict__.items():
            if k not in _AUTOGRAD_STATE:
                new.__dict__[k] = _copy.deepcopy(v, memo)
        return new

    def __reduce_ex__(self, proto: Any) -> Any:
        """Pickle support: the data array, ``requires_grad`` and Python attributes (no autograd history)."""
        state = {k: v for k, v in self.__dict__.items() if k not in _AUTOGRAD_STATE}
        return (_rebuild, (type(self), self.data, self.requires_grad, state))


_AUTOGRAD_STATE = frozenset(
    {"_grad", "_accumulator", "_hooks", "_post_acc_hooks", "_base", "_view_steps", "_view_base_fn"}
)


def _rebuild(cls: type, data: np.ndarray, requires_grad: builtins.bool, state: dict | None = None) -> "Tensor":
    t = object.__new__(cls)
    _T.Tensor._init(t, data, requires_grad)
    if state:
        t.__dict__.update(state)
    return t


def _leaf(arr: np.ndarray, requires_grad: builtins.bool, device: Any) -> "Tensor":
    _T._check_device(device)
    t = _T.Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np_dtype(d: Any, like: "Tensor") -> np.dtype:
    return like.data.dtype if d is None else _dtype.to_dtype(d).np


from . import tensor as _T  # noqa: E402
