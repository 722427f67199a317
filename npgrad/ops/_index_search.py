"""Index-producing ops with no gradient: ``nonzero`` / ``argwhere``, ``one_hot``, ``searchsorted`` /
``bucketize`` and ``unique`` (re-exported by ``npgrad.ops.index``). All return int64 tensors
(``searchsorted`` optionally int32) except ``unique``'s values, which keep the input's dtype.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._index_util import _index_array
from ._util import wrap_dim


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """Positions of the non-zero elements, in row-major order: ``{i : input[i] != 0}``.

    Args:
        input (Tensor): any tensor (a 0-d one counts as one element with no coordinates).
        as_tuple (bool): return one 1-D tensor of coordinates per dim instead of one 2-D tensor.

    Returns:
        Tensor: int64 of shape ``(n, input.dim())`` for the ``n`` non-zero elements, one row each; or,
        with ``as_tuple``, a tuple of ``input.dim()`` (at least one) int64 tensors of shape ``(n,)``.
    """
    a = input.data
    if a.ndim == 0:
        n = int(a != 0)
        return (Tensor._make(np.zeros(n, np.int64)),) if as_tuple else Tensor._make(np.zeros((n, 0), np.int64))
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(a))
    return Tensor._make(np.argwhere(a).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """Positions of the non-zero elements, one per row: ``nonzero(input)``.

    Args:
        input (Tensor): any tensor.

    Returns:
        Tensor: int64 of shape ``(n, input.dim())``, the coordinates of the ``n`` non-zero elements.
    """
    return nonzero(input)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """One-hot encoding: ``out[..., c] = 1 if tensor[...] == c else 0``.

    Args:
        tensor (Tensor): int64 class indices of any shape, each in ``[0, num_classes)``.
        num_classes (int): the number of classes; -1 infers ``tensor.max() + 1`` (``tensor`` must then
            be non-empty).

    Returns:
        Tensor: int64 of shape ``tensor.shape + (num_classes,)``.
    """
    a = tensor.data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros((a.size, num_classes), dtype=np.int64)
    out[np.arange(a.size), a.reshape(-1)] = 1
    return Tensor._make(out.reshape(a.shape + (num_classes,)))


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,  # noqa: A002
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """Insertion points that keep a sorted sequence sorted: ``out = min {i : seq[i] >= v}`` (``right``: ``> v``).

    The search runs along the innermost dim of ``sorted_sequence``; a 1-D sequence serves every value,
    an N-D one pairs its leading dims with ``input``'s.

    Args:
        sorted_sequence (Tensor): sorted ascending along its last dim (unless ``sorter`` is given),
            1-D or with the same leading dims as ``input``.
        input (Tensor or Number): the values to place.
        out_int32 (bool): return int32 instead of int64.
        right (bool): place each value after the entries equal to it instead of before them.
        side (str, optional): ``"left"`` or ``"right"``, an alternative to ``right`` (must not contradict it).
        sorter (Tensor, optional): int indices that sort ``sorted_sequence`` along its last dim.

    Returns:
        Tensor: of ``input``'s shape, positions in ``[0, sorted_sequence.size(-1)]``; no gradient.
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    seq = sorted_sequence.data
    vals = input.data if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        seq = np.take_along_axis(seq, _index_array(sorter, "searchsorted"), -1)
    sd = "right" if right else "left"
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), vals, side=sd)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
                f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        out = _batched_searchsorted(seq, vals, sd)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def _batched_searchsorted(seq: np.ndarray, vals: np.ndarray, side: str) -> np.ndarray:
    """Row-wise searchsorted in one call: dense global ranks, offset by row, keep every row sorted."""
    n, m = seq.shape[-1], vals.shape[-1]
    s2, v2 = seq.reshape(-1, n), vals.reshape(-1, m)
    _, inv = np.unique(np.concatenate([s2.ravel(), v2.ravel()]), return_inverse=True)
    inv = inv.reshape(-1)
    width = int(inv.max()) + 2 if inv.size else 1
    rows = np.arange(s2.shape[0], dtype=np.int64)[:, None] * width
    skeys = inv[: s2.size].reshape(s2.shape) + rows
    vkeys = inv[s2.size:].reshape(v2.shape) + rows
    pos = np.searchsorted(skeys.ravel(), vkeys.ravel(), side=side).reshape(v2.shape)
    return (pos - np.arange(s2.shape[0])[:, None] * n).reshape(vals.shape)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """Bucket index of each value: ``out = i`` such that ``boundaries[i-1] < x <= boundaries[i]``.

    With ``right``: ``boundaries[i-1] <= x < boundaries[i]``. Values below every boundary get 0, above
    every boundary ``len(boundaries)``.

    Args:
        input (Tensor or Number): the values to place.
        boundaries (Tensor): 1-D, sorted ascending.
        out_int32 (bool): return int32 instead of int64.
        right (bool): see above.

    Returns:
        Tensor: of ``input``'s shape; no gradient.
    """
    if boundaries.data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: int | None = None) -> Any:
    """The distinct elements of ``input`` (or distinct slices along ``dim``), sorted ascending.

    NaNs are never equal, so each NaN is its own element.

    Args:
        input (Tensor): any tensor.
        sorted (bool): accepted for compatibility; the result is always sorted.
        return_inverse (bool): also return, for each element (or slice), the position of its value in
            the result.
        return_counts (bool): also return how often each distinct value occurs.
        dim (int, optional): compare slices along this dim instead of single elements of the flattened
            input.

    Returns:
        Tensor or tuple: the distinct values (1-D, or ``input``'s shape with ``dim`` resized), then the
        int64 inverse (``input``'s shape, or ``(input.size(dim),)``) and the int64 counts when asked for.
    """
    a = input.data
    axis = None if dim is None else wrap_dim(dim, a.ndim)
    kw = {"equal_nan": False} if axis is None else {}
    res = np.unique(a, return_inverse=True, return_counts=True, axis=axis, **kw)
    vals, inv, counts = res
    inv = inv.reshape(a.shape) if axis is None else inv.reshape(-1)
    out = [Tensor._make(vals)]
    if return_inverse:
        out.append(Tensor._make(inv.astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)
