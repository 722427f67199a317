"""Small helpers shared by the op modules: dim normalisation, operand conversion, and a cheap
way to silence NumPy's floating-point warnings (``quiet_fp`` / ``restore_fp``)."""
from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..tensor import Tensor


def wrap_dim(dim: int, ndim: int) -> int:
    """Map a possibly negative ``dim`` into ``[0, ndim)``; IndexError like torch when out of range.

    A 0-d tensor accepts dims 0 and -1 (torch's rule).
    """
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n if ndim else 0


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of non-negative axes; None or () means all axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(wrap_dim(d, ndim) for d in dim)
        repeated = next((a for i, a in enumerate(axes) if a in axes[:i]), None)
        if repeated is not None:
            raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
        return tuple(sorted(axes)) if ndim else ()
    return (wrap_dim(dim, ndim),) if ndim else ()


def as_tensor_operand(x: Any) -> Tensor:
    """Wrap a Python number / array as a (constant) Tensor."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    return Tensor._make(np.asarray(x, dtype=_dtype.result_type(x)))


def float_dtype_for(arr: np.ndarray) -> np.dtype:
    """Floating dtype an op on ``arr`` computes in: its own if floating, else the default float."""
    return arr.dtype if arr.dtype.kind == "f" else _dtype.get_default_dtype().np


def check_index_tensor(index: Any, op: str) -> np.ndarray:
    """The array of an index argument; torch's RuntimeError unless it is of an integer dtype."""
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {_dtype._FROM_NP.get(data.dtype, data.dtype)}")
    return data


def shape_str(shape: Sequence[int]) -> str:
    """A shape as torch prints it in messages: ``[2, 3]``."""
    return str(list(shape))


# ----------------------------------------------------------------------------- quiet floating-point errors
# torch computes inf / nan silently where NumPy warns (overflow, 0/0, inf - inf, ...). Element-wise
# ops therefore run their NumPy work with every floating-point error ignored:
#
#     token = quiet_fp()
#     try:
#         y = np.add(a, b)
#     finally:
#         restore_fp(token)
#
# It is what ``with np.errstate(all="ignore"):`` does, but NumPy >= 2 keeps that state in a context
# variable, and setting the variable directly to a prebuilt state costs ~0.25 us against ~1 us for
# building and entering an ``np.errstate`` (the op itself is a few us). Like errstate it is
# thread- and asyncio-safe.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _FP_STATE
    from numpy._core._ufunc_config import _make_extobj

    quiet_fp = functools.partial(_FP_STATE.set, _make_extobj(all="ignore"))
    restore_fp = _FP_STATE.reset
except (ImportError, AttributeError):  # another NumPy layout: the public context manager, slower
    def quiet_fp() -> Any:
        """Start ignoring floating-point errors; returns the token for ``restore_fp``."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore_fp(token: Any) -> None:
        """Put back the floating-point error handling that ``quiet_fp`` replaced."""
        token.__exit__(None, None, None)
