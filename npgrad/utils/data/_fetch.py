"""Fetchers: turn one entry of the index sampler into one batch (or one sample)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from .collate import default_collate


class MapFetcher:
    """Fetch from a map-style dataset; uses the batched ``__getitems__`` fast path when offered."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        ds = self.dataset
        getitems = getattr(ds, "__getitems__", None)
        if callable(getitems):
            if getattr(ds, "collated_getitems", False):
                if self.collate_fn is default_collate:
                    return getitems(index)  # already a batch: one fancy index, no per-sample work
                data = [ds[i] for i in index]
            else:
                data = getitems(index)  # torch's convention: a list of samples
        else:
            data = [ds[i] for i in index]
        return self.collate_fn(data)


class IterableFetcher:
    """Fetch the next sample(s) from an iterable dataset; ``StopIteration`` marks its end."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Sequence[Any] | None) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:  # type: ignore[union-attr]
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):  # type: ignore[arg-type]
            raise StopIteration
        return self.collate_fn(data)
