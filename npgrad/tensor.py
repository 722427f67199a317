"""``Tensor``: an n-dimensional array (``.data``, a NumPy array) plus what autograd needs.

A tensor produced by an op that must be differentiated carries ``grad_fn``: the ``Function`` node
that made it. Leaves (tensors made by the user) carry ``requires_grad`` and receive ``.grad``.
Every method is a thin, explicit call into ``npgrad.ops``, where each op's forward and backward
live side by side. The methods are grouped in mixins that ``Tensor`` inherits:

- ``npgrad._tensor_ops.TensorOps`` and ``npgrad._tensor_extra_ops.TensorExtraOps``: the op methods
  (``x.exp()``, ``x.sum(dim)``, ``x.view(...)``, ``x.diagonal()``);
- ``npgrad._tensor_operators.TensorOperators``: Python operators (``a + b``, ``a[i]``, ``a += b``);
- ``npgrad._tensor_inplace.TensorInplace``: in-place methods (``add_``, ``copy_``, ``uniform_``, ...);
- ``npgrad._tensor_convert.TensorConvert``: conversions (``item``, ``to``, ``float``, ``new_*``, pickling);
- this module: construction, autograd attributes (grad, hooks, views), metadata and Python protocols.

A *view* (the result of reshape/permute/slice/expand... sharing memory with its input) records
its base tensor and the steps that recreate it from the base, so that an in-place change through
the view also rewrites the base's history (torch's CopySlices), and shares the base's version
counter (``_version``), which backward checks to reject tensors modified after being saved.
"""
from __future__ import annotations

import builtins
import warnings
from collections import OrderedDict
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import _dtype
from ._data import as_array as _as_array  # (also imported from here by nn.parameter)
from ._dtype import dtype as DType
from ._tensor_convert import TensorConvert
from ._tensor_extra_ops import TensorExtraOps
from ._tensor_inplace import TensorInplace
from ._tensor_operators import TensorOperators
from ._tensor_ops import TensorOps, _shape_args
from . import autograd as _autograd
from .autograd import function as _function
from .autograd.engine import run_backward as _run_backward
from .autograd.function import accumulator_for
from .autograd.hooks import RemovableHandle, add_hook

__all__ = ["Tensor", "Size", "device"]


