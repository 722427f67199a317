"""``Tensor``: an n-dimensional array (``.data``, a NumPy array) plus what autograd needs.

A tensor produced by an op that must be differentiated carries ``grad_fn``: the ``Function`` node
that made it. Leaves (tensors made by the user) carry ``requires_grad`` and receive ``.grad``.
Every method here is a thin, explicit call into ``npgrad.ops``, where each op's forward and
backward live side by side.
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import _dtype
from ._dtype import dtype as DType
from ._tensor_ops import TensorOps, _shape_args
from .autograd.function import accumulator_for
from .autograd.grad_mode import _state


class Size(tuple):
    """The shape of a tensor: a tuple that prints like ``npgrad.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"npgrad.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class device:
    """Where a tensor lives. Only ``'cpu'`` is available (CuPy backend later)."""

    __slots__ = ("type", "index")

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in type:
            type, idx = type.split(":")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {type}")
        self.type, self.index = type, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_CPU = device("cpu")


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert Python data / arrays / tensors to a NumPy array with torch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, (builtins.bool, np.bool_)):
        arr = np.asarray(data, dtype=np.bool_)
    elif isinstance(data, (builtins.int, np.integer)):
        arr = np.asarray(data, dtype=np.int64 if isinstance(data, builtins.int) else None)
    elif isinstance(data, (builtins.float, np.floating)) and not isinstance(data, np.floating):
        arr = np.asarray(data, dtype=_dtype.get_default_dtype().np)
    elif isinstance(data, (list, tuple)):
        if any(isinstance(x, Tensor) for x in data):
            arr = np.stack([_as_array(x) for x in data]) if len(data) else np.asarray(data)
        else:
            arr = np.asarray(data)
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(_dtype.get_default_dtype().np)
        elif arr.dtype.kind in "iu" and dtype is None:
            arr = arr.astype(np.int64)
        elif arr.dtype == object:
            raise TypeError(f"could not convert the nested sequence to a tensor (ragged or non-numeric data)")
        elif arr.size == 0 and dtype is None:
            arr = arr.astype(_dtype.get_default_dtype().np)
    else:
        arr = np.asarray(data)
    if dtype is not None:
        target = _dtype.to_dtype(dtype).np
        if arr.dtype != target:
            arr = arr.astype(target)
    elif arr.dtype not in _dtype._FROM_NP:
        _dtype.from_numpy_dtype(arr.dtype)  # raises a clear TypeError
    return arr


