"""Utilities: ``npgrad.utils.data`` (datasets, samplers, DataLoader), ``summary`` (model tables) and ``trainer``."""
from __future__ import annotations

import importlib
from typing import Any

from . import data
from .summary import summary

__all__ = ["data", "summary"]


def __getattr__(name: str) -> Any:
    """Import other ``npgrad.utils`` submodules lazily on first attribute access."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
