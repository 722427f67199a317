"""``Function``: the unit of autograd. An op subclasses it and writes ``forward`` and ``backward`` side by side.

An instance of the subclass is both the ``ctx`` handed to ``forward``/``backward`` and the node of
the backward graph (``tensor.grad_fn``). ``forward`` runs with gradient recording off and may work
on raw arrays (``x.data``); ``backward`` receives and returns Tensors and is written with Tensor
ops, so with ``create_graph=True`` the backward pass is itself differentiable.

User-defined functions follow torch's API: ``forward(ctx, *args)`` gets the Tensors themselves and
may return Tensors (or arrays), ``backward(ctx, *grads)`` returns one gradient per forward argument;
``ctx.save_for_backward``, ``ctx.saved_tensors``, ``ctx.needs_input_grad``,
``ctx.mark_non_differentiable``, ``ctx.mark_dirty`` and ``ctx.set_materialize_grads`` work as in
torch, and so does the ``forward(*args)`` + ``setup_context(ctx, inputs, output)`` style.

Saving rules (``ctx.save_for_backward``):
- an input Tensor is kept with its version number; if it is modified in place before backward,
  unpacking raises the "modified by an inplace operation" error;
- the array returned by ``forward`` (an output) is kept as data only and re-wrapped on unpacking
  as a Tensor whose ``grad_fn`` is this node, so no reference cycle is formed;
- any other array is kept as a constant.

Node state lives in class-level defaults so that creating a node costs a handful of attribute
writes: ``_edges`` holds, per forward argument, ``(next_node, output_nr, shape, dtype)`` or None.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .grad_mode import _state
from .hooks import RemovableHandle, add_hook

if TYPE_CHECKING:
    from ..tensor import Tensor

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)

Tensor: Any = None  # bound to npgrad.tensor.Tensor once that module is imported (see _bind)


def _bind(tensor_cls: type) -> None:
    global Tensor
    Tensor = tensor_cls


def _modified_error(data: np.ndarray, owner: Any, index: int, now: int, expected: int) -> RuntimeError:
    """torch's message for a saved tensor that was modified in place after being saved."""
    from .._tensor_convert import _TYPE_NAMES

    desc = f"npgrad.{_TYPE_NAMES.get(data.dtype.name, data.dtype.name)} {list(data.shape)}"
    which = ""
    if owner is not None:
        which = f", which is output {index} of {owner.name().replace('Backward0', '').replace('Backward', '')},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{desc}]{which} is at version {now}; expected version {expected} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "npgrad.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class _SavedInput:
    """A saved input Tensor plus its version at save time."""

    __slots__ = ("tensor", "version")

    def __init__(self, tensor: "Tensor") -> None:
        self.tensor = tensor
        self.version = tensor._version_ref[0]

    def unpack(self, node: "Function") -> "Tensor":
        t = self.tensor
        now = t._version_ref[0]
        if now != self.version:
            raise _modified_error(t.data, t._grad_fn, t._output_nr, now, self.version)
        return t


class _SavedOutput:
    """A saved output of the node itself: data only (no cycle), re-wrapped with ``grad_fn=node``."""

    __slots__ = ("data", "index", "version_ref", "version")

    def __init__(self, data: np.ndarray, index: int, version_ref: list) -> None:
        self.data, self.index, self.version_ref = data, index, version_ref
        self.version = version_ref[0]

    def unpack(self, node: "Function") -> "Tensor":
        now = self.version_ref[0]
        if now != self.version:
            raise _modified_error(self.data, node, self.index, now, self.version)
        t = Tensor._make(self.data, True, node, self.index)
        t._version_ref = self.version_ref
        return t


class _SavedConstant:
    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = data

    def unpack(self, node: "Function") -> Any:
        return Tensor._make(self.data) if isinstance(self.data, np.ndarray) else self.data


def once_differentiable(backward: Callable) -> Callable:
    """Decorator for a custom ``backward`` written on raw arrays: double backward through it raises."""
    backward.__once_differentiable__ = True  # type: ignore[attr-defined]
    return backward


