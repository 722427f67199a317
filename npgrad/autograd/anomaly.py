"""Anomaly detection: remember where each op was created; in backward, raise when an op's gradient
contains NaN, naming the op and the forward line that created it.

    with npgrad.autograd.detect_anomaly():
        y = (x.log() * 0).sum()
        y.backward()   # RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.
                       # ... the forward call that created it: y = (x.log() * 0).sum()
"""
from __future__ import annotations

import os
import traceback
import warnings
from typing import Any

import numpy as np

from .grad_mode import _DecoratorContextManager, _state


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (inside ``detect_anomaly()`` or after ``set_detect_anomaly(True)``).

    While it is on, every op records the user-code stack that created it, so a failing backward can
    name the forward line responsible.
    """
    return _state.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection also checks gradients for NaN (its ``check_nan`` flag, default True).

    When True, backward raises RuntimeError as soon as an op's gradient contains NaN, naming the op.
    """
    return _state.anomaly_check_nan


class set_detect_anomaly:
    """Turn anomaly detection on or off: at once when called, restored on exit when used with ``with``."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_state.anomaly, _state.anomaly_check_nan)
        _state.anomaly, _state.anomaly_check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.anomaly, _state.anomaly_check_nan = self.prev


class detect_anomaly(_DecoratorContextManager):
    """Context manager / decorator enabling anomaly detection (slower: records a stack per op)."""

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__()
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled "
            "for debugging.",
            stacklevel=2,
        )

    def clone(self) -> "detect_anomaly":
        new = object.__new__(type(self))
        _DecoratorContextManager.__init__(new)
        new.check_nan = self.check_nan
        return new

    def __enter__(self) -> None:
        self._prev.append((_state.anomaly, _state.anomaly_check_nan))
        _state.anomaly, _state.anomaly_check_nan = True, self.check_nan

    def __exit__(self, *exc: Any) -> None:
        _state.anomaly, _state.anomaly_check_nan = self._prev.pop()


_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _is_internal(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PKG_DIR)


def record_trace(node: Any) -> None:
    """Remember the user-code stack that created ``node`` (npgrad's own frames dropped)."""
    stack = traceback.extract_stack()[:-2]
    user = [f for f in stack if not _is_internal(f.filename)] or stack
    node._trace = "".join(traceback.format_list(user[-8:]))


def _trace_text(node: Any) -> str:
    if not node._trace:
        return ""
    return f"\nTraceback of forward call that created {node.name()} (most recent call last):\n{node._trace}"


def call_with_trace(node: Any, grads: list) -> Any:
    """Run ``node.backward``; if it raises, attach the forward trace of the failing op."""
    try:
        return type(node).backward(node, *grads)
    except Exception as exc:
        note = f"Error detected in {node.name()}.{_trace_text(node)}"
        warnings.warn(note, stacklevel=2)
        if hasattr(exc, "add_note"):
            exc.add_note(note)
        raise


def check_gradients(node: Any, grads: tuple) -> None:
    """torch's check: a gradient containing NaN raises, naming the op and where it was created."""
    if not _state.anomaly_check_nan:
        return
    for i, g in enumerate(grads):
        if g is not None and g.data.dtype.kind in "fc" and np.isnan(g.data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.{_trace_text(node)}")


__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]
