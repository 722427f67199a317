"""Hook plumbing for ``nn.Module``: removable hook handles and the full-backward-hook mechanism.

``BackwardHook`` wraps a module call's tensor inputs and outputs in ``_HookIdentity``, an identity
``Function``. Autograd reaches the outputs' node first: its backward gathers ``grad_output`` and
runs the backward *pre*-hooks (which may replace it). Once every gradient flowing into the inputs
is summed, the inputs' node runs the full backward hooks with ``(module, grad_input, grad_output)``;
a hook may return a replacement ``grad_input``. Both backwards are plain pass-throughs of Tensors,
so double backward still works.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

from ...autograd.function import Function
from ...tensor import Tensor

__all__ = ["RemovableHandle", "BackwardHook"]


class RemovableHandle:
    """Handle returned by ``register_*_hook``: ``remove()`` (or leaving a ``with`` block) unregisters."""

    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dicts: Any = ()) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dicts, dict):
            extra_dicts = (extra_dicts,)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dicts)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __getstate__(self) -> tuple:
        return (self.hooks_dict_ref(), self.id, tuple(r() for r in self.extra_dict_ref))

    def __setstate__(self, state: tuple) -> None:
        hooks, self.id, extras = state
        self.hooks_dict_ref = weakref.ref(hooks if hooks is not None else {})  # type: ignore[arg-type]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras if d is not None)


class _HookIdentity(Function):
    """y_i = x_i for every tensor; backward hands the output grads to ``callback`` and returns its result."""

    @staticmethod
    def forward(ctx: Function, callback: Callable, *tensors: Tensor) -> tuple:
        ctx.callback = callback
        ctx.set_materialize_grads(False)
        return tuple(t.data for t in tensors)

    @staticmethod
    def backward(ctx: Function, *grads: Tensor) -> tuple:
        return (None,) + tuple(ctx.callback(grads))


def _wrap(values: tuple, callback: Callable) -> tuple[tuple, list[int]]:
    """Replace the grad-requiring tensors of ``values`` by identity outputs; also their positions."""
    positions = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
    if not positions:
        return values, positions
    outs = _HookIdentity.apply(callback, *[values[i] for i in positions])
    new = list(values)
    for i, o in zip(positions, outs):
        new[i] = o
    return tuple(new), positions


def _check_len(res: Any, expected: int, what: str) -> tuple:
    res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
    if len(res) != expected:
        raise RuntimeError(f"Backward {what} returned an invalid number of grad_{'output' if 'pre' in what else 'input'}, "
                           f"got {len(res)}, but expected {expected}")
    return res


class BackwardHook:
    """One module call's backward-hook state (see the module docstring)."""

    def __init__(self, module: Any, user_hooks: dict, user_pre_hooks: dict) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.n_inputs = 0
        self.n_outputs = 0
        self.input_positions: list[int] = []
        self.output_positions: list[int] = []
        self.grad_outputs: tuple | None = None

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        new, self.input_positions = _wrap(args, self._input_callback)
        return new

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        outs = result if is_tuple else (result,)
        self.n_outputs = len(outs)
        new, self.output_positions = _wrap(outs, self._output_callback)
        return new if is_tuple else new[0]

    def _output_callback(self, grads: tuple) -> tuple:
        grad_outputs: Any = [None] * self.n_outputs
        for i, g in zip(self.output_positions, grads):
            grad_outputs[i] = g
        grad_outputs = tuple(grad_outputs)
        for hook in list(self.user_pre_hooks.values()):
            res = hook(self.module, grad_outputs)
            if res is not None:
                grad_outputs = _check_len(res, len(grad_outputs), "pre hook")
        self.grad_outputs = grad_outputs
        if not self.input_positions:
            grad_inputs = (None,) * self.n_inputs
            for hook in list(self.user_hooks.values()):
                res = hook(self.module, grad_inputs, grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should always return None or "
                        "None for all gradients."
                    )
        return tuple(grad_outputs[i] for i in self.output_positions)

    def _input_callback(self, grads: tuple) -> tuple:
        grad_inputs: Any = [None] * self.n_inputs
        for i, g in zip(self.input_positions, grads):
            grad_inputs[i] = g
        grad_inputs = tuple(grad_inputs)
        for hook in list(self.user_hooks.values()):
            res = hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None:
                grad_inputs = _check_len(res, len(grad_inputs), "hook")
        return tuple(grad_inputs[i] for i in self.input_positions)
