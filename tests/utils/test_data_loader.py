"""DataLoader (main-thread loading): batching, shuffling, samplers, fast path, errors vs torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
)

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402


class Counting(Dataset):
    """(index, index * 0.5) samples; counts __getitem__ calls."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __getitem__(self, i):
        self.calls += 1
        return i, i * 0.5

    def __len__(self):
        return self.n


def _tensor_ds(n=10):
    x = npgrad.from_numpy(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = npgrad.from_numpy(np.arange(n, dtype=np.int64))
    return TensorDataset(x, y)


def test_batches_in_order_with_default_collate():
    batches = list(DataLoader(Counting(7), batch_size=3))
    assert len(batches) == 3
    idx, half = batches[0]
    assert idx.dtype == npgrad.int64 and idx.data.tolist() == [0, 1, 2]
    assert half.dtype == npgrad.float64 and half.data.tolist() == [0.0, 0.5, 1.0]
    assert batches[-1][0].data.tolist() == [6]


def test_matches_torch_dataloader_structure():
    data = [(np.full(2, i, np.float32), i, {"k": float(i)}) for i in range(5)]
    ours = list(DataLoader(data, batch_size=2))
    theirs = list(tud.DataLoader(data, batch_size=2))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is type(b) is list
        assert a[0].data.tolist() == b[0].tolist() and str(a[0].data.dtype) == str(b[0].numpy().dtype)
        assert a[1].data.tolist() == b[1].tolist() and a[1].dtype == npgrad.int64
        assert a[2]["k"].data.tolist() == b[2]["k"].tolist() and a[2]["k"].dtype == npgrad.float64


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 70), bs=st.integers(1, 16), drop_last=st.booleans())
def test_len_matches_torch(n, bs, drop_last):
    ours = DataLoader(Counting(n), batch_size=bs, drop_last=drop_last)
    theirs = tud.DataLoader(range(n), batch_size=bs, drop_last=drop_last)
    assert len(ours) == len(theirs) == len(list(ours))


def test_batch_size_none_yields_samples_converted():
    out = list(DataLoader([np.array([1, 2]), np.array([3, 4])], batch_size=None))
    assert [o.data.tolist() for o in out] == [[1, 2], [3, 4]]
    assert len(DataLoader(Counting(4), batch_size=None)) == 4


def test_shuffle_reproducible_with_global_seed_and_generator():
    ds = Counting(40)

    def order(loader):
        return [i for batch in loader for i in batch[0].data.tolist()]

    npgrad.manual_seed(123)
    a = order(DataLoader(ds, batch_size=8, shuffle=True))
    npgrad.manual_seed(123)
    b = order(DataLoader(ds, batch_size=8, shuffle=True))
    assert a == b and sorted(a) == list(range(40)) and a != list(range(40))
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=npgrad.Generator().manual_seed(5))
    c, d = order(loader), order(loader)
    assert c != d  # new permutation each epoch
    loader2 = DataLoader(ds, batch_size=8, shuffle=True, generator=npgrad.Generator().manual_seed(5))
    assert order(loader2) == c


def test_fast_path_uses_one_batched_fetch():
    class Batched(Counting):
        collated_getitems = True

        def __init__(self, n):
            super().__init__(n)
            self.batched_calls = []

        def __getitems__(self, indices):
            self.batched_calls.append(list(indices))
            arr = np.asarray(indices)
            return [npgrad.from_numpy(arr), npgrad.from_numpy(arr * 0.5)]

    ds = Batched(10)
    batches = list(DataLoader(ds, batch_size=4))
    assert ds.calls == 0 and ds.batched_calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[1][0].data.tolist() == [4, 5, 6, 7]
    # a custom collate_fn gets the per-sample list instead
    ds2 = Batched(4)
    out = list(DataLoader(ds2, batch_size=2, collate_fn=lambda samples: samples))
    assert out[0] == [(0, 0.0), (1, 0.5)] and ds2.calls == 4 and ds2.batched_calls == []


def test_tensor_dataset_fast_path_equals_per_sample_collation():
    ds = _tensor_ds(10)
    fast = list(DataLoader(ds, batch_size=4))
    slow = list(DataLoader(ds, batch_size=4, collate_fn=default_collate))  # same function: also fast
    per_sample = [default_collate([(ds.tensors[0].data[i], ds.tensors[1].data[i]) for i in range(s, min(s + 4, 10))])
                  for s in range(0, 10, 4)]
    for a, b, c in zip(fast, slow, per_sample):
        assert type(a) is list and len(a) == 2
        for k in range(2):
            assert a[k].data.tolist() == b[k].data.tolist() == c[k].data.tolist()
            assert a[k].dtype == c[k].dtype


