"""Anomaly detection: record where each op was created; raise when backward produces NaN/Inf."""
from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from .grad_mode import _state


def is_anomaly_enabled() -> bool:
    return _state.anomaly


class set_detect_anomaly:
    """Turn anomaly detection on or off (context manager or plain call)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _state.anomaly
        _state.anomaly = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.anomaly = self.prev


class detect_anomaly(set_detect_anomaly):
    """Context manager enabling anomaly detection: slower, but errors name the op that produced NaN."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _state.anomaly

    def __enter__(self) -> None:
        _state.anomaly = True


def record_trace(node: Any) -> None:
    """Remember the user-code stack that created ``node`` (npgrad's own frames dropped)."""
    stack = traceback.extract_stack()[:-3]
    user = [f for f in stack if "/npgrad/" not in f.filename.replace("\\", "/")] or stack
    node._trace = "".join(traceback.format_list(user[-6:]))


def check_gradients(node: Any, grads: tuple) -> None:
    for i, g in enumerate(grads):
        if g is not None and g.data.dtype.kind == "f" and not np.all(np.isfinite(g.data)):
            where = f"\nThe op was created at (most recent call last):\n{node._trace}" if node._trace else ""
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.{where}"
            )
