"""The thin bridge between NumPy arrays and ``npgrad.Tensor`` used by the data pipeline.

All data loading works on NumPy arrays; only finished samples and batches are wrapped. The core
package is imported lazily so this module can be imported while ``npgrad`` itself initialises.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence

import numpy as np

from ... import random as _random


def _core() -> Any:
    import npgrad

    return npgrad


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is an ``npgrad.Tensor``."""
    return isinstance(x, _core().Tensor)


def to_tensor(arr: np.ndarray) -> Any:
    """Wrap a NumPy array in a Tensor without copying (``npgrad.from_numpy``)."""
    arr = np.asarray(arr)
    if not arr.flags.writeable:
        arr = arr.copy()
    return _core().from_numpy(arr)


def to_numpy(x: Any) -> np.ndarray:
    """The NumPy array behind a Tensor, or ``np.asarray(x)``."""
    return x.data if is_tensor(x) else np.asarray(x)


def index_array(indices: Sequence[int] | np.ndarray) -> np.ndarray:
    """Indices (list, array, Tensor) as a 1-D int64 NumPy array for fancy indexing."""
    if is_tensor(indices):
        indices = indices.data
    arr = np.asarray(indices)
    if arr.dtype.kind not in "iu":
        arr = arr.astype(np.int64)
    return arr.reshape(-1)


def take(x: Any, indices: np.ndarray) -> Any:
    """``x[indices]`` with one fancy index; Tensors come back as Tensors (graph kept if needed)."""
    if is_tensor(x):
        if x.requires_grad:
            return x[_core().from_numpy(indices)]
        return to_tensor(x.data[indices])
    if isinstance(x, np.ndarray):
        return x[indices]
    return [x[int(i)] for i in indices]


# --------------------------------------------------------------------------- randomness
_local = threading.local()


def set_thread_rng(gen: np.random.Generator | None) -> None:
    """Give the current thread its own NumPy generator (DataLoader worker threads use this)."""
    _local.rng = gen


def current_rng() -> np.random.Generator:
    """The generator data transforms should draw from.

    Inside a DataLoader worker this is the worker's own generator (seeded from the loader's base
    seed plus the worker id, like torch's per-worker seeds); elsewhere it is the global npgrad
    generator, so ``npgrad.manual_seed`` makes augmentation reproducible.
    """
    gen = getattr(_local, "rng", None)
    return gen if gen is not None else _random.rng(None)


def generator_rng(generator: Any = None) -> np.random.Generator:
    """The NumPy generator of an ``npgrad.Generator`` (or of the current thread / global one)."""
    if generator is None:
        return current_rng()
    return _random.rng(generator)


def draw_seed(generator: Any = None) -> int:
    """A fresh 63-bit seed drawn from ``generator`` (the global generator when None)."""
    return int(generator_rng(generator).integers(0, 2**63 - 1, dtype=np.int64))
