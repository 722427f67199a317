"""Statistics and order statistics against torch: var/std, median, mode, kthvalue, quantile, sort, topk."""
import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad

sys.path.insert(0, os.path.dirname(__file__))
from _compare_ri import assert_same, compare, hessian_compare, rand, raises_like  # noqa: E402

shapes = st.lists(st.integers(1, 5), min_size=0, max_size=3).map(tuple)
nonscalar = st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)
seeds = st.integers(0, 2**31 - 1)
float_dtypes = st.sampled_from([np.float64, np.float32])
FAST = settings(max_examples=20, deadline=None)


def _dim(data, ndim):
    return data.draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))


@FAST
@given(shape=nonscalar, seed=seeds, dt=float_dtypes, keepdim=st.booleans(), data=st.data())
def test_var_std_corrections(shape, seed, dt, keepdim, data):
    d = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    a = rand(shape, seed, dt)
    n = a.size if d is None else a.shape[d]
    corr = data.draw(st.sampled_from([0, 0.5] + ([1, 2] if n > 2 else [])))
    for fn in ("var", "std"):
        compare(lambda L, x: getattr(x, fn)(d, keepdim=keepdim, correction=corr), a)
        compare(lambda L, x: getattr(L, fn + "_mean")(x, d, keepdim=keepdim, correction=corr), a)
    if n > 1:
        compare(lambda L, x: x.var(d, True, keepdim), a)
        compare(lambda L, x: x.std(d, unbiased=False, keepdim=keepdim), a)
        compare(lambda L, x: L.std(x, dim=d, keepdim=keepdim), a)


def test_var_std_special_cases():
    compare(lambda L, x: x.std(), np.ones(3))  # zero variance: torch's gradient is 0, not NaN
    compare(lambda L, x: x.std(0), np.ones((3, 2)))
    compare(lambda L, x: x.var(False), np.array([1.0, 2.0, 4.0]))
    with pytest.warns(UserWarning):
        compare(lambda L, x: x.var(), np.array([1.5]), grad=False)
    compare(lambda L, x: x.std(correction=0), np.array(2.0))
    raises_like(lambda L, x: x.var(unbiased=True, correction=1), np.ones(3), same_msg=False)
    raises_like(lambda L, x: x.std(), np.array([1, 2]))
    hessian_compare(lambda L, x: x.std(0).sum() * x.var(1).sum(), rand((3, 4), 2))
    assert npgrad.autograd.gradcheck(lambda t: t.std(1, correction=0), (npgrad.tensor(rand((2, 4), 1), requires_grad=True),))


@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, keepdim=st.booleans(), data=st.data())
def test_median_kthvalue_mode(shape, seed, dt, keepdim, data):
    d = _dim(data, len(shape))
    a = rand(shape, seed, dt, distinct=True)
    n = a.shape[d] if a.ndim else 1
    compare(lambda L, x: x.median(d, keepdim), a)
    k = data.draw(st.integers(1, n))
    compare(lambda L, x: L.kthvalue(x, k, d, keepdim), a)
    compare(lambda L, x: x.median(), a)
    # mode: repeated small integers, so there are ties in counts and values
    m = np.asarray(np.random.default_rng(seed).integers(0, 3, shape), dtype=dt)
    compare(lambda L, x: x.mode(d, keepdim), m)


def test_median_mode_ties_and_nan():
    compare(lambda L, x: x.median(), np.array([1.0, 2.0, 2.0, 2.0, 3.0]))  # gradient split among ties
    compare(lambda L, x: x.median(0), np.array([1.0, 2.0, 2.0, 2.0, 3.0]))
    compare(lambda L, x: x.median(0), np.array([2.0, 1.0, 2.0, 3.0, 2.0]))
    compare(lambda L, x: x.median(0), np.array([2.0, 1.0, np.nan, 3.0, np.nan]), grad=False)
    compare(lambda L, x: x.median(), np.array([2.0, 1.0, np.nan]), grad=False)
    compare(lambda L, x: L.kthvalue(x, 4), np.array([2.0, 1.0, np.nan, 3.0, np.nan]), grad=False)
    compare(lambda L, x: x.mode(), np.array([3.0, 1.0, 3.0, 1.0, 3.0]))
    compare(lambda L, x: x.mode(), np.array([[1.0, 3.0, 1.0, 3.0, 2.0], [5.0, 5.0, 4.0, 4.0, 4.0]]))
    compare(lambda L, x: x.mode(0, True), np.array([2.0, 1.0, np.nan, 3.0, np.nan]), grad=False)
    compare(lambda L, x: x.median(), np.array([[4, 1], [3, 2]]), grad=False)
    raises_like(lambda L, x: L.kthvalue(x, 3), np.array([1.0, 2.0]))
    raises_like(lambda L, x: L.kthvalue(x, 0), np.array([1.0, 2.0]))


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@FAST
@given(shape=nonscalar, seed=seeds, dt=float_dtypes, keepdim=st.booleans(), data=st.data())
def test_quantile(interpolation, shape, seed, dt, keepdim, data):
    d = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    a = rand(shape, seed, dt, distinct=True)
    qs = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.125, 0.25, 0.3, 0.5, 0.625, 0.9, 1.0]),
                                     min_size=1, max_size=3)), dtype=dt)
    compare(lambda L, x, q: x.quantile(q, d, keepdim, interpolation=interpolation), a, qs, grad=True)
    compare(lambda L, x: L.quantile(x, float(qs[0]), dim=d, keepdim=keepdim, interpolation=interpolation), a)
    compare(lambda L, x, q: x.quantile(q, d, keepdim, interpolation=interpolation), a, qs[0].reshape(()))


