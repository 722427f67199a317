"""``Function``: the unit of autograd. An op subclasses it and writes ``forward`` and ``backward`` side by side.

An instance of the subclass is both the ``ctx`` handed to ``forward``/``backward`` and the node of
the backward graph (``tensor.grad_fn``). ``forward`` runs with gradient recording off and may work
on raw arrays (``x.data``); ``backward`` receives and returns Tensors and is written with Tensor
ops, so with ``create_graph=True`` the backward pass is itself differentiable.

Saving rules (``ctx.save_for_backward``):
- an input Tensor is kept with its version number; if it is modified in place before backward,
  unpacking raises the "modified by an inplace operation" error;
- the array returned by ``forward`` (an output) is kept as data only and re-wrapped on unpacking
  as a Tensor whose ``grad_fn`` is this node, so no reference cycle is formed;
- any other array is kept as a constant.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from .grad_mode import _state

if TYPE_CHECKING:
    from ..tensor import Tensor

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


class _SavedInput:
    __slots__ = ("tensor", "version")

    def __init__(self, tensor: "Tensor") -> None:
        self.tensor = tensor
        self.version = tensor._version_ref[0]

    def unpack(self, node: "Function") -> "Tensor":
        t = self.tensor
        if t._version_ref[0] != self.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{t.dtype} {list(t.shape)}], which is output 0 of "
                f"{type(t.grad_fn).__name__ if t.grad_fn else 'a leaf'}, is at version "
                f"{t._version_ref[0]}; expected version {self.version} instead."
            )
        return t


class _SavedOutput:
    __slots__ = ("data", "index", "version_ref", "version")

    def __init__(self, data: np.ndarray, index: int, version_ref: list) -> None:
        self.data, self.index, self.version_ref = data, index, version_ref
        self.version = version_ref[0]

    def unpack(self, node: "Function") -> "Tensor":
        from ..tensor import Tensor

        if self.version_ref[0] != self.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [output {self.index} of {type(node).__name__}], is at version "
                f"{self.version_ref[0]}; expected version {self.version} instead."
            )
        t = Tensor._make(self.data, True, node, self.index)
        t._version_ref = self.version_ref
        return t


class _SavedConstant:
    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = data

    def unpack(self, node: "Function") -> Any:
        from ..tensor import Tensor

        return Tensor._make(self.data) if isinstance(self.data, np.ndarray) else self.data


class Function:
    """Base class of every differentiable op. See the module docstring for the contract."""

    #: True when ``backward`` works on raw arrays and cannot itself be differentiated.
    once_differentiable = False

    def __init__(self) -> None:
        self.needs_input_grad: tuple[bool, ...] = ()
        self.next_functions: tuple = ()
        self.materialize_grads = True
        self._to_save: tuple = ()
        self._saved: list | None = None
        self._non_diff: tuple = ()
        self._input_meta: tuple = ()
        self._out_meta: tuple = ()
        self._hooks: dict | None = None  # output index -> list of tensor hooks
        self._retained: dict | None = None  # output index -> weakref to tensor that retains grad
        self._trace: Any = None  # set by anomaly mode: where the op was created
        self.metadata: dict = {}

    # ----------------------------------------------------------------- user API
    @staticmethod
    def forward(ctx: "Function", *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: "Function", *grad_outputs: "Tensor") -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    def save_for_backward(self, *tensors: Any) -> None:
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs: Any) -> None:
        self._non_diff = outputs

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is None:
            raise RuntimeError(_FREED)
        return tuple(None if s is None else s.unpack(self) for s in self._saved)

    def name(self) -> str:
        return type(self).__name__ + "Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object>"

    def register_hook(self, fn: Any) -> None:  # torch's Node.register_hook is rarely used; keep simple
        raise NotImplementedError("register hooks on tensors with Tensor.register_hook")

    # ----------------------------------------------------------------- machinery
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, when any Tensor input requires grad, record this node in the graph."""
        from ..tensor import Tensor

        ctx = cls.__new__(cls)
        Function.__init__(ctx)
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = _state.enabled and True in needs
        ctx.needs_input_grad = needs
        prev = _state.enabled
        _state.enabled = False
        try:
            raw = cls.forward(ctx, *args, **kwargs)
        finally:
            _state.enabled = prev
        multi = isinstance(raw, tuple)
        outs = raw if multi else (raw,)
        arrays = [o.data if isinstance(o, Tensor) else o for o in outs]
        if not record:
            results = tuple(Tensor._make(a) for a in arrays)
            return results if multi else results[0]

        non_diff = {id(o.data if isinstance(o, Tensor) else o) for o in ctx._non_diff}
        results = []
        for i, a in enumerate(arrays):
            if id(a) in non_diff or a.dtype.kind not in "fc":
                results.append(Tensor._make(a))
            else:
                results.append(Tensor._make(a, True, ctx, i))
        ctx.next_functions = tuple(
            a._edge() if n else None for a, n in zip(args, needs)
        )
        ctx._input_meta = tuple(
            (a.data.shape, a.data.dtype) if n else None for a, n in zip(args, needs)
        )
        ctx._out_meta = tuple((a.shape, a.dtype) for a in arrays)
        ctx._saved = ctx._pack_saved(arrays, results)
        ctx._to_save = ()
        if _state.anomaly:
            from .anomaly import record_trace

            record_trace(ctx)
        return tuple(results) if multi else results[0]

    def _pack_saved(self, arrays: list, results: list) -> list:
        from ..tensor import Tensor

        out_ids = {id(a): i for i, a in enumerate(arrays)}
        saved: list = []
        for item in self._to_save:
            if item is None:
                saved.append(None)
                continue
            data = item.data if isinstance(item, Tensor) else item
            idx = out_ids.get(id(data))
            if idx is not None and results[idx].requires_grad:
                saved.append(_SavedOutput(data, idx, results[idx]._version_ref))
            elif isinstance(item, Tensor):
                saved.append(_SavedInput(item))
            else:
                saved.append(_SavedConstant(item))
        return saved


class AccumulateGrad:
    """Graph sink for a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable", "next_functions", "__weakref__")

    def __init__(self, variable: "Tensor") -> None:
        self.variable = variable
        self.next_functions = ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad object>"


def accumulator_for(t: "Tensor") -> AccumulateGrad:
    """The (cached, weakly referenced) AccumulateGrad node of a leaf tensor."""
    ref = t._accumulator
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = weakref.ref(acc)
    return acc
