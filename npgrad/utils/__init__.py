"""Utilities: ``npgrad.utils.data`` (datasets, samplers, DataLoader)."""
from __future__ import annotations

import importlib
from typing import Any

from . import data

__all__ = ["data"]


def __getattr__(name: str) -> Any:
    """Import other ``npgrad.utils`` submodules lazily on first attribute access."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
