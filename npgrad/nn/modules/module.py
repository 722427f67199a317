"""``nn.Module``: the base class of every layer (torch.nn.Module's interface).

A Module owns three ordered registries filled by attribute assignment: ``_parameters``
(``Parameter``), ``_buffers`` (state tensors such as running statistics) and ``_modules``
(children). Everything else — iteration, ``state_dict``, dtype conversion, train/eval, hooks,
``repr`` — walks these registries in insertion order, so names and order match torch exactly.
The dtype/device conversions (``to``, ``float``, ...) come from the ``ModuleConversion`` mixin
(``_module_convert.py``), the hook registration methods from ``ModuleHooks``
(``npgrad/nn/utils/hooks.py``); the ``state_dict`` machinery lives in ``npgrad/nn/utils/state_dict.py``.

Calling a module runs forward pre-hooks, ``forward``, forward hooks and, when backward hooks are
registered, wraps the tensor inputs and outputs in an identity ``Function`` whose backward calls
the hooks (``npgrad.nn.utils.hooks.BackwardHook``). An exception raised inside a submodule is
re-raised with the submodule's path and input shapes prepended (once, at the innermost module).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Iterator, Mapping

from ...tensor import Tensor
from ..parameter import Buffer, Parameter
from ..utils.hooks import ModuleHooks, annotate_exception, call_with_hooks
from ..utils.state_dict import _IncompatibleKeys, load_own_state, load_state_dict_tree, save_own_state, state_dict_tree
from ._module_convert import ModuleConversion

__all__ = ["Module"]


def _typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    mod = type(obj).__module__
    return type(obj).__qualname__ if mod == "builtins" else f"{mod}.{type(obj).__qualname__}"


def _addindent(s: str, num_spaces: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(num_spaces * " " + line for line in lines[1:])


class _CallStack(threading.local):
    def __init__(self) -> None:
        self.modules: list = []


_calls = _CallStack()


class Module(ModuleConversion, ModuleHooks):
    """Base class for all neural network modules; subclasses define ``forward``.

    Assigning a ``Parameter``, ``Buffer`` or ``Module`` to an attribute registers it; the
    registries keep insertion order, which fixes ``parameters()`` and ``state_dict()`` order.
    """

    training: bool
    _version: int = 1
    dump_patches: bool = False
    call_super_init: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'"
                if kwargs else f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} were given"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = OrderedDict()
        d["_forward_hooks_always_called"] = OrderedDict()
        d["_backward_pre_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; every subclass overrides it.

        Call the module (``module(x)``) rather than ``forward`` directly, so that hooks run.
        The base version raises NotImplementedError.
        """
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # ----------------------------------------------------------------- registration
    def _check_new_name(self, kind: str, name: Any, registry: str) -> None:
        """torch's checks on a name being registered as a buffer/parameter/module."""
        if registry not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."' + (f", got: {name}" if kind == "module" else ""))
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a state tensor (not a parameter) saved in ``state_dict`` unless ``persistent=False``."""
        self._check_new_name("buffer", name, "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (torch Tensor or None required)")
        if isinstance(tensor, Buffer):
            persistent = tensor.persistent
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None) under ``name``."""
        self._check_new_name("parameter", name, "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' (torch.nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created explicitly. "
                f"To express '{name}' as a function of another Tensor, compute the value in the forward() method."
            )
        self._parameters[name] = param

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module under ``name`` (``self.name`` then refers to it)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_new_name("module", name, "_modules")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")

        def remove_from(*dicts_or_sets: Any) -> None:
            for ds in dicts_or_sets:
                if name in ds:
                    if isinstance(ds, dict):
                        del ds[name]
                    else:
                        ds.discard(name)

        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' (torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' (torch.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' (torch.nn.Buffer, torch.Tensor or None expected)"
                )
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            persistent = value.persistent if isinstance(value, Buffer) else name not in self._non_persistent_buffers_set
            remove_from(d, self._parameters, self._modules)
            buffers[name] = value
            if persistent:
                self._non_persistent_buffers_set.discard(name)
            else:
                self._non_persistent_buffers_set.add(name)
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            reg = d.get(registry)
            if reg is not None and name in reg:
                return reg[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in ("_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
                     "_backward_pre_hooks", "_backward_hooks", "_forward_pre_hooks", "_forward_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self.__dict__.setdefault("_non_persistent_buffers_set", set())

    # ----------------------------------------------------------------- lookup
    def get_submodule(self, target: str) -> "Module":
        """The submodule at dotted path ``target`` ("" is self)."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def _get_attr_at(self, target: str, kind: type, what: str) -> Any:
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        value = getattr(mod, name)
        if not isinstance(value, kind):
            raise AttributeError("`" + name + "` is not " + what)
        return value

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` (e.g. ``"layer1.0.weight"``); AttributeError if none."""
        return self._get_attr_at(target, Parameter, "an nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target`` (e.g. ``"bn.running_mean"``); AttributeError if none."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._buffers:
            if not hasattr(mod, name):
                raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
            raise AttributeError("`" + name + "` is not a buffer")
        return mod._buffers[name]

    # ----------------------------------------------------------------- iteration
    def _named_members(self, get_members: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        memo: set = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (module_prefix + "." + k if module_prefix else k), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted_name, parameter)`` for every parameter of self and (with ``recurse``) its descendants.

        Names are prefixed with ``prefix``; a parameter shared by several modules is yielded once
        unless ``remove_duplicate=False``. The order is registration order, depth first.
        """
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (each once), in ``named_parameters`` order; what optimizers take."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted_name, buffer)`` for every buffer, persistent or not (arguments as in ``named_parameters``)."""
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (each once), in ``named_buffers`` order."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """``(name, child)`` for each direct submodule (not deeper descendants), each child once."""
        memo: set = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        """The direct submodules, in registration order."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """Pre-order walk: ``(dotted_name, module)`` for self and every descendant."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        """Self and every descendant module (each once), pre-order as in ``named_modules``."""
        for _, m in self.named_modules():
            yield m

    # ----------------------------------------------------------------- modes and grads
    def train(self, mode: bool = True) -> "Module":
        """Set ``training`` to ``mode`` on self and every descendant; returns self.

        Layers such as Dropout and BatchNorm behave differently in training and evaluation mode.
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """Switch to evaluation mode: ``train(False)``; returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set ``requires_grad`` on every parameter (e.g. ``False`` to freeze the module); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: set ``.grad`` to None, or fill it with zeros in place.

        With ``set_to_none=False`` an existing grad is detached from any graph and zeroed.
        """
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                g = p.grad
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.data[...] = 0
                g._bump_version()

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Call ``fn`` on every submodule (children first) and then on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def share_memory(self) -> "Module":
        """A no-op kept for torch compatibility (npgrad has no inter-process tensor sharing); returns self."""
        return self

    # ----------------------------------------------------------------- state dict
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        """Add this module's own entries (not its children's) to ``destination``, keys ``prefix + name``."""
        save_own_state(self, destination, prefix, keep_vars,
                       has_extra_state=type(self).get_extra_state is not Module.get_extra_state)

    def get_extra_state(self) -> Any:
        """Override to store extra (picklable) state in ``state_dict`` under ``'_extra_state'``.

        Overriding it makes ``state_dict`` call it; pair it with ``set_extra_state``. The base
        version is never called and raises.
        """
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. Please file an issue"
        )

    def set_extra_state(self, state: Any) -> None:
        """Override to restore the value ``get_extra_state`` returned, when ``load_state_dict`` meets it.

        The base version is never called and raises.
        """
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. Please file an issue"
        )

    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Ordered mapping ``dotted name -> tensor`` of every parameter and persistent buffer."""
        if args:  # torch's deprecated positional form state_dict(destination, prefix, keep_vars)
            destination = args[0] if len(args) > 0 else destination
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        return state_dict_tree(self, destination, prefix, keep_vars)

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list) -> None:
        """Copy this module's own entries of ``state_dict`` (keys ``prefix + name``) into place."""
        load_own_state(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs,
                       has_extra_state=type(self).set_extra_state is not Module.set_extra_state)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy ``state_dict`` into this module's parameters and buffers (in place, under no_grad).

        Values may be npgrad tensors or NumPy arrays. With ``strict`` missing/unexpected keys raise
        torch's RuntimeError; the returned ``_IncompatibleKeys`` lists them otherwise.
        """
        return load_state_dict_tree(self, state_dict, strict, assign)

    # ----------------------------------------------------------------- calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        stack = _calls.modules
        stack.append(self)
        try:
            if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks:
                return call_with_hooks(self, args, kwargs)
            return self.forward(*args, **kwargs)
        except Exception as exc:
            if len(stack) > 1 and not getattr(exc, "_npgrad_annotated", False):
                new = annotate_exception(exc, self, stack[0], args)
                if new is exc:
                    raise
                raise new from exc
            raise
        finally:
            stack.pop()

    # ----------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """Extra text inside this module's ``repr`` parentheses (layers override it)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
