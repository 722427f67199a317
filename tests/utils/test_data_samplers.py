"""Samplers: deterministic ones against torch, random ones by their properties and seeds."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.utils.data import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402


def test_sequential_sampler_matches_torch():
    data = list(range(7))
    assert list(SequentialSampler(data)) == list(tud.SequentialSampler(data)) == list(range(7))
    assert len(SequentialSampler(data)) == 7


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), bs=st.integers(1, 13), drop_last=st.booleans())
def test_batch_sampler_matches_torch(n, bs, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)
    plain = [3, 1, 4, 1, 5, 9, 2, 6][: n % 9]  # any iterable of indices
    assert list(BatchSampler(plain, bs, drop_last)) == list(tud.BatchSampler(plain, bs, drop_last))


@pytest.mark.parametrize("bs", [0, -1, 1.5, True, "2"])
def test_batch_sampler_bad_batch_size_matches_torch(bs):
    with pytest.raises(ValueError) as theirs:
        tud.BatchSampler(range(3), bs, False)
    with pytest.raises(ValueError) as ours:
        BatchSampler(range(3), bs, False)
    assert str(ours.value) == str(theirs.value)


def test_batch_sampler_bad_drop_last_matches_torch():
    with pytest.raises(ValueError) as theirs:
        tud.BatchSampler(range(3), 2, 1)
    with pytest.raises(ValueError) as ours:
        BatchSampler(range(3), 2, 1)
    assert str(ours.value) == str(theirs.value)


def test_random_sampler_is_a_seeded_permutation():
    g = npgrad.Generator().manual_seed(3)
    first = list(RandomSampler(range(50), generator=g))
    assert sorted(first) == list(range(50)) and first != list(range(50))
    g2 = npgrad.Generator().manual_seed(3)
    assert list(RandomSampler(range(50), generator=g2)) == first
    s = RandomSampler(range(50), generator=g2)
    assert list(s) != list(s)  # a new order each epoch


def test_random_sampler_global_seed_reproducible():
    npgrad.manual_seed(11)
    a = list(RandomSampler(range(30)))
    npgrad.manual_seed(11)
    b = list(RandomSampler(range(30)))
    assert a == b and sorted(a) == list(range(30))


def test_random_sampler_num_samples_without_replacement_covers_whole_permutations():
    g = npgrad.Generator().manual_seed(0)
    out = list(RandomSampler(range(10), num_samples=25, generator=g))
    assert len(out) == 25
    assert sorted(out[:10]) == list(range(10)) and sorted(out[10:20]) == list(range(10))
    assert len(set(out[20:])) == 5
    assert len(RandomSampler(range(10), num_samples=25)) == 25


def test_random_sampler_with_replacement():
    g = npgrad.Generator().manual_seed(0)
    out = list(RandomSampler(range(5), replacement=True, num_samples=1000, generator=g))
    assert len(out) == 1000 and set(out) == set(range(5))
    counts = np.bincount(out, minlength=5)
    assert counts.min() > 150  # roughly uniform
    assert all(isinstance(i, int) for i in out[:5])


@pytest.mark.parametrize("kwargs", [{"replacement": 1}, {"num_samples": 0}, {"num_samples": -2}, {"num_samples": 2.5}])
def test_random_sampler_argument_errors_match_torch(kwargs):
    with pytest.raises(Exception) as theirs:
        tud.RandomSampler(range(4), **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        RandomSampler(range(4), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_subset_random_sampler():
    idx = [10, 20, 30, 40]
    g = npgrad.Generator().manual_seed(5)
    out = list(SubsetRandomSampler(idx, generator=g))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 4
    g = npgrad.Generator().manual_seed(5)
    assert list(SubsetRandomSampler(np.array(idx), generator=g)) == out


def test_weighted_random_sampler():
    g = npgrad.Generator().manual_seed(0)
    out = list(WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=g))
    counts = np.bincount(out, minlength=3)
    assert counts[0] == 0
    assert 0.2 < counts[1] / 4000 < 0.3  # expected 0.25
    no_rep = list(WeightedRandomSampler([1.0, 1.0, 1.0, 0.0], 3, replacement=False, generator=g))
    assert sorted(no_rep) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="without replacement"):
        list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False))
    assert len(WeightedRandomSampler([1.0, 2.0], 7)) == 7


@pytest.mark.parametrize(
    "args", [([1.0, 2.0], 0), ([1.0, 2.0], 2, 1), ([[1.0, 2.0]], 2)], ids=["num_samples", "replacement", "2d"]
)
def test_weighted_sampler_errors_match_torch(args):
    with pytest.raises(ValueError) as theirs:
        tud.WeightedRandomSampler(*args)
    with pytest.raises(ValueError) as ours:
        WeightedRandomSampler(*args)
    assert str(ours.value) == str(theirs.value)


def test_custom_sampler_subclass_works_in_batch_sampler():
    class Evens(Sampler[int]):
        def __iter__(self):
            return iter(range(0, 10, 2))

        def __len__(self):
            return 5

    assert list(BatchSampler(Evens(), 2, False)) == [[0, 2], [4, 6], [8]]
    assert len(BatchSampler(Evens(), 2, True)) == 2