class Size(tuple):
    """The shape of a tensor: a tuple that prints like ``npgrad.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"npgrad.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape: the product of the sizes (1 for ``()``)."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key: Any) -> Any:
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other: Any) -> "Size":
        return Size(tuple.__add__(self, tuple(other)))


class device:
    """Where a tensor lives. Only ``'cpu'`` is available."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, builtins.int):
            raise RuntimeError("npgrad has no accelerator devices; use 'cpu'")
        if ":" in type:
            type, idx = type.split(":")
            index = builtins.int(idx)
        if type not in ("cpu", "cuda", "mps"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps device type at start of device string: {type}")
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


class Tensor(TensorOperators, TensorConvert, TensorInplace, TensorOps, TensorExtraOps):
    """A multi-dimensional array with automatic differentiation (torch.Tensor's interface).

    ``Tensor(data)`` copies data as the default float dtype (like ``torch.Tensor``); prefer
    ``npgrad.tensor(data)``, which infers the dtype. ``Tensor(2, 3)`` is an uninitialised 2x3 tensor.
    """

    __slots__ = ("data", "_requires_grad", "_grad_fn", "_output_nr", "_version_ref", "__weakref__", "__dict__")
    __array_priority__ = 1000

    # rarely-set state lives in class-level defaults (set on the instance only when used)
    _grad: "Tensor | None" = None
    _accumulator: Any = None
    _hooks: Any = None
    _post_acc_hooks: Any = None
    _base: "Tensor | None" = None  # for views: the tensor whose memory this one views
    _view_steps: tuple = ()  # for views: how to recreate this view from _base
    _view_base_fn: Any = None  # for views: _base.grad_fn when this view's history was made

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> None:
        if len(args) == 1 and not isinstance(args[0], builtins.int):
            arr = _as_array(args[0])
            target = _dtype.get_default_dtype().np if dtype is None else _dtype.to_dtype(dtype).np
            arr = np.array(arr, dtype=target)
        else:
            shape = _shape_args(args) if args else (0,)
            arr = np.empty(shape, _dtype.get_default_dtype().np if dtype is None else _dtype.to_dtype(dtype).np)
        self._init(arr, requires_grad)

    def _init(self, arr: np.ndarray, requires_grad: builtins.bool = False, grad_fn: Any = None, output_nr: builtins.int = 0) -> None:
        """Initialise the autograd state of a new tensor around ``arr`` (used by subclasses)."""
        if requires_grad and arr.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.data = arr
        self._requires_grad = builtins.bool(requires_grad)
        self._grad_fn = grad_fn
        self._output_nr = output_nr
        self._version_ref = [0]

    @staticmethod
    def _make(arr: np.ndarray, requires_grad: builtins.bool = False, grad_fn: Any = None, output_nr: builtins.int = 0) -> "Tensor":
        """The fast constructor used by ops: wrap ``arr`` (no copy, no checks)."""
        t = _new(Tensor)
        t.data = arr
        t._requires_grad = requires_grad
        t._grad_fn = grad_fn
        t._output_nr = output_nr
        t._version_ref = [0]
        return t

    # ----------------------------------------------------------------- autograd attributes
    @property
    def grad_fn(self) -> Any:
        """The ``Function`` node that produced this tensor (None for leaves)."""
        if self._base is not None:
            self._sync_view()
        return self._grad_fn

    @property
    def is_leaf(self) -> builtins.bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> builtins.bool:
        if self._base is not None:
            self._sync_view()
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: builtins.bool) -> None:
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
        """The accumulated gradient (leaves, and non-leaves that called ``retain_grad()``)."""
        g = self._grad
        if g is None and self._grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
                "Tensor by mistake, make sure you access the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        return g

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value.data.shape != self.data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.data.shape)}' to a tensor of size "
                    f"'{list(self.data.shape)}'. Please ensure that the gradient and the tensor are the same size"
                )
            if value.data.dtype != self.data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype.scalar_name(value.data.dtype).lower()}' "
                    f"to a tensor with grad_dtype '{_dtype.scalar_name(self.data.dtype)}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype)."
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def _version(self) -> builtins.int:
        """Number of in-place modifications of this tensor's memory (shared with its views)."""
        return self._version_ref[0]

    def _bump_version(self) -> None:
        self._version_ref[0] += 1

    def _edge(self) -> tuple:
        """Where a gradient w.r.t. this tensor goes: ``(grad_fn, output_nr)``, or the leaf's accumulator."""
        if self._base is not None:
            self._sync_view()
        fn = self._grad_fn
        if fn is not None:
            return (fn, self._output_nr)
        return (accumulator_for(self), 0)

    def _sync_view(self) -> None:
        """Refresh a view's history after its base's history changed (torch regenerates it lazily)."""
        base = self._base
        fn = base._grad_fn
        if fn is self._view_base_fn or fn is None or self._view_steps is None:
            return
        from .ops._views import adopt_replayed_history

        adopt_replayed_history(self, base, self._view_steps)
        self._view_base_fn = fn

    def requires_grad_(self, requires_grad: builtins.bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Make ``.grad`` of this non-leaf tensor be populated by backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        node = self._grad_fn
        if node is None:
            return
        import weakref

        if node._retained is None:
            node._retained = {}
        node._any_hooks = True
        node._retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> builtins.bool:
        node = self._grad_fn
        return node is not None and node._retained is not None and self._output_nr in node._retained

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]) -> RemovableHandle:
        """Call ``hook(grad)`` when the gradient w.r.t. this tensor is computed; it may return a new grad."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = OrderedDict()
            hooks = self._hooks
        else:
            node = self._grad_fn
            if node._hooks is None:
                node._hooks = {}
            node._any_hooks = True
            hooks = node._hooks.setdefault(self._output_nr, OrderedDict())
        return add_hook(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[["Tensor"], None]) -> RemovableHandle:
        """Call ``hook(tensor)`` after backward accumulated into this leaf's ``.grad``."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = OrderedDict()
        return add_hook(self._post_acc_hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False, inputs: Sequence["Tensor"] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``npgrad.autograd.backward``)."""
        if gradient is None and inputs is None:
            _run_backward((self,), (None,), create_graph if retain_graph is None else retain_graph, create_graph)
        else:
            _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        """A tensor sharing this one's memory and version counter, cut from the graph."""
        t = Tensor._make(self.data)
        t._version_ref = self._version_ref
        return t

    def detach_(self) -> "Tensor":
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer "
                "to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ----------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    def size(self, dim: builtins.int | None = None) -> Any:
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[_wrap_dim(dim, self.data.ndim)]

    @property
    def dtype(self) -> DType:
        return _dtype._FROM_NP[self.data.dtype]

    @property
    def ndim(self) -> builtins.int:
        return self.data.ndim

    def dim(self) -> builtins.int:
        return self.data.ndim

    ndimension = dim

    def numel(self) -> builtins.int:
        return self.data.size

    nelement = numel

    def element_size(self) -> builtins.int:
        return self.data.itemsize

    @property
    def itemsize(self) -> builtins.int:
        return self.data.itemsize

    @property
    def nbytes(self) -> builtins.int:
        return self.data.nbytes

    @property
    def device(self) -> device:
        return _CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False

    def is_floating_point(self) -> builtins.bool:
        return self.data.dtype.kind == "f"

    def is_complex(self) -> builtins.bool:
        return self.data.dtype.kind == "c"

    def is_contiguous(self, memory_format: Any = None) -> builtins.bool:
        return self.data.flags.c_contiguous

    def is_shared(self) -> builtins.bool:
        return False

    def get_device(self) -> builtins.int:
        return -1

    def stride(self, dim: builtins.int | None = None) -> Any:
        st = tuple(s // self.data.itemsize for s in self.data.strides)
        return st if dim is None else st[_wrap_dim(dim, self.data.ndim)]

    def storage_offset(self) -> builtins.int:
        base = self.data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self.data_ptr() - base.__array_interface__["data"][0]) // self.data.itemsize

    def data_ptr(self) -> builtins.int:
        return self.data.__array_interface__["data"][0]

    def _is_view(self) -> builtins.bool:
        return self._base is not None

    @property
    def T(self) -> "Tensor":
        return _S.permute(self, tuple(range(self.data.ndim - 1, -1, -1)))

    @property
    def mT(self) -> "Tensor":
        if self.data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.data.ndim}-D tensor.")
        return _S.transpose(self, -2, -1)

    H = T
    mH = mT

    # ----------------------------------------------------------------- python protocol
    def __len__(self) -> builtins.int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_S.unbind(self, 0))

    def __hash__(self) -> builtins.int:
        return id(self)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from ._repr import tensor_repr

        return tensor_repr(self)


_new = object.__new__


def _wrap_dim(dim: builtins.int, ndim: builtins.int) -> builtins.int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def _check_device(d: Any) -> None:
    if d is None:
        return
    if device(d).type != "cpu":
        raise RuntimeError("npgrad was built without a CUDA backend; only device 'cpu' is available")


_function._bind(Tensor)

from .ops import binary, creation, index, linalg, pointwise, reduce  # noqa: E402,F401 - load the op modules
from .ops import shape as _S  # noqa: E402

