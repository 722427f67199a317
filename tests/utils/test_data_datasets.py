"""Dataset classes: TensorDataset, ConcatDataset, Subset, ChainDataset, random_split."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402


def _xy(n=10):
    x = npgrad.from_numpy(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = npgrad.from_numpy(np.arange(n, dtype=np.int64))
    return x, y


def test_tensor_dataset_item_and_batched_fetch():
    x, y = _xy()
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    batch = ds.__getitems__([3, 0, 7])
    assert isinstance(batch, list) and len(batch) == 2
    assert batch[0].data.tolist() == [[6.0, 7.0], [0.0, 1.0], [14.0, 15.0]]
    assert batch[1].data.tolist() == [3, 0, 7] and batch[1].dtype == npgrad.int64
    assert ds.collated_getitems is True


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(npgrad.from_numpy(np.zeros(3)), npgrad.from_numpy(np.zeros(4)))


def test_tensor_dataset_accepts_numpy_arrays():
    ds = TensorDataset(np.arange(6).reshape(3, 2), np.array([1, 2, 3]))
    x, y = ds.__getitems__([2, 1])
    assert x.data.tolist() == [[4, 5], [2, 3]] and y.data.tolist() == [3, 2]


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


def test_concat_dataset_indexing_matches_torch():
    parts = [Squares(3), Squares(0), Squares(4)]
    ours = ConcatDataset(parts)
    theirs = tud.ConcatDataset([list(range(3)) and [i * i for i in range(3)], [], [i * i for i in range(4)]])
    assert len(ours) == len(theirs) == 7
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 3, 7]
    assert [ours[i] for i in range(7)] == [theirs[i] for i in range(7)]
    assert [ours[-i] for i in range(1, 8)] == [theirs[-i] for i in range(1, 8)]
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        ours[-8]
    with pytest.raises(IndexError):
        ours[7]
    assert (Squares(2) + Squares(1))[2] == 0


def test_concat_dataset_rejects_empty_and_iterable():
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])

    class It(IterableDataset):
        def __iter__(self):
            return iter([1])

    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([It()])


def test_chain_dataset():
    class Range(IterableDataset):
        def __init__(self, a, b):
            self.a, self.b = a, b

        def __iter__(self):
            return iter(range(self.a, self.b))

        def __len__(self):
            return self.b - self.a

    chained = Range(0, 3) + Range(10, 12)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 2, 10, 11] and len(chained) == 5


def test_subset_maps_indices_and_forwards_batched_fetch():
    x, y = _xy()
    sub = Subset(TensorDataset(x, y), [9, 2, 5])
    assert len(sub) == 3
    assert sub[0][1].item() == 9
    assert sub.collated_getitems
    xb, yb = sub.__getitems__([2, 0])
    assert yb.data.tolist() == [5, 9]
    plain = Subset(Squares(10), np.array([4, 1]))
    assert plain.collated_getitems is False
    assert plain.__getitems__([1, 0]) == [1, 16]


def test_random_split_integers_disjoint_and_seeded():
    ds = Squares(20)
    parts = random_split(ds, [5, 15], generator=npgrad.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [5, 15]
    all_idx = sorted(list(parts[0].indices) + list(parts[1].indices))
    assert all_idx == list(range(20))
    again = random_split(ds, [5, 15], generator=npgrad.Generator().manual_seed(1))
    assert again[0].indices == parts[0].indices
    other = random_split(ds, [5, 15], generator=npgrad.Generator().manual_seed(2))
    assert other[0].indices != parts[0].indices
    npgrad.manual_seed(4)
    g1 = random_split(ds, [10, 10])
    npgrad.manual_seed(4)
    g2 = random_split(ds, [10, 10])
    assert g1[0].indices == g2[0].indices


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 200), fracs=st.sampled_from([[0.5, 0.5], [0.7, 0.2, 0.1], [0.1] * 10, [1 / 3] * 3, [0.25, 0.75], [0.9, 0.1]]))
def test_random_split_fraction_lengths_match_torch(n, fracs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = random_split(Squares(n), fracs)
        theirs = tud.random_split(range(n), fracs)
    assert [len(p) for p in ours] == [len(p) for p in theirs]


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [-0.5, 1.5]], ids=["ints", "fractions-over", "negative"])
def test_random_split_errors_match_torch(lengths):
    with pytest.raises(ValueError) as theirs:
        tud.random_split(range(10), lengths)
    with pytest.raises(ValueError) as ours:
        random_split(Squares(10), lengths)
    assert str(ours.value) == str(theirs.value)


def test_random_split_warns_on_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Squares(1), [0.5, 0.5])


def test_base_dataset_getitem_not_implemented():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