def test_torch_style_getitems_list_is_collated():
    class TorchStyle(Counting):
        def __getitems__(self, indices):
            return [(i, i * 0.5) for i in indices]

    ds = TorchStyle(5)
    first = next(iter(DataLoader(ds, batch_size=5)))
    assert first[0].data.tolist() == [0, 1, 2, 3, 4] and ds.calls == 0


def test_subset_of_tensor_dataset_keeps_fast_path():
    sub = Subset(_tensor_ds(10), [9, 8, 7, 1])
    xb, yb = next(iter(DataLoader(sub, batch_size=4)))
    assert yb.data.tolist() == [9, 8, 7, 1] and xb.data[0].tolist() == [27.0, 28.0, 29.0]


def test_custom_sampler_and_batch_sampler():
    ds = Counting(6)
    out = [b[0].data.tolist() for b in DataLoader(ds, batch_size=2, sampler=[5, 3, 1])]
    assert out == [[5, 3], [1]]
    bs = BatchSampler(SequentialSampler(range(6)), 4, drop_last=True)
    loader = DataLoader(ds, batch_sampler=bs)
    assert [b[0].data.tolist() for b in loader] == [[0, 1, 2, 3]] and len(loader) == 1
    assert loader.batch_size is None and loader.drop_last is False


def test_drop_last():
    loader = DataLoader(Counting(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b[0]) for b in loader] == [4, 4]


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def test_iterable_dataset_batches():
    out = [b.data.tolist() for b in DataLoader(Stream(7), batch_size=3)]
    assert out == [[0, 1, 2], [3, 4, 5], [6]]
    out = [b.data.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)]
    assert out == [[0, 1, 2], [3, 4, 5]]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]  # ints stay ints, like torch
    with pytest.raises(TypeError):
        len(DataLoader(Stream(3), batch_size=2))

    class Sized(Stream):
        def __len__(self):
            return self.n

    assert len(DataLoader(Sized(7), batch_size=3)) == math.ceil(7 / 3)
    assert len(DataLoader(Sized(7), batch_size=3, drop_last=True)) == 2


BAD_ARGS = [
    ({"batch_sampler": [[0, 1]], "batch_size": 2}, "map"),
    ({"batch_sampler": [[0, 1]], "shuffle": True}, "map"),
    ({"batch_sampler": [[0, 1]], "drop_last": True}, "map"),
    ({"sampler": [0, 1], "shuffle": True}, "map"),
    ({"batch_size": None, "drop_last": True}, "map"),
    ({"num_workers": -1}, "map"),
    ({"timeout": -1}, "map"),
    ({"prefetch_factor": 2}, "map"),
    ({"persistent_workers": True}, "map"),
    ({"shuffle": True}, "iterable"),
    ({"sampler": [0]}, "iterable"),
    ({"batch_sampler": [[0]]}, "iterable"),
]


@pytest.mark.parametrize("kwargs,kind", BAD_ARGS, ids=[str(k) for k, _ in BAD_ARGS])
def test_argument_errors_match_torch(kwargs, kind):
    if kind == "map":
        ours_ds, theirs_ds = Counting(4), list(range(4))
    else:
        ours_ds = Stream(4)

        class TorchStream(tud.IterableDataset):
            def __iter__(self):
                return iter(range(4))

        theirs_ds = TorchStream()
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(theirs_ds, **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(ours_ds, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_attributes_frozen_after_init_like_torch():
    loader = DataLoader(Counting(4), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        loader.batch_size = 3
    loader.num_workers = 0  # other attributes stay writable


def test_pin_memory_accepted():
    loader = DataLoader(Counting(4), batch_size=2, pin_memory=True, pin_memory_device="cpu")
    assert len(list(loader)) == 2


def test_dataset_exception_propagates_in_main_thread():
    class Bad(Counting):
        def __getitem__(self, i):
            if i == 2:
                raise KeyError("missing sample 2")
            return i

    with pytest.raises(KeyError, match="missing sample 2"):
        list(DataLoader(Bad(4), batch_size=2))
