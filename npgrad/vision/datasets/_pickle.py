"""A restricted unpickler for the CIFAR python batches: it can build NumPy arrays and nothing else.

The CIFAR "python version" files are pickles of dicts holding lists, strings, numbers and a
uint8 NumPy array. ``find_class`` returns only the handful of NumPy reconstruction helpers those
pickles reference (object arrays refused), so a tampered file cannot run code on load.
"""
from __future__ import annotations

import codecs
import io
import pickle
from typing import Any, Callable

import numpy as np

_core = getattr(np, "_core", None) or np.core  # NumPy 2 moved ``numpy.core`` to ``numpy._core``


def _safe_dtype(*args: Any) -> np.dtype:
    dt = np.dtype(*args)
    if dt.hasobject:
        raise pickle.UnpicklingError("refusing to unpickle an object-dtype array")
    return dt


def _safe_encode(obj: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    if not isinstance(obj, str):
        raise pickle.UnpicklingError("_codecs.encode is only allowed on strings")
    return codecs.encode(obj, encoding, errors)


def _allowed() -> dict[tuple[str, str], Callable[..., Any]]:
    table: dict[tuple[str, str], Callable[..., Any]] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): _safe_dtype,
        ("_codecs", "encode"): _safe_encode,
    }
    for pkg in ("numpy.core", "numpy._core"):
        table[(f"{pkg}.multiarray", "_reconstruct")] = _core.multiarray._reconstruct
        frombuffer = getattr(_core.numeric, "_frombuffer", None)
        if frombuffer is not None:
            table[(f"{pkg}.numeric", "_frombuffer")] = frombuffer
    return table


_ALLOWED = _allowed()


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` whose ``find_class`` only yields NumPy array reconstruction helpers."""

    def find_class(self, module: str, name: str) -> Any:
        """The allowed global ``module.name``; any other raises ``pickle.UnpicklingError``."""
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load global {module}.{name}: CIFAR batches only hold arrays, lists, strings and numbers"
            ) from None


def _str_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}
    return obj


def load_pickle(path: str) -> dict[str, Any]:
    """Load one CIFAR batch / meta pickle (Python 2 or 3) safely; keys come back as ``str``."""
    with open(path, "rb") as f:
        data = f.read()
    obj = RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
    if not isinstance(obj, dict):
        raise RuntimeError(f"{path}: expected a dict in a CIFAR pickle, got {type(obj).__name__}")
    return _str_keys(obj)
