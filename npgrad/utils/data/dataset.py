"""Map-style and iterable datasets: ``Dataset``, ``TensorDataset``, ``ConcatDataset``, ``Subset``...

Batched fetch protocol
----------------------
A map-style dataset may implement ``__getitems__(indices)``. As in torch, the DataLoader then
calls it once per batch instead of ``__getitem__`` once per sample. When the dataset also reports
``collated_getitems == True``, ``__getitems__`` returns an *already-collated* batch (exactly what
``default_collate`` would have produced from the individual samples) and the DataLoader uses it
as is — this is the fast path used by ``TensorDataset`` and the vision datasets (one NumPy fancy
index per batch). Otherwise ``__getitems__`` must return a list of samples (torch's convention),
which is passed to ``collate_fn``.
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Any, Generic, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from ._tensors import generator_rng, index_array, is_tensor, take

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """An abstract map-style dataset: subclasses implement ``__getitem__`` (and usually ``__len__``)."""

    #: True when ``__getitems__`` returns an already-collated batch (see the module docstring).
    collated_getitems: bool = False

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream of samples: subclasses implement ``__iter__``.

    With ``num_workers > 0`` every worker iterates its own copy; use
    ``npgrad.utils.data.get_worker_info()`` inside ``__iter__`` to shard the stream.
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: "Dataset[T_co]") -> "ChainDataset":  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple]):
    """Samples are ``tuple(t[i] for t in tensors)``; every tensor shares the first dimension.

    Supports the batched fast path: ``__getitems__(indices)`` gathers a whole batch with one
    fancy index per tensor and returns ``[t[indices] for t in tensors]`` (what ``default_collate``
    would build from the samples).
    """

    collated_getitems = True

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        assert all(tensors[0].shape[0] == t.shape[0] for t in tensors), "Size mismatch between tensors"
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: Sequence[int]) -> list:
        idx = index_array(indices)
        return [take(t, idx) for t in self.tensors]

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])


class ConcatDataset(Dataset[T_co]):
    """The concatenation of several map-style datasets."""

    datasets: list
    cumulative_sizes: list

    @staticmethod
    def cumsum(sequence: Iterable[Dataset]) -> list:
        return list(itertools.accumulate(len(d) for d in sequence))  # type: ignore[arg-type]

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        assert len(self.datasets) > 0, "datasets should not be an empty iterable"
        for d in self.datasets:
            assert not isinstance(d, IterableDataset), "ConcatDataset does not support IterableDataset"
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def _locate(self, idx: int) -> tuple[int, int]:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which >= len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a dataset of length {len(self)}")
        offset = self.cumulative_sizes[which - 1] if which > 0 else 0
        return which, idx - offset

    def __getitem__(self, idx: int) -> T_co:
        which, sample_idx = self._locate(int(idx))
        return self.datasets[which][sample_idx]


class ChainDataset(IterableDataset):
    """Chains several iterable datasets one after the other (lazily)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            assert isinstance(d, IterableDataset), "ChainDataset only supports IterableDataset"
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            assert isinstance(d, IterableDataset), "ChainDataset only supports IterableDataset"
            total += len(d)  # type: ignore[arg-type]
        return total


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices`` (in that order)."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    @property
    def collated_getitems(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.dataset, "collated_getitems", False)) and callable(
            getattr(self.dataset, "__getitems__", None)
        )

    def _map(self, indices: Sequence[int]) -> list:
        if isinstance(self.indices, np.ndarray) or is_tensor(self.indices):
            return index_array(self.indices)[index_array(indices)].tolist()
        return [int(self.indices[int(i)]) for i in indices]

    def __getitem__(self, idx: Any) -> T_co:
        if isinstance(idx, list):
            return self.dataset[self._map(idx)]  # type: ignore[index]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: Sequence[int]) -> Any:
        mapped = self._map(indices)
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(mapped)
        return [self.dataset[i] for i in mapped]

    def __len__(self) -> int:
        return len(self.indices)


def _fraction_lengths(n: int, fractions: Sequence[float]) -> list[int]:
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
    sizes = [int(math.floor(n * frac)) for frac in fractions]
    for i in range(n - sum(sizes)):  # hand out the remainder round-robin
        sizes[i % len(sizes)] += 1
    for i, size in enumerate(sizes):
        if size == 0:
            warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.")
    return sizes


def random_split(dataset: Dataset[T_co], lengths: Sequence[int | float], generator: Any = None) -> list[Subset[T_co]]:
    """Randomly split ``dataset`` into non-overlapping ``Subset``s of the given lengths.

    ``lengths`` are either integers summing to ``len(dataset)`` or fractions summing to 1 (the
    floor of each share, the remainder given out round-robin, as torch does). ``generator`` (an
    ``npgrad.Generator``) makes the split reproducible; by default the global generator is used.
    """
    n = len(dataset)  # type: ignore[arg-type]
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _fraction_lengths(n, lengths)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    perm = generator_rng(generator).permutation(n).tolist()
    out: list[Subset[T_co]] = []
    start = 0
    for length in lengths:
        length = int(length)
        out.append(Subset(dataset, perm[start : start + length]))
        start += length
    return out