def test_quantile_nan_and_errors():
    a = np.array([[2.0, 1.0, np.nan, 3.0], [1.0, 4.0, 2.0, 0.5], [np.nan] * 4, [np.nan, 1.0, np.nan, np.nan]])
    for interpolation in ("linear", "lower", "higher", "midpoint", "nearest"):
        for fn in ("quantile", "nanquantile"):
            compare(lambda L, x: getattr(L, fn)(x, 0.4, dim=1, interpolation=interpolation), a)
            compare(lambda L, x, q: getattr(L, fn)(x, q, 1, True, interpolation=interpolation), a, np.array([0.0, 0.7]))
            compare(lambda L, x: getattr(L, fn)(x, 0.3, interpolation=interpolation), a)
    compare(lambda L, x: L.msort(x), a)
    raises_like(lambda L, x: x.quantile(0.5), np.array([1, 2]))
    raises_like(lambda L, x: x.quantile(1.5), np.array([1.0, 2.0]))
    raises_like(lambda L, x: x.quantile(0.5), np.zeros(0))
    raises_like(lambda L, x: x.quantile(0.5, interpolation="bad"), np.array([1.0, 2.0]))
    raises_like(lambda L, x, q: x.quantile(q), np.array([1.0, 2.0]), np.array([0.5, 2.0]))
    raises_like(lambda L, x, q: x.quantile(q), np.array([1.0, 2.0]), np.array([[0.5]]))
    raises_like(lambda L, x, q: x.quantile(q), np.array([1.0, 2.0]), np.array([0.5], np.float32))


@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, desc=st.booleans(), data=st.data())
def test_sort_argsort(shape, seed, dt, desc, data):
    d = _dim(data, len(shape))
    a = rand(shape, seed, dt, distinct=True)
    compare(lambda L, x: x.sort(d, desc), a)
    compare(lambda L, x: L.argsort(x, d, desc), a)
    ties = np.asarray(np.random.default_rng(seed).integers(0, 3, shape), dtype=dt)
    compare(lambda L, x: L.sort(x, dim=d, descending=desc, stable=True), ties)  # stable: ties keep index order


def test_sort_nan_bool_and_empty():
    a = np.array([2.0, 1.0, np.nan, 3.0, np.nan])
    compare(lambda L, x: x.sort(), a, grad=False)
    compare(lambda L, x: x.sort(descending=True), a, grad=False)
    compare(lambda L, x: x.sort(), np.array([True, False, True]), grad=False)
    compare(lambda L, x: x.sort(), np.zeros(0))
    compare(lambda L, x: x.sort(0), np.array(3.0))


@FAST
@given(shape=nonscalar, seed=seeds, dt=float_dtypes, largest=st.booleans(), data=st.data())
def test_topk(shape, seed, dt, largest, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = rand(shape, seed, dt, distinct=True)
    k = data.draw(st.integers(0, a.shape[d]))
    compare(lambda L, x: x.topk(k, d, largest), a)
    ours = npgrad.tensor(a).topk(k, d, largest, sorted=False)
    ref = torch.tensor(a).topk(k, d, largest, sorted=False)
    assert_same(ours.values.sort(d).values, ref.values.sort(d).values)
    np.testing.assert_array_equal(np.take_along_axis(a, ours.indices.numpy(), d), ours.values.numpy())


def test_topk_nan_ints_and_errors():
    a = np.array([2.0, 1.0, np.nan, 3.0, np.nan])
    compare(lambda L, x: x.topk(2), a, grad=False)
    compare(lambda L, x: x.topk(2, largest=False), a, grad=False)
    compare(lambda L, x: x.topk(2), np.array([1, 5, 3]), grad=False)
    compare(lambda L, x: x.topk(1), np.array(3.0))
    raises_like(lambda L, x: x.topk(4), np.array([1.0, 2.0, 3.0]))
    raises_like(lambda L, x: x.topk(1), np.array([True, False]))


def test_aminmax_and_gradcheck():
    a = rand((3, 4), 9, distinct=True)
    compare(lambda L, x: L.aminmax(x), a)
    compare(lambda L, x: L.aminmax(x, dim=1, keepdim=True), a)
    compare(lambda L, x: L.aminmax(x, dim=-2), a)
    x = npgrad.tensor(rand((3, 4), 4), requires_grad=True)
    for f in (lambda t: t.median(1).values, lambda t: t.sort(0).values, lambda t: t.topk(2).values,
              lambda t: t.quantile(npgrad.tensor([0.3, 0.8], dtype=npgrad.float64), 1),
              lambda t: npgrad.kthvalue(t, 2, 0).values, lambda t: npgrad.cummax(t, 1).values):
        assert npgrad.autograd.gradcheck(f, (x,))
    hessian_compare(lambda L, x: (x.sort(1).values ** 3 * L.arange(4.0, dtype=L.float64)).sum(), rand((3, 4), 8))
