"""Parsing of a Python index ``x[key]`` into torch's two stages, for ``_index_getset``.

``_parse_index`` turns any key (ints, slices, None, Ellipsis, bools, integer/bool tensors, arrays and
lists) into a basic key applied as a NumPy view and an optional advanced key applied to that view,
validating it with torch's error messages. ``_target_shape`` and ``_expand_msg`` serve ``setitem``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._index_util import _first_bad


_VALID = "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices"


def _as_items(index: Any) -> tuple:
    """torch's rule: a short list holding sequences/tensors/slices/None/... is read as a tuple of indices."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (Tensor, np.ndarray, list, tuple, slice)) or i is None or i is Ellipsis for i in index):
        return tuple(index)
    return (index,)


def _as_index_array(it: Any) -> Any:
    """A tensor/array/list index as an int (0-d int tensor) or a bool / intp NumPy array."""
    arr = it.data if isinstance(it, Tensor) else np.asarray(it)
    if arr.dtype == np.uint8 or arr.dtype == np.bool_:
        return arr.astype(bool, copy=False)
    if arr.dtype.kind in "iu":
        return int(arr) if arr.ndim == 0 and isinstance(it, Tensor) else arr.astype(np.intp, copy=False)
    if arr.size == 0 and not isinstance(it, Tensor):
        return arr.astype(np.intp)
    if isinstance(it, Tensor) or arr.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    raise IndexError(f"{_VALID} (got {type(it).__name__})")


def _slice_part(v: Any) -> Any:
    """A slice bound or step as a Python int (0-d tensors allowed), None kept."""
    return None if v is None else int(v.item() if isinstance(v, Tensor) else v)


def _basic_fast(shape: tuple, index: Any) -> tuple | None:
    """The common ``x[i]`` / ``x[i, a:b]`` case (Python ints and forward slices only), validated; else None."""
    key = index if type(index) is tuple else (index,)
    if len(key) > len(shape):
        return None
    for n, k in zip(shape, key):
        if type(k) is int:
            if not -n <= k < n:
                return None
        elif type(k) is not slice or not (k.step is None or (type(k.step) is int and k.step > 0)):
            return None
    return key


def _parse_index(x: Tensor, index: Any) -> tuple:
    """Split an index into torch's two stages: a basic (view) key, then an advanced key or None.

    Stage 1 applies ints, slices, None and Ellipsis as a NumPy view. Stage 2 indexes that view with the
    integer arrays / bool masks, every other dim taking ``slice(None)`` (ints are gone by then, which is
    how torch places the advanced dims: ``x[0, :, [0, 1]]`` has shape ``(3, 2, 5)`` for ``x`` of shape
    ``(2, 3, 4, 5)``, where NumPy would give ``(2, 3, 5)``).
    """
    fast = _basic_fast(x.data.shape, index)
    if fast is not None:
        return fast, None
    items, conv, consumed = _as_items(index), [], 0
    for it in items:
        if it is None or it is Ellipsis:
            conv.append(it)
        elif isinstance(it, (bool, np.bool_)):
            conv.append(np.asarray(it))
        elif isinstance(it, (int, np.integer)):
            conv.append(int(it))
            consumed += 1
        elif isinstance(it, slice):
            step = _slice_part(it.step)
            if step is not None and step <= 0:
                raise ValueError("slice step cannot be zero" if step == 0 else "step must be greater than zero")
            conv.append(slice(_slice_part(it.start), _slice_part(it.stop), step))
            consumed += 1
        elif isinstance(it, (Tensor, np.ndarray, list, tuple)):
            a = _as_index_array(it)
            conv.append(a)
            consumed += a.ndim if isinstance(a, np.ndarray) and a.dtype == bool else 1
        else:
            raise IndexError(f"{_VALID} (got {type(it).__name__})")
    shape, ndim = x.data.shape, x.data.ndim
    if sum(it is Ellipsis for it in conv) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        if ndim == 0 and any(isinstance(it, int) for it in conv):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    key1, key2, dim, advanced = [], [], 0, False
    for it in conv:
        if it is Ellipsis:
            key1.append(it)
            key2.extend([slice(None)] * (ndim - consumed))
            dim += ndim - consumed
        elif it is None:
            key1.append(None)
            key2.append(slice(None))
        elif isinstance(it, int):
            if not -shape[dim] <= it < shape[dim]:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {shape[dim]}")
            key1.append(it)
            dim += 1
        elif isinstance(it, slice):
            key1.append(it)
            key2.append(slice(None))
            dim += 1
        elif it.dtype == bool:
            advanced = True
            if it.ndim == 0:  # x[True] / x[False]: a new dim of size 1 (True) or 0 (False)
                key1.append(None)
                key2.append(slice(None) if it else np.zeros(0, np.intp))
                continue
            for j, (m, n) in enumerate(zip(it.shape, shape[dim:])):
                if m != n:
                    raise IndexError(f"The shape of the mask {list(it.shape)} at index {j} does not match the shape "
                                     f"of the indexed tensor {list(shape)} at index {dim + j}")
            key1.extend([slice(None)] * it.ndim)
            key2.append(it)
            dim += it.ndim
        else:
            advanced = True
            n = shape[dim]
            if it.size:
                lo, hi = it.min(), it.max()
                if lo < -n or hi >= n:
                    bad = _first_bad(it, -n, n)
                    raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
                if lo < 0:
                    it = np.where(it < 0, it + n, it)
            key1.append(slice(None))
            key2.append(it)
            dim += 1
    if advanced:
        arrays = [k for k in key2 if isinstance(k, np.ndarray)]
        try:
            np.broadcast_shapes(*(a.shape if a.dtype != bool else (int(a.sum()),) for a in arrays))
        except ValueError:
            shapes = ", ".join(str(list(a.shape)) for a in arrays)
            raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes "
                             f"{shapes}") from None
    trivial = all(k is Ellipsis or k == slice(None) for k in key1) and None not in key1
    return (None if trivial else tuple(key1)), (tuple(key2) if advanced else None)


def _target_shape(shape: tuple, key1: tuple | None, key2: tuple | None) -> tuple:
    """Shape of ``x[key]`` computed on a zero-stride stand-in (no data is copied for basic keys)."""
    probe = np.broadcast_to(np.empty((), np.int8), shape)
    probe = probe[key1] if key1 is not None else probe
    return np.shape(probe[key2] if key2 is not None else probe)


def _expand_msg(vshape: tuple, target: tuple) -> str:
    """torch's error message for a value of shape ``vshape`` that does not broadcast to ``target``."""
    for i in range(1, len(vshape) + 1):
        if vshape[-i] != 1 and (i > len(target) or vshape[-i] != target[-i]):
            n = target[-i] if i <= len(target) else 1
            return (f"The expanded size of the tensor ({n}) must match the existing size ({vshape[-i]}) at "
                    f"non-singleton dimension {len(target) - i}.  Target sizes: {list(target)}.  Tensor sizes: "
                    f"{list(vshape)}")
    return f"cannot broadcast {list(vshape)} to {list(target)}"