def _unwrap(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


class Tensor(TensorOps):
    """A multi-dimensional array with automatic differentiation (torch.Tensor's interface)."""

    __slots__ = (
        "data",
        "_grad",
        "_requires_grad",
        "_grad_fn",
        "_output_nr",
        "_version_ref",
        "_accumulator",
        "_hooks",
        "_name",
        "__weakref__",
        "__dict__",
    )
    __array_priority__ = 1000

    def __init__(self, data: Any = (), dtype: Any = None, requires_grad: bool = False) -> None:
        arr = _as_array(data, dtype)
        if dtype is None and arr.dtype.kind in "iub" and not isinstance(data, (np.ndarray, Tensor)):
            arr = arr.astype(_dtype.get_default_dtype().np)  # torch.Tensor([1, 2]) is float
        self._init(arr, requires_grad)

    def _init(self, arr: np.ndarray, requires_grad: bool = False, grad_fn: Any = None, output_nr: int = 0) -> None:
        self.data = arr
        self._grad = None
        self._requires_grad = requires_grad
        self._grad_fn = grad_fn
        self._output_nr = output_nr
        self._version_ref = [0]
        self._accumulator = None
        self._hooks = None
        self._name = None
        if requires_grad and arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")

    @classmethod
    def _make(cls, arr: np.ndarray, requires_grad: bool = False, grad_fn: Any = None, output_nr: int = 0) -> "Tensor":
        t = object.__new__(Tensor)
        t.data = arr
        t._grad = None
        t._requires_grad = requires_grad
        t._grad_fn = grad_fn
        t._output_nr = output_nr
        t._version_ref = [0]
        t._accumulator = None
        t._hooks = None
        t._name = None
        return t

    # ----------------------------------------------------------------- autograd attributes
    @property
    def grad_fn(self) -> Any:
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if value and self.data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = builtins.bool(value)

    @property
    def grad(self) -> "Tensor | None":
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value.data.shape != self.data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: grad {list(value.shape)}, tensor {list(self.shape)}"
                )
            if value.data.dtype != self.data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: {value.dtype} vs {self.dtype}")
        self._grad = value

    @property
    def _version(self) -> int:
        return self._version_ref[0]

    def _bump_version(self) -> None:
        self._version_ref[0] += 1

    def _edge(self) -> tuple:
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        return (accumulator_for(self), 0)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None:
            return
        import weakref

        node = self._grad_fn
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        node = self._grad_fn
        return node is not None and node._retained is not None and self._output_nr in node._retained

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]) -> "_RemovableHandle":
        """Call ``hook(grad)`` when the gradient w.r.t. this tensor is computed; it may return a new grad."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            node = self._grad_fn
            if node._hooks is None:
                node._hooks = {}
            hooks = node._hooks.setdefault(self._output_nr, [])
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Sequence["Tensor"] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``npgrad.autograd.backward``)."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        t = Tensor._make(self.data)
        t._version_ref = self._version_ref
        return t

    def detach_(self) -> "Tensor":
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ----------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[_wrap_dim(dim, self.data.ndim)]

    @property
    def dtype(self) -> DType:
        return _dtype._FROM_NP[self.data.dtype]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self.data.size

    nelement = numel

    def element_size(self) -> int:
        return self.data.itemsize

    @property
    def itemsize(self) -> int:
        return self.data.itemsize

    @property
    def nbytes(self) -> int:
        return self.data.nbytes

    @property
    def device(self) -> device:
        return _CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return self.data.flags.c_contiguous

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // self.data.itemsize for s in self.data.strides)
        return st if dim is None else st[_wrap_dim(dim, self.data.ndim)]

    def data_ptr(self) -> int:
        return self.data.__array_interface__["data"][0]

    @property
    def T(self) -> "Tensor":
        return _S.permute(self, tuple(range(self.data.ndim - 1, -1, -1)))

    @property
    def mT(self) -> "Tensor":
        return _S.transpose(self, -2, -1)

    # ----------------------------------------------------------------- conversion
    def item(self) -> Any:
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to Scalar")
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.data
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def clone(self, *, memory_format: Any = None) -> "Tensor":
        return _S.clone(self)

    def contiguous(self, memory_format: Any = None) -> "Tensor":
        return self if self.data.flags.c_contiguous else _S.clone(self)

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``; a no-op returns self."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, (DType, type, np.dtype)):
                target = a
            elif isinstance(a, (str, device)):
                _check_device(a)
        if "device" in kwargs and kwargs["device"] is not None:
            _check_device(kwargs["device"])
        if target is None:
            return self.clone() if kwargs.get("copy") else self
        target = _dtype.to_dtype(target)
        if target.np == self.data.dtype and not kwargs.get("copy"):
            return self
        return _S.cast(self, target.np)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"npgrad.{_TYPE_NAMES.get(self.data.dtype.name, self.data.dtype.name)}"
        return self.to(dtype)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self.to(_dtype.float32)

    def double(self) -> "Tensor":
        return self.to(_dtype.float64)

    def half(self) -> "Tensor":
        return self.to(_dtype.float16)

    def long(self) -> "Tensor":
        return self.to(_dtype.int64)

    def int(self) -> "Tensor":
        return self.to(_dtype.int32)

    def bool(self) -> "Tensor":
        return self.to(_dtype.bool)

    def byte(self) -> "Tensor":
        return self.to(_dtype.uint8)

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> "Tensor":
        raise RuntimeError("npgrad was built without a CUDA backend; tensors live on the CPU")

    # ----------------------------------------------------------------- python protocol
    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_S.unbind(self, 0))

    def __bool__(self) -> builtins.bool:
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self.data.reshape(()))

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __index__(self) -> builtins.int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.item())

    def __format__(self, spec: str) -> str:
        if self.data.ndim == 0:
            return self.item().__format__(spec)
        return self.__repr__().__format__(spec)

    def __hash__(self) -> builtins.int:
        return id(self)

    def __repr__(self) -> str:
        from ._repr import tensor_repr

        return tensor_repr(self)

    def __deepcopy__(self, memo: dict) -> "Tensor":
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment."
            )
        new = object.__new__(type(self))
        new._init(self.data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = Tensor._make(self._grad.data.copy())
        if hasattr(self, "__dict__"):
            import copy

            for k, v in self.__dict__.items():
                setattr(new, k, copy.deepcopy(v, memo))
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild, (type(self), self.data, self._requires_grad))

    # ----------------------------------------------------------------- operators
    def __add__(self, other: Any) -> "Tensor":
        return _B.add(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _B.add(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        return _B.sub(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _B.sub(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        return _B.mul(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _B.mul(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _B.div(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _B.div(other, self)

    def __floordiv__(self, other: Any) -> "Tensor":
        return _B.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> "Tensor":
        return _B.floor_divide(other, self)

    def __mod__(self, other: Any) -> "Tensor":
        return _B.remainder(self, other)

    def __rmod__(self, other: Any) -> "Tensor":
        return _B.remainder(other, self)

    def __pow__(self, other: Any) -> "Tensor":
        return _B.pow(self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        return _B.pow(other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _L.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _L.matmul(other, self)

    def __iadd__(self, other: Any) -> "Tensor":
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self.div_(other)

    def __ifloordiv__(self, other: Any) -> "Tensor":
        return self._inplace(_B.floor_divide, other)

    def __imod__(self, other: Any) -> "Tensor":
        return self._inplace(_B.remainder, other)

    def __ipow__(self, other: Any) -> "Tensor":
        return self.pow_(other)

    def __neg__(self) -> "Tensor":
        return _P.neg(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return _P.abs(self)

    def __invert__(self) -> "Tensor":
        return _B.bitwise_not(self)

    def __and__(self, other: Any) -> "Tensor":
        return _B.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> "Tensor":
        return _B.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> "Tensor":
        return _B.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _B.eq(self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _B.ne(self, other)

    def __lt__(self, other: Any) -> "Tensor":
        return _B.lt(self, other)

    def __le__(self, other: Any) -> "Tensor":
        return _B.le(self, other)

    def __gt__(self, other: Any) -> "Tensor":
        return _B.gt(self, other)

    def __ge__(self, other: Any) -> "Tensor":
        return _B.ge(self, other)

    def __getitem__(self, index: Any) -> "Tensor":
        return _I.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _I.setitem(self, index, value)

    # ----------------------------------------------------------------- in-place
    def _inplace(self, op: Callable[..., "Tensor"], *args: Any, **kwargs: Any) -> "Tensor":
        """Run ``op`` out of place, write the result into ``self.data`` and take over its history.

        Mirrors torch: in-place on a leaf that requires grad raises; the version counter is bumped so
        that a backward needing the old value raises instead of silently using the new one.
        """
        if _state.enabled and (self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)):
            if self._grad_fn is None and self._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            old = Tensor._make(self.data, self._requires_grad, self._grad_fn, self._output_nr)
            old._version_ref = self._version_ref
            if self._grad_fn is None and self._requires_grad is False:
                old._accumulator = None
            out = op(old, *args, **kwargs)
            _copy_into(self.data, out.data)
            self._grad_fn, self._output_nr = out._grad_fn, out._output_nr
            self._requires_grad = out._requires_grad
            if out._grad_fn is not None and out._grad_fn._saved:
                # the node saved its output: point it at our (identical) data and shared version
                for s in out._grad_fn._saved:
                    if s is not None and type(s).__name__ == "_SavedOutput" and s.data is out.data:
                        s.data, s.version_ref, s.version = self.data, self._version_ref, self._version_ref[0] + 1
        else:
            prev = _state.enabled
            _state.enabled = False
            try:
                out = op(self, *args, **kwargs)
            finally:
                _state.enabled = prev
            _copy_into(self.data, out.data)
        self._version_ref[0] += 1
        return self

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return self._inplace(_B.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return self._inplace(_B.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace(_B.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        return self._inplace(_B.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Any) -> "Tensor":
        return self._inplace(_B.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        return self._inplace(_P.clamp, min, max)

    clip_ = clamp_

    def neg_(self) -> "Tensor":
        return self._inplace(_P.neg)

    def abs_(self) -> "Tensor":
        return self._inplace(_P.abs)

    def exp_(self) -> "Tensor":
        return self._inplace(_P.exp)

    def log_(self) -> "Tensor":
        return self._inplace(_P.log)

    def sqrt_(self) -> "Tensor":
        return self._inplace(_P.sqrt)

    def relu_(self) -> "Tensor":
        return self._inplace(_P.relu)

    def sigmoid_(self) -> "Tensor":
        return self._inplace(_P.sigmoid)

    def tanh_(self) -> "Tensor":
        return self._inplace(_P.tanh)

    def floor_(self) -> "Tensor":
        return self._inplace(_P.floor)

    def round_(self) -> "Tensor":
        return self._inplace(_P.round)

    def addcmul_(self, t1: Any, t2: Any, *, value: Any = 1) -> "Tensor":
        return self._inplace(lambda s, a, b: s + value * a * b, t1, t2)

    def addcdiv_(self, t1: Any, t2: Any, *, value: Any = 1) -> "Tensor":
        return self._inplace(lambda s, a, b: s + value * a / b, t1, t2)

    def lerp_(self, end: Any, weight: Any) -> "Tensor":
        return self._inplace(_B.lerp, end, weight)

    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        return self._inplace(_B.masked_fill, mask, value)

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        src_t = src if isinstance(src, Tensor) else Tensor._make(np.asarray(src))
        try:
            np.broadcast_shapes(src_t.data.shape, self.data.shape)
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({list(self.shape)}) must match the size of tensor b ({list(src_t.shape)})"
            ) from None
        return self._inplace(_S.copy_from, src_t)

    def fill_(self, value: Any) -> "Tensor":
        value = _unwrap(value)
        if self._requires_grad and _state.enabled and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self.data[...] = value
        if self._grad_fn is not None:
            self._inplace(_S.copy_from, Tensor._make(np.asarray(self.data)))
            return self
        self._version_ref[0] += 1
        return self

    def zero_(self) -> "Tensor":
        return self.fill_(0)

    def _fill_random(self, values: np.ndarray) -> "Tensor":
        if self._requires_grad and _state.enabled and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self.data[...] = values
        self._version_ref[0] += 1
        return self

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import rng

        return self._fill_random(rng(generator).uniform(a, b, self.data.shape))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import rng

        return self._fill_random(rng(generator).normal(mean, std, self.data.shape))

    def bernoulli_(self, p: builtins.float = 0.5, *, generator: Any = None) -> "Tensor":
        from .random import rng

        return self._fill_random(rng(generator).random(self.data.shape) < p)

    def exponential_(self, lambd: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        from .random import rng

        return self._fill_random(rng(generator).exponential(1.0 / lambd, self.data.shape))

    def random_(self, low: builtins.int = 0, high: builtins.int | None = None, *, generator: Any = None) -> "Tensor":
        from .random import rng

        if high is None:
            low, high = 0, low
        return self._fill_random(rng(generator).integers(low, high, self.data.shape))

    def set_(self, source: "Tensor") -> "Tensor":
        self.data = source.data
        self._version_ref[0] += 1
        return self



class _RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
    "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
}


def _rebuild(cls: type, data: np.ndarray, requires_grad: builtins.bool) -> Tensor:
    t = object.__new__(cls)
    t._init(data, requires_grad)
    return t


def _check_device(d: Any) -> None:
    if device(str(d) if not isinstance(d, device) else d.type).type != "cpu":
        raise RuntimeError("npgrad was built without a CUDA backend; only device 'cpu' is available")


def _copy_into(dst: np.ndarray, src: np.ndarray) -> None:
    if src is not dst:
        np.copyto(dst, src, casting="unsafe")


def _wrap_dim(dim: builtins.int, ndim: builtins.int) -> builtins.int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


from .ops import binary as _B  # noqa: E402
from .ops import index as _I  # noqa: E402
from .ops import linalg as _L  # noqa: E402
from .ops import pointwise as _P  # noqa: E402
from .ops import reduce as _R  # noqa: E402
from .ops import shape as _S  # noqa: E402
