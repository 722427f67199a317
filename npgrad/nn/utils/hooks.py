"""Call plumbing for ``nn.Module``: hook registration and handles, hooked calls, backward hooks, error context.

``ModuleHooks`` (a mixin of ``nn.Module``) registers hooks in the module's ordered hook dicts and
returns a ``RemovableHandle``.
``call_with_hooks`` runs one module call with forward pre-hooks / forward hooks (torch's order and
return-value rules). ``annotate_exception`` rewrites an exception raised inside a submodule as
``"<Class> '<path>': <message> (input shape ...)"`` (same type, original chained as the cause).

``BackwardHook`` wraps a module call's tensor inputs and outputs in ``_HookIdentity``, an identity
``Function``. Autograd reaches the outputs' node first: its backward gathers ``grad_output`` and
runs the backward *pre*-hooks (which may replace it). Once every gradient flowing into the inputs
is summed, the inputs' node runs the full backward hooks with ``(module, grad_input, grad_output)``;
a hook may return a replacement ``grad_input``. Both backwards are plain pass-throughs of Tensors,
so double backward still works.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from ...autograd.function import Function
from ...autograd.hooks import RemovableHandle, add_hook
from ...autograd.grad_mode import _state
from ...tensor import Tensor

__all__ = ["RemovableHandle", "ModuleHooks", "BackwardHook", "call_with_hooks", "annotate_exception"]


class ModuleHooks:
    """The hook registration methods of ``nn.Module``; each returns a ``RemovableHandle``.

    ``prepend=True`` runs the hook before those already registered. The hooks are stored in the
    module's ordered dicts (``_forward_pre_hooks``, ...), keyed by the handle's id.
    """

    def _add_hook(self, registry: OrderedDict, hook: Callable, prepend: bool, *flags: OrderedDict) -> RemovableHandle:
        handle = add_hook(registry, hook, prepend, extra_dicts=flags)
        for f in flags:
            f[handle.id] = True
        return handle

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args) -> None | new args`` (``(module, args, kwargs) -> None | (args, kwargs)``)."""
        flags = (self._forward_pre_hooks_with_kwargs,) if with_kwargs else ()
        return self._add_hook(self._forward_pre_hooks, hook, prepend, *flags)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output) -> None | new output`` (kwargs form: ``(module, args, kwargs, output)``)."""
        flags = ((self._forward_hooks_with_kwargs,) if with_kwargs else ()) + (
            (self._forward_hooks_always_called,) if always_call else ())
        return self._add_hook(self._forward_hooks, hook, prepend, *flags)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output) -> None | new grad_output``, before the module's input grads."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output) -> None | new grad_input`` once input grads are known."""
        return self._add_hook(self._backward_hooks, hook, prepend)


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
        """Wrap the module call's tensor inputs in the identity node that runs the full backward hooks."""
        self.n_inputs = len(args)
        new, self.input_positions = _wrap(args, self._input_callback)
        return new

    def setup_output_hook(self, result: Any) -> Any:
        """Wrap the module's tensor outputs in the identity node that gathers grad_output (pre-hooks)."""
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


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """One module call with its forward pre-hooks, forward hooks and backward-hook wrapping."""
    for hook_id, hook in list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_pre_hooks_with_kwargs:
            res = hook(module, args, kwargs)
            if res is not None:
                if not (isinstance(res, tuple) and len(res) == 2):
                    raise RuntimeError(
                        f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got {res}."
                    )
                args, kwargs = res
        else:
            res = hook(module, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
    bw = None
    if (module._backward_hooks or module._backward_pre_hooks) and _state.enabled:
        bw = BackwardHook(module, module._backward_hooks, module._backward_pre_hooks)
        args = bw.setup_input_hook(args)
    try:
        result = module.forward(*args, **kwargs)
    except Exception:
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called:
                try:
                    if hook_id in module._forward_hooks_with_kwargs:
                        hook(module, args, kwargs, None)
                    else:
                        hook(module, args, None)
                except Exception:
                    pass
        raise
    for hook_id, hook in list(module._forward_hooks.items()):
        if hook_id in module._forward_hooks_with_kwargs:
            res = hook(module, args, kwargs, result)
        else:
            res = hook(module, args, result)
        if res is not None:
            result = res
    if bw is not None:
        result = bw.setup_output_hook(result)
    return result


def _shapes_note(args: tuple) -> str:
    shapes = [tuple(a.data.shape) for a in args if isinstance(a, Tensor)]
    if not shapes:
        return ""
    if len(shapes) == 1:
        return f" (input shape {shapes[0]})"
    return " (input shapes " + ", ".join(str(s) for s in shapes) + ")"


def annotate_exception(exc: Exception, module: Any, root: Any, args: tuple) -> Exception:
    """``exc`` re-made with ``"<Class> '<path>': "`` in front and the input shapes after."""
    path = next((name for name, m in root.named_modules() if m is module), None)
    where = module._get_name() + (f" '{path}'" if path else "")
    msg = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    text = f"{where}: {msg}{_shapes_note(args)}"
    try:
        new = type(exc)(text)
    except Exception:  # exception types with their own constructor signature: edit in place
        exc.args = (text,) + tuple(exc.args[1:])
        new = exc
    new._npgrad_annotated = True  # type: ignore[attr-defined]
    return new
