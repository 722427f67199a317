"""``DataLoader``: batches, shuffling, samplers and background workers over a dataset.

Mirrors ``torch.utils.data.DataLoader``'s signature and rules. ``num_workers > 0`` runs that
many background *threads* (NumPy releases the GIL in its heavy loops, and threads need no
pickling); each prefetches ``prefetch_factor`` batches, results come back in order, and an
exception raised in a worker is re-raised in the main thread with the worker's traceback text.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Generic, Iterable, Iterator, Sequence, TypeVar

from ._fetch import IterableFetcher, MapFetcher
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

T_co = TypeVar("T_co", covariant=True)

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class _InfiniteConstantSampler(Sampler[None]):
    """The sampler of an IterableDataset: ``None`` forever (the dataset decides what comes next)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in (optionally shuffled) mini-batches.

    Args:
        dataset: a map-style ``Dataset`` or an ``IterableDataset``.
        batch_size: samples per batch; ``None`` disables automatic batching.
        shuffle: reshuffle every epoch (``RandomSampler``); the order comes from ``generator``
            or, without one, from the global npgrad generator (``npgrad.manual_seed``).
        sampler / batch_sampler: custom index strategies (mutually exclusive with the options
            they replace, as in torch).
        num_workers: background worker threads (0: load in the main thread).
        collate_fn: merges a list of samples into a batch (default ``default_collate``). Datasets
            with a collated ``__getitems__`` (``TensorDataset``, vision datasets) skip it: a batch
            is one fancy index.
        pin_memory / pin_memory_device: accepted for compatibility; no effect on the CPU.
        drop_last: drop the last incomplete batch.
        timeout: seconds to wait for a worker's batch before raising (0: forever).
        worker_init_fn: called with the worker id in each worker before loading.
        multiprocessing_context: accepted for compatibility (workers are threads).
        generator: ``npgrad.Generator`` for the shuffle order and the workers' base seed.
        prefetch_factor: batches loaded in advance per worker (default 2 with workers).
        persistent_workers: keep the workers alive between epochs.
        in_order: yield batches in sampler order (``False``: as soon as they are ready).
    """

    def __init__(self, dataset: Dataset[T_co] | Iterable[T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler[Sequence] | Iterable[Sequence] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to "
                "enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                f"but got num_workers={num_workers}"
            )

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator: Any = None
        self.__initialized = True

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__dict__.get("_DataLoader__initialized", False) and attr in _FROZEN:
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def _fetcher_factory(self) -> Callable[[], Any]:
        """A zero-argument fetcher factory that holds no reference to the loader (worker threads
        keep it, and must not keep a persistent loader alive)."""
        cls = IterableFetcher if self._iterable else MapFetcher
        return functools.partial(cls, self.dataset, self._auto_collation, self.collate_fn, self.drop_last)

    def _make_fetcher(self) -> Any:
        return self._fetcher_factory()()

    def _get_iterator(self) -> "_SingleThreadIter | Any":
        if self.num_workers == 0:
            return _SingleThreadIter(self)
        from ._multi import MultiWorkerIter

        return MultiWorkerIter(self)

    def __iter__(self) -> Iterator[Any]:
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator.reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                rounding = math.floor if self.drop_last else math.ceil
                length = int(rounding(length / self.batch_size))
            return length
        return len(self._index_sampler)


class _SingleThreadIter:
    """Loads every batch in the calling thread (``num_workers=0``)."""

    def __init__(self, loader: DataLoader) -> None:
        self._sampler_iter = iter(loader._index_sampler)
        self._fetcher = loader._make_fetcher()
        self._len = loader.__len__ if not loader._iterable or hasattr(loader.dataset, "__len__") else None

    def __iter__(self) -> "_SingleThreadIter":
        return self

    def __next__(self) -> Any:
        index = next(self._sampler_iter)
        return self._fetcher.fetch(index)

    def __len__(self) -> int:
        if self._len is None:
            raise TypeError("this DataLoader's IterableDataset has no len()")
        return self._len()
