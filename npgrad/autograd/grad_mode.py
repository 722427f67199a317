"""Thread-local switches for gradient recording: no_grad, enable_grad, set_grad_enabled, inference_mode."""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.inference = False
        self.anomaly = False


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _GradMode:
    """Base for context managers that can also decorate functions."""

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__(*self._args):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    _args: tuple = ()


class no_grad(_GradMode):
    """Disable gradient recording inside the block (or the decorated function)."""

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = False

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev


class enable_grad(_GradMode):
    """Enable gradient recording inside the block, even under ``no_grad``."""

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = True

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev


class set_grad_enabled(_GradMode):
    """Set gradient recording on or off; works as a function, a context manager and a decorator."""

    def __init__(self, mode: bool) -> None:
        self._args = (mode,)
        self._prev = _state.enabled
        _state.enabled = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev

    def __call__(self, fn: F) -> F:
        _state.enabled = self._prev  # used as decorator: undo the eager switch
        return super().__call__(fn)


class inference_mode(_GradMode):
    """Like ``no_grad`` (npgrad has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self._args = (mode,)
        self.mode = mode

    def __enter__(self) -> None:
        self._prev = (_state.enabled, _state.inference)
        if self.mode:
            _state.enabled, _state.inference = False, True

    def __exit__(self, *exc: Any) -> None:
        _state.enabled, _state.inference = self._prev