class Function:
    """Base class of every differentiable op and of user-defined autograd functions."""

    #: True when ``backward`` works on raw arrays and cannot itself be differentiated.
    once_differentiable = False
    materialize_grads = True
    needs_input_grad: tuple = ()
    _edges: tuple = ()
    _out_meta: tuple = ()
    _to_save: tuple = ()
    _saved: Any = ()  # list of saved entries; None once freed by backward
    _non_diff: tuple = ()
    _dirty: tuple = ()
    _hooks: Any = None  # output index -> ordered dict of tensor hooks (handle id -> hook)
    _retained: Any = None  # output index -> weakref to the tensor that retains its grad
    _pre_hooks: Any = None
    _post_hooks: Any = None
    _trace: Any = None  # set by anomaly mode: where the op was created
    _any_hooks = False  # True once any hook / retain_grad is registered on this node
    _is_sink = False
    _node_name = "Backward0"
    _custom_setup = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        builtin = cls.__module__.startswith("npgrad.")
        cls._node_name = cls.__dict__.get("node_name") or (cls.__name__ + ("Backward0" if builtin else "Backward"))
        if getattr(cls.backward, "__once_differentiable__", False):
            cls.once_differentiable = True
        cls._custom_setup = cls.setup_context is not Function.setup_context

    # ----------------------------------------------------------------- user API
    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        """Optional torch-2 style: ``forward(*args)`` without ctx, then ``setup_context`` fills ctx."""

    @staticmethod
    def backward(ctx: Any, *grad_outputs: "Tensor") -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it "
            "with backward mode AD."
        )

    vjp = backward

    def save_for_backward(self, *tensors: Any) -> None:
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs: Any) -> None:
        self._non_diff = outputs

    def mark_dirty(self, *tensors: Any) -> None:
        """Declare inputs that ``forward`` modified in place (they are returned as outputs)."""
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """When False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        return tuple([None if s is None else s.unpack(self) for s in saved])

    saved_variables = saved_tensors

    @property
    def next_functions(self) -> tuple:
        """torch's view of the edges: ``((node, output_nr) | (None, 0), ...)``, one per Tensor input."""
        return tuple((e[0], e[1]) if e is not None else (None, 0) for e in self._edges)

    @property
    def _input_meta(self) -> tuple:
        """Per forward argument: ``(shape, dtype)`` of the input if it needs a gradient, else None."""
        return tuple(None if e is None else (e[2], e[3]) for e in self._edges)

    @property
    def metadata(self) -> dict:
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self._metadata = {}
        return d

    def name(self) -> str:
        return self._node_name

    def __repr__(self) -> str:
        return f"<{self._node_name} object at {hex(id(self))}>"

    def register_hook(self, fn: Callable) -> "RemovableHandle":
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward; it may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = OrderedDict()
        self._any_hooks = True
        return add_hook(self._post_hooks, fn)

    def register_prehook(self, fn: Callable) -> "RemovableHandle":
        """``fn(grad_outputs)`` runs before this node's backward; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = OrderedDict()
        self._any_hooks = True
        return add_hook(self._pre_hooks, fn)

    # ----------------------------------------------------------------- machinery
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, when any Tensor input requires grad, record this node in the graph."""
        ctx = _new(cls)
        state = _state
        T = Tensor
        record = False
        if state.enabled:
            needs = []
            for a in args:
                if isinstance(a, T):
                    if a._base is not None:
                        a._sync_view()
                    if a._requires_grad:
                        record = True
                        needs.append(True)
                        continue
                needs.append(False)
            ctx.needs_input_grad = needs = tuple(needs)
        else:
            ctx.needs_input_grad = (False,) * len(args)
        if record:  # forward runs with recording off (it may use Tensor ops)
            state.enabled = False
            try:
                if cls._custom_setup:
                    raw = cls.forward(*args, **kwargs)
                    cls.setup_context(ctx, args, raw)
                else:
                    raw = cls.forward(ctx, *args, **kwargs)
            finally:
                state.enabled = True
            return ctx._record(args, needs, raw, type(raw) is tuple)
        if cls._custom_setup:
            raw = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, raw)
        else:
            raw = cls.forward(ctx, *args, **kwargs)
        if type(raw) is np.ndarray:
            return T._make(raw)
        if type(raw) is not tuple:
            return T._make(raw.data if isinstance(raw, T) else np.asarray(raw))
        return tuple(None if o is None else T._make(o.data if isinstance(o, T) else np.asarray(o)) for o in raw)

    def _record(self, args: tuple, needs: tuple, raw: Any, multi: bool) -> Any:
        """Wrap the forward's outputs as tensors whose ``grad_fn`` is this node, and store the edges."""
        T = Tensor
        edges = []
        append = edges.append
        for a, n in zip(args, needs):
            if n:
                d = a.data
                fn = a._grad_fn
                if fn is None:  # a leaf: its (weakly cached) AccumulateGrad sink
                    ref = a._accumulator
                    fn = ref() if ref is not None else None
                    if fn is None:
                        fn = accumulator_for(a)
                    append((fn, 0, d.shape, d.dtype))
                else:
                    append((fn, a._output_nr, d.shape, d.dtype))
            else:
                append(None)
        self._edges = tuple(edges)
        if not multi and not (self._non_diff or self._dirty):  # the common case: one plain output
            arr = raw.data if isinstance(raw, T) else raw
            if type(arr) is not np.ndarray:
                arr = np.asarray(arr)
            dt = arr.dtype
            self._out_meta = ((arr.shape, dt),)
            out = T._make(arr, True, self, 0) if dt.kind in "fc" else T._make(arr)
            if self._to_save:
                self._saved = self._pack_saved([arr], [out])
                self._to_save = ()
            if _state.anomaly:
                from .anomaly import record_trace

                record_trace(self)
            return out
        outs = raw if multi else (raw,)
        arrays = [o.data if isinstance(o, T) else o for o in outs]
        non_diff = self._non_diff
        dirty = self._dirty
        results = []
        meta = []
        for i, arr in enumerate(arrays):
            if arr is None:
                results.append(None)
                meta.append(None)
                continue
            if not isinstance(arr, np.ndarray):
                arr = arrays[i] = np.asarray(arr)
            meta.append((arr.shape, arr.dtype))
            if (non_diff and any(_same(arr, o) for o in non_diff)) or arr.dtype.kind not in "fc":
                results.append(T._make(arr))
            elif dirty and any(_same(arr, o) for o in dirty):
                t = next(o for o in dirty if _same(arr, o))
                t._grad_fn, t._output_nr, t._requires_grad = self, i, True
                t._version_ref[0] += 1
                results.append(t)
            else:
                results.append(T._make(arr, True, self, i))
        self._out_meta = tuple(meta)
        if self._to_save:
            self._saved = self._pack_saved(arrays, results)
            self._to_save = ()
        if _state.anomaly:
            from .anomaly import record_trace

            record_trace(self)
        return tuple(results) if multi else results[0]

    def _pack_saved(self, arrays: list, results: list) -> list:
        T = Tensor
        saved: list = []
        for item in self._to_save:
            if item is None:
                saved.append(None)
                continue
            data = item.data if isinstance(item, T) else item
            for idx, a in enumerate(arrays):
                if a is data and results[idx]._grad_fn is self:
                    saved.append(_SavedOutput(data, idx, results[idx]._version_ref))
                    break
            else:
                if isinstance(item, T):
                    saved.append(_SavedInput(item))
                else:
                    saved.append(_SavedConstant(item))
        return saved


_new = object.__new__


def _same(arr: np.ndarray, o: Any) -> bool:
    return arr is (o.data if isinstance(o, Tensor) else o)


class AccumulateGrad:
    """Graph sink for a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable", "__weakref__")
    _edges = ()
    _out_meta = (None,)
    _is_sink = True
    next_functions = ()

    def __init__(self, variable: "Tensor") -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


def accumulator_for(t: "Tensor") -> AccumulateGrad:
    """The (cached, weakly referenced) AccumulateGrad node of a leaf tensor."""
    ref = t._accumulator
    if ref is not None:
        acc = ref()
        if acc is not None:
            return acc
    acc = AccumulateGrad(t)
    t._accumulator = weakref.ref(acc)
    return acc
