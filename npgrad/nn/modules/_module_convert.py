"""dtype and device conversion of a ``Module``'s state: ``to``, ``float``, ``double``, ``half``, ``type``, ``cpu``.

``ModuleConversion`` is a mixin of ``nn.Module`` (it only reads the ``_parameters``, ``_buffers``
and ``_modules`` registries). Conversions happen in place: each parameter and buffer keeps its
identity and gets a new array, so optimizers holding the parameters stay valid. npgrad has one
device, the CPU, so device moves are checks only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ... import _dtype
from ...tensor import Tensor, device as _device

if TYPE_CHECKING:
    from .module import Module

__all__ = ["ModuleConversion"]


class ModuleConversion:
    """The conversion methods of ``nn.Module`` (see the module docstring)."""

    def _apply(self, fn: Callable[[np.ndarray], np.ndarray], recurse: bool = True) -> "Module":
        """Replace the array of every parameter, its grad and every buffer by ``fn(array)`` in place.

        Parameter and buffer objects keep their identity (optimizers holding them stay valid).
        """
        if recurse:
            for module in self.children():
                module._apply(fn)
        for t in list(self._parameters.values()) + list(self._buffers.values()):
            if t is None:
                continue
            new = fn(t.data)
            if new is not t.data:
                t.data = new
                if t.grad is not None:
                    t._grad = Tensor._make(fn(t.grad.data))
        return self

    def _convert_floating(self, np_dtype: np.dtype) -> "Module":
        """Cast every floating parameter, grad and buffer to ``np_dtype`` (integer state is kept)."""
        return self._apply(lambda a: a.astype(np_dtype) if a.dtype.kind == "f" and a.dtype != np_dtype else a)

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """``to(dtype)``, ``to(device)``, ``to(tensor)``, ``to(device, dtype)``: converts floating state."""
        dtype = kwargs.get("dtype")
        dev = kwargs.get("device")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, _device)):
                dev = a
            elif a is not None:
                dtype = a
        if dev is not None and _device(str(dev)).type != "cpu":
            raise RuntimeError("npgrad was built without a CUDA backend; only device 'cpu' is available")
        if dtype is None:
            return self
        dt = _dtype.to_dtype(dtype)
        if dt.np.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dt}")
        return self._convert_floating(dt.np)

    def float(self) -> "Module":
        """Cast every floating parameter and buffer to float32, in place; returns self."""
        return self._convert_floating(np.dtype(np.float32))

    def double(self) -> "Module":
        """Cast every floating parameter and buffer to float64, in place; returns self."""
        return self._convert_floating(np.dtype(np.float64))

    def half(self) -> "Module":
        """Cast every floating parameter and buffer to float16, in place; returns self."""
        return self._convert_floating(np.dtype(np.float16))

    def type(self, dst_type: Any) -> "Module":
        """Cast every parameter and buffer (floating or not) to ``dst_type``."""
        target = _dtype.to_dtype(dst_type).np
        return self._apply(lambda a: a if a.dtype == target else a.astype(target))

    def cpu(self) -> "Module":
        """Move the module to the CPU: a no-op (everything already lives there); returns self."""
        return self

    def cuda(self, device: Any = None) -> "Module":
        """Always raises RuntimeError: npgrad has no CUDA backend."""
        raise RuntimeError("npgrad was built without a CUDA backend; modules live on the CPU")
