"""Computer vision: ``datasets``, ``transforms`` (and ``models``), torchvision's API on npgrad."""
from __future__ import annotations

import importlib
from typing import Any

from . import datasets, transforms

__all__ = ["datasets", "models", "transforms"]


def __getattr__(name: str) -> Any:
    """Import other submodules (e.g. ``models``) on first access."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
