"""``state_dict`` saving and loading for ``nn.Module`` (torch's key rules and error messages).

Saving: ``state_dict_tree`` (behind ``Module.state_dict``) lets each module add its own entries
with ``save_own_state`` (called from ``Module._save_to_state_dict``), then recurses into the
children's ``state_dict``; keys are dotted paths, in registration order.

Loading: ``load_state_dict_tree`` walks the module tree; each module copies its own entries with
``load_own_state`` (called from ``Module._load_from_state_dict``, which subclasses may override).
Values may be npgrad tensors or NumPy arrays; they are copied in place, cast to the existing dtype.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any, Mapping

import numpy as np

from ...autograd.grad_mode import _state
from ...tensor import Tensor
from ..parameter import Parameter

__all__ = ["save_own_state", "state_dict_tree", "load_own_state", "load_state_dict_tree", "EXTRA_STATE_KEY_SUFFIX"]

EXTRA_STATE_KEY_SUFFIX = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def save_own_state(module: Any, destination: dict, prefix: str, keep_vars: bool,
                   has_extra_state: bool = False) -> None:
    """Put ``module``'s own parameters and persistent buffers under ``prefix + name`` in ``destination``.

    Values are detached unless ``keep_vars``; with ``has_extra_state`` (the module overrides
    ``get_extra_state``) that state is stored under ``prefix + '_extra_state'``.
    """
    for name, param in module._parameters.items():
        if param is not None:
            destination[prefix + name] = param if keep_vars else param.detach()
    for name, buf in module._buffers.items():
        if buf is not None and name not in module._non_persistent_buffers_set:
            destination[prefix + name] = buf if keep_vars else buf.detach()
    if has_extra_state:
        destination[prefix + EXTRA_STATE_KEY_SUFFIX] = module.get_extra_state()


def state_dict_tree(module: Any, destination: dict | None, prefix: str, keep_vars: bool) -> dict:
    """``Module.state_dict``: ``module``'s entries, then each child's (through its own ``state_dict``).

    Without a ``destination`` a new ``OrderedDict`` is made, carrying torch's ``_metadata``
    (each module's ``_version`` under its dotted path).
    """
    if destination is None:
        destination = OrderedDict()
        destination._metadata = OrderedDict()  # type: ignore[attr-defined]
    metadata = getattr(destination, "_metadata", None)
    if metadata is not None:
        metadata[prefix[:-1]] = {"version": module._version}
    module._save_to_state_dict(destination, prefix, keep_vars)
    for name, child in module._modules.items():
        if child is not None:
            child.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
    return destination


def load_own_state(module: Any, state_dict: Mapping, prefix: str, local_metadata: dict, strict: bool,
                   missing_keys: list, unexpected_keys: list, error_msgs: list, has_extra_state: bool = False) -> None:
    """Copy ``module``'s own parameters and persistent buffers from ``state_dict[prefix + name]``."""
    assign = local_metadata.get("assign_to_params_buffers", False)
    persistent = {k: v for k, v in module._buffers.items() if k not in module._non_persistent_buffers_set}
    local_state = {k: v for k, v in list(module._parameters.items()) + list(persistent.items()) if v is not None}
    for name, param in local_state.items():
        key = prefix + name
        if key not in state_dict:
            if strict:
                missing_keys.append(key)
            continue
        value = state_dict[key]
        if isinstance(value, np.ndarray):
            value = Tensor._make(value)
        if not isinstance(value, Tensor):
            error_msgs.append(
                f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like object from '
                f"checkpoint but received {type(value)}"
            )
            continue
        if param.data.ndim == 0 and value.data.ndim == 1:
            value = Tensor._make(value.data[0])
        if value.data.shape != param.data.shape:
            error_msgs.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, "
                f"the shape in current model is {param.shape}."
            )
            continue
        try:
            if assign:
                if isinstance(param, Parameter):
                    value = value if isinstance(value, Parameter) else Parameter(value, param.requires_grad)
                    value.requires_grad_(param.requires_grad)
                setattr(module, name, value)
            else:
                np.copyto(param.data, value.data, casting="unsafe")
                param._bump_version()
        except Exception as ex:
            error_msgs.append(
                f'While copying the parameter named "{key}", whose dimensions in the model are {param.shape} and '
                f"whose dimensions in the checkpoint are {value.shape}, an exception occurred : {ex.args}."
            )
    extra_key = prefix + EXTRA_STATE_KEY_SUFFIX
    if has_extra_state:
        if extra_key in state_dict:
            module.set_extra_state(state_dict[extra_key])
        elif strict:
            missing_keys.append(extra_key)
    elif strict and extra_key in state_dict:
        unexpected_keys.append(extra_key)
    if strict:
        for key in state_dict.keys():
            if key.startswith(prefix) and key != extra_key:
                parts = key[len(prefix):].split(".", 1)
                if len(parts) > 1:
                    if parts[0] not in module._modules:
                        unexpected_keys.append(key)
                elif parts[0] not in local_state:
                    unexpected_keys.append(key)


def load_state_dict_tree(root: Any, state_dict: Mapping[str, Any], strict: bool = True,
                         assign: bool = False) -> _IncompatibleKeys:
    """``Module.load_state_dict``: load every module of the tree, then report like torch."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    missing: list = []
    unexpected: list = []
    error_msgs: list = []
    metadata = getattr(state_dict, "_metadata", None)
    state_dict = OrderedDict(state_dict)
    prev = _state.enabled
    _state.enabled = False

    def load(module: Any, local_state: Mapping, prefix: str = "") -> None:
        local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
        if assign:
            local_metadata["assign_to_params_buffers"] = assign
        module._load_from_state_dict(local_state, prefix, local_metadata, True, missing, unexpected, error_msgs)
        for name, child in module._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                load(child, {k: v for k, v in local_state.items() if k.startswith(child_prefix)}, child_prefix)

    try:
        load(root, state_dict)
    finally:
        _state.enabled = prev
    if strict:
        if unexpected:
            error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
        if missing:
            error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
    if error_msgs:
        raise RuntimeError(
            "Error(s) in loading state_dict for {}:\n\t{}".format(type(root).__name__, "\n\t".join(error_msgs))
        )
    return _IncompatibleKeys(missing, unexpected)
