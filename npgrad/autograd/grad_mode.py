"""Thread-local switches for gradient recording: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each switch is a context manager and a function decorator (generator functions included), like
torch's. ``no_grad``, ``enable_grad`` and ``inference_mode`` also decorate without parentheses
(``@npgrad.no_grad``). The state is per thread: a new thread starts with gradients enabled.
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.inference = False
        self.anomaly = False
        self.anomaly_check_nan = True


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded (this thread)."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside an ``inference_mode()`` block (this thread): no graph is recorded there."""
    return _state.inference


class _DecoratorContextManager:
    """Base of the grad-mode switches: ``with`` support plus decorating functions and generators."""

    def __init__(self) -> None:
        self._prev: list = []

    def clone(self) -> "_DecoratorContextManager":
        return self.__class__()

    def __call__(self, fn: F) -> F:
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _wrap_generator(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            gen = fn(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:  # forward throw() into the generator
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper

    def __enter__(self) -> None:
        raise NotImplementedError

    def __exit__(self, *exc: Any) -> None:
        raise NotImplementedError


class _NoParamDecorator(_DecoratorContextManager):
    """Allows ``@no_grad`` (no parentheses) as well as ``@no_grad()`` and ``with no_grad():``."""

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecorator):
    """Disable gradient recording inside the block (or the decorated function)."""

    def __init__(self) -> None:
        super().__init__()

    def __enter__(self) -> None:
        self._prev.append(_state.enabled)
        _state.enabled = False

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev.pop()


class enable_grad(_NoParamDecorator):
    """Enable gradient recording inside the block, even under ``no_grad``."""

    def __init__(self) -> None:
        super().__init__()

    def __enter__(self) -> None:
        self._prev.append(_state.enabled)
        _state.enabled = True

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev.pop()


class set_grad_enabled(_DecoratorContextManager):
    """Set gradient recording on or off: as a plain call (takes effect at once), a context manager
    (restores the previous mode on exit) or a decorator."""

    def __init__(self, mode: bool) -> None:
        self._prev = [_state.enabled]
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __call__(self, fn: F) -> F:
        _state.enabled = self._prev[0]  # used as a decorator: undo the eager switch
        return super().__call__(fn)

    def clone(self) -> "set_grad_enabled":
        return self.__class__(self.mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev[0]


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (npgrad has no separate inference tensors); ``inference_mode(False)`` is a no-op."""

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = mode

    def clone(self) -> "inference_mode":
        return self.__class__(self.mode)

    def __enter__(self) -> None:
        self._prev.append((_state.enabled, _state.inference))
        if self.mode:
            _state.enabled, _state.inference = False, True

    def __exit__(self, *exc: Any) -> None:
        _state.enabled, _state.inference = self._prev.pop()
