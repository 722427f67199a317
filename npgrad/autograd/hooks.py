"""``RemovableHandle``: what every ``register_*hook`` in npgrad returns (torch.utils.hooks.RemovableHandle).

Hooks are kept in ordered dicts keyed by the handle's id (a global counter, so registration order
is stable and ``prepend`` can move a key to the front); the handle holds weak references to those
dicts, so a forgotten handle never keeps a module, node or tensor alive.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any, Callable

__all__ = ["RemovableHandle", "add_hook"]


class RemovableHandle:
    """Handle returned by ``register_*_hook``: ``remove()`` (or leaving a ``with`` block) unregisters."""

    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dicts: Any = ()) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dicts, dict):
            extra_dicts = (extra_dicts,)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dicts)

    def remove(self) -> None:
        """Unregister the hook (a no-op if it is already gone)."""
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __getstate__(self) -> tuple:
        return (self.hooks_dict_ref(), self.id, tuple(r() for r in self.extra_dict_ref))

    def __setstate__(self, state: tuple) -> None:
        hooks, self.id, extras = state
        self.hooks_dict_ref = weakref.ref(hooks if hooks is not None else {})  # type: ignore[arg-type]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras if d is not None)


def add_hook(registry: "OrderedDict[int, Callable]", hook: Callable, prepend: bool = False,
             extra_dicts: Any = ()) -> RemovableHandle:
    """Store ``hook`` in ``registry`` under a new handle's id (first if ``prepend``) and return the handle."""
    handle = RemovableHandle(registry, extra_dicts=extra_dicts)
    registry[handle.id] = hook
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle
