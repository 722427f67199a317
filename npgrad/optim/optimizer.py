"""``Optimizer``: the base class of every optimizer (torch.optim.Optimizer's interface).

An optimizer holds ``param_groups`` (a list of dicts: ``'params'`` plus that group's
hyperparameters, filled from ``defaults``) and ``state`` (a dict keyed by the parameter tensor
itself; a Tensor hashes by identity). ``state_dict()`` replaces every parameter by its index in
the order the groups list them, which is torch's layout::

    {'state': {0: {'step': tensor(3.), 'exp_avg': ...}, 1: {...}},
     'param_groups': [{'lr': 0.001, ..., 'params': [0, 1]}]}

so a checkpoint is plain data (``npgrad.save`` writes it) and ``load_state_dict`` maps the
indices back onto the parameters of a freshly built optimizer. Loading deep-copies the state and
casts floating state tensors to their parameter's dtype (``'step'`` keeps its own dtype), so a run
that is stopped and resumed continues bit-identically.
"""
from __future__ import annotations

import copy
import functools
import warnings
from collections import OrderedDict, defaultdict
from itertools import chain
from typing import Any, Callable

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import enable_grad
from ..autograd.hooks import RemovableHandle, add_hook
from ..tensor import Tensor


class _RequiredParameter:
    """Marker for a hyperparameter without a default (``lr`` of SGD in old torch versions)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


_global_pre_hooks: "OrderedDict[int, Callable]" = OrderedDict()
_global_post_hooks: "OrderedDict[int, Callable]" = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Run ``hook(optimizer, args, kwargs)`` before every optimizer's ``step``."""
    return add_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Run ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    return add_hook(_global_post_hooks, hook)


def _typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", "")
    if not qualname:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _hooked_step(step: Callable) -> Callable:
    """Wrap a class's ``step`` so that it runs the step pre/post hooks and marks the optimizer as stepped."""

    @functools.wraps(step)
    def wrapper(self: "Optimizer", *args: Any, **kwargs: Any) -> Any:
        for pre in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = pre(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(self, *args, **kwargs)
        self._opt_called = True
        for post in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            post(self, args, kwargs)
        return out

    wrapper.hooked = True  # type: ignore[attr-defined]
    return wrapper


def scalar_dtype() -> np.dtype:
    """dtype of ``state['step']``: float64 when the default dtype is float64, else float32 (torch's rule)."""
    return np.dtype(np.float64) if _dtype.get_default_dtype() is _dtype.float64 else np.dtype(np.float32)


def hyper(value: Any) -> Any:
    """A hyperparameter as a Python number (a 1-element Tensor lr/beta is read out)."""
    return value.item() if isinstance(value, Tensor) else value


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter groups,
            each with a ``'params'`` entry and optional per-group hyperparameters).
        defaults: the default hyperparameters, used where a group does not set them.
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._optimizer_step_post_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._optimizer_state_dict_pre_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._optimizer_state_dict_post_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {_typename(params)}"
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- python protocol
    def _patch_step_function(self) -> None:
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _hooked_step(cls.step)  # type: ignore[method-assign]

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("step_pre", "step_post", "state_dict_pre", "state_dict_post", "load_state_dict_pre",
                     "load_state_dict_post"):
            self.__dict__.setdefault(f"_optimizer_{name}_hooks", OrderedDict())
        self._patch_step_function()

    def __repr__(self) -> str:
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"

    # ----------------------------------------------------------------- parameter groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group (a dict with ``'params'`` and optional hyperparameters) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                "in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
                "error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen: set = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ----------------------------------------------------------------- gradients and steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: set them to None (default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.data.fill(0)
                    g._bump_version()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ----------------------------------------------------------------- hooks
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None | (new_args, new_kwargs)`` runs before ``step``."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None`` runs after ``step``."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer) -> None`` runs at the start of ``state_dict()``, before anything is packed.

        Hooks run in registration order; ``prepend=True`` puts this one first. Returns a handle whose
        ``remove()`` unregisters it.
        """
        return add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict) -> None | dict`` runs at the end of ``state_dict()``.

        The hook may edit the packed dict in place or return a replacement, which the next hook and the
        caller then receive. ``prepend=True`` runs it before the hooks already registered. Returns a
        handle whose ``remove()`` unregisters it.
        """
        return add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict) -> None | dict`` runs at the start of ``load_state_dict()``.

        The hook receives a shallow copy of the dict being loaded; returning a dict replaces it for the
        rest of the load (e.g. to migrate an old checkpoint format). ``prepend=True`` runs it before the
        hooks already registered. Returns a handle whose ``remove()`` unregisters it.
        """
        return add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer) -> None`` runs at the end of ``load_state_dict()``, once the new state and
        ``param_groups`` are in place (its return value is ignored).

        ``prepend=True`` runs it before the hooks already registered. Returns a handle whose
        ``remove()`` unregisters it.
        """
        return add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ----------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` (torch's layout).

        Like torch, the state tensors are the live ones (not copies); ``load_state_dict`` copies.
        """
        for pre in self._optimizer_state_dict_pre_hooks.values():
            pre(self)
        index: dict[int, int] = {}
        start = 0
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            packed_groups.append(packed)
        packed_state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        sd: dict[str, Any] = {"state": packed_state, "param_groups": packed_groups}
        for post in self._optimizer_state_dict_post_hooks.values():
            result = post(self, sd)
            if result is not None:
                sd = result
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load what ``state_dict()`` returned (or the same structure with NumPy arrays for tensors).

        The groups must match this optimizer's groups in number and size; state is deep-copied and
        floating tensors are cast to their parameter's dtype (``'step'`` is not cast).
        """
        state_dict = dict(state_dict)
        for pre in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(chain.from_iterable(g["params"] for g in saved_groups), chain.from_iterable(g["params"] for g in groups))
        )
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            key = int(k) if isinstance(k, str) and k.isdigit() else k
            if key in id_map:
                param = id_map[key]
                state[param] = _cast_state(param, v)
            else:
                state[key] = copy.deepcopy(v)
        for s in state.values():
            if isinstance(s, dict) and "step" in s and not isinstance(s["step"], Tensor):
                s["step"] = Tensor._make(np.array(float(s["step"]), dtype=scalar_dtype()))
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            if isinstance(saved.get("betas"), list):
                saved["betas"] = tuple(saved["betas"])
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for post in self._optimizer_load_state_dict_post_hooks.values():
            post(self)


# 0-d bookkeeping scalars that keep their own dtype on load. torch exempts only 'step'; it also casts
# NAdam's float32 'mu_product' to the parameter dtype, which changes the arithmetic after a resume.
_KEEP_DTYPE = ("step", "mu_product")


def _cast_state(param: Tensor, value: Any, key: Any = None) -> Any:
    """Deep copy of a per-parameter state value; floating arrays take the parameter's dtype (not ``_KEEP_DTYPE``)."""
    if isinstance(value, (Tensor, np.ndarray)):
        arr = value.data if isinstance(value, Tensor) else value
        if key in _KEEP_DTYPE:
            # 0-d like torch's (a checkpoint format may have stored it with shape (1,))
            return Tensor._make(np.array(arr.reshape(()) if arr.size == 1 else arr, copy=True))
        if param.data.dtype.kind == "f" and arr.dtype.kind == "f":
            return Tensor._make(np.array(arr, dtype=param.data.dtype, copy=True))
        return Tensor._make(np.array(arr, copy=True))
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return copy.deepcopy(value)
