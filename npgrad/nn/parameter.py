"""``nn.Parameter`` (a Tensor a Module registers as learnable) and ``nn.Buffer`` (a state tensor marker).

``Parameter(data)`` shares ``data``'s array (no copy, like torch) and requires grad by default.
``Buffer(data, persistent=True)`` returns a plain, detached tensor flagged so that assigning it to
a Module attribute registers it as a buffer (torch 2.x semantics, including ``isinstance``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Tensor, _as_array

__all__ = ["Parameter", "Buffer", "UninitializedParameter"]


def _array_of(data: Any) -> np.ndarray:
    if data is None:
        return np.empty((0,), dtype=_dtype.get_default_dtype().np)
    if isinstance(data, Tensor):
        return data.data
    return _as_array(data)


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it.

    ``Parameter(data=None, requires_grad=True)``; the new parameter shares ``data``'s storage.
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        self._init(_array_of(data), requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild_parameter, (self.data, self._requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._make(data), requires_grad)


class UninitializedParameter(Parameter):
    """Placeholder of lazy modules; npgrad has no lazy modules, so using it raises."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("npgrad does not implement lazy modules (UninitializedParameter)")


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` is true for tensors made by ``Buffer(...)`` (torch's trick)."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """``Buffer(data=None, *, persistent=True)``: a detached tensor that registers as a module buffer.

    ``persistent=False`` keeps it out of ``state_dict``.
    """

    def __new__(cls, data: Any = None, *, persistent: bool = True) -> Tensor:  # type: ignore[misc]
        t = Tensor._make(_array_of(data))
        t._is_buffer = True
        t.persistent = persistent
        return t
