"""``default_collate`` / ``default_convert``: turn a list of samples into a batch, like torch.

The batch is built with NumPy (one ``np.stack`` per leaf) and wrapped into a Tensor at the end.
"""
from __future__ import annotations

import collections.abc
from typing import Any, Callable, Sequence

import numpy as np

from ..._dtype import get_default_dtype
from ._tensors import _core, is_tensor, to_tensor

_COLLATE_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _string_like_array(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "SUaO"


def _stack_tensors(batch: Sequence[Any]) -> Any:
    first = tuple(batch[0].shape)
    for i, t in enumerate(batch):
        if tuple(t.shape) != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    if any(t.requires_grad for t in batch):
        return _core().stack(list(batch), 0)
    return to_tensor(np.stack([t.data for t in batch]))


def _rebuild(elem: Any, values: Any) -> Any:
    """Rebuild a container of the same type as ``elem`` (falls back to list / dict)."""
    try:
        return type(elem)(values)
    except TypeError:
        return values if isinstance(values, (list, dict)) else list(values)


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, following ``torch.utils.data.default_collate``.

    * Tensors / NumPy arrays are stacked along a new first dimension (arrays become Tensors).
    * Python ``float`` → float64 Tensor, ``int`` → int64 Tensor (bools → bool), NumPy scalars keep
      their dtype.
    * ``str`` / ``bytes`` stay a list.
    * Mappings, namedtuples and sequences are collated element-wise (tuples come back as lists,
      like torch).
    """
    if not isinstance(batch, collections.abc.Sequence) or isinstance(batch, (str, bytes)):
        batch = list(batch)
    if len(batch) == 0:
        raise IndexError("default_collate: received an empty batch")
    elem = batch[0]
    if is_tensor(elem):
        return _stack_tensors(batch)
    if isinstance(elem, np.ndarray):
        if _string_like_array(elem):
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        first = elem.shape
        for i, a in enumerate(batch):
            if np.shape(a) != first:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                    f"and {list(np.shape(a))} at entry {i}"
                )
        return to_tensor(np.stack(batch))
    if isinstance(elem, (str, bytes)):  # before NumPy scalars: np.str_ / np.bytes_ are strings too
        return list(batch)
    if isinstance(elem, np.generic):
        if _string_like_array(np.asarray(elem)):
            raise TypeError(_COLLATE_ERR.format(np.asarray(elem).dtype))
        return to_tensor(np.asarray(batch, dtype=elem.dtype))
    if isinstance(elem, float):
        return to_tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        # torch.tensor(batch): all bools -> bool, all ints -> int64, a float among them -> default float
        if all(isinstance(x, bool) for x in batch):
            return to_tensor(np.asarray(batch, dtype=np.bool_))
        if all(isinstance(x, int) for x in batch):
            return to_tensor(np.asarray(batch, dtype=np.int64))
        return to_tensor(np.asarray(batch, dtype=get_default_dtype().np))
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        return _rebuild(elem, collated)
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(x) != size for x in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # torch returns a list for tuples
        return _rebuild(elem, columns)
    raise TypeError(_COLLATE_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays/scalars (recursively in containers) to Tensors; leave the rest.

    Used by the DataLoader when automatic batching is disabled (``batch_size=None``).
    """
    if is_tensor(data):
        return data
    if isinstance(data, np.ndarray):
        return data if _string_like_array(data) else to_tensor(data)
    if isinstance(data, np.generic):
        arr = np.asarray(data)
        return data if _string_like_array(arr) else to_tensor(arr)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {key: default_convert(v) for key, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        return _rebuild(data, [default_convert(d) for d in data])
    return data


CollateFn = Callable[[Sequence[Any]], Any]
