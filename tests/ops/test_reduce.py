"""Reductions, scans and softmax against torch: values, dtypes, shapes, gradients, double backward, errors."""
import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad

sys.path.insert(0, os.path.dirname(__file__))
from _compare_ri import compare, hessian_compare, rand, raises_like  # noqa: E402

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)
seeds = st.integers(0, 2**31 - 1)
float_dtypes = st.sampled_from([np.float64, np.float32])
FAST = settings(max_examples=20, deadline=None)


@st.composite
def dims(draw, ndim, allow_none=True, allow_tuple=True):
    """None, an int in [-ndim, ndim) (0/-1 for 0-d), or a tuple of distinct (possibly negative) dims."""
    n = max(ndim, 1)
    kinds = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple and ndim else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes)


MULTI_DIM_OPS = {
    "sum": lambda L, x, d, k: L.sum(x, dim=d, keepdim=k) if d is not None else L.sum(x),
    "mean": lambda L, x, d, k: x.mean(dim=d, keepdim=k) if d is not None else x.mean(),
    "nansum": lambda L, x, d, k: L.nansum(x, dim=d, keepdim=k) if d is not None else L.nansum(x),
    "nanmean": lambda L, x, d, k: L.nanmean(x, dim=d, keepdim=k) if d is not None else L.nanmean(x),
    "amax": lambda L, x, d, k: x.amax(dim=() if d is None else d, keepdim=k),
    "amin": lambda L, x, d, k: L.amin(x, dim=() if d is None else d, keepdim=k),
    "logsumexp": lambda L, x, d, k: L.logsumexp(x, (tuple(range(x.ndim)) or 0) if d is None else d, keepdim=k),
    "var": lambda L, x, d, k: x.var(dim=d, keepdim=k, unbiased=False),
    "std": lambda L, x, d, k: x.std(dim=d, keepdim=k, correction=0.5),
}


@pytest.mark.parametrize("name", sorted(MULTI_DIM_OPS))
@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, keepdim=st.booleans(), data=st.data())
def test_multi_dim_reductions(name, shape, seed, dt, keepdim, data):
    d = data.draw(dims(len(shape)))
    a = rand(shape, seed, dt)
    if name.startswith("nan") and a.size > 1:
        a.reshape(-1)[::3] = np.nan
    compare(lambda L, x: MULTI_DIM_OPS[name](L, x, d, keepdim), a, seed=seed)


@FAST
@given(shape=shapes, seed=seeds, data=st.data(), keepdim=st.booleans())
def test_prod_with_zeros(shape, seed, data, keepdim):
    d = data.draw(dims(len(shape), allow_tuple=False))
    a = rand(shape, seed)
    n_zero = data.draw(st.integers(0, 2))
    if a.size:
        a.reshape(-1)[np.random.default_rng(seed).integers(0, a.size, n_zero)] = 0.0
    compare(lambda L, x: L.prod(x, d, keepdim) if d is not None else L.prod(x), a)


def test_prod_gradient_one_and_two_zeros():
    for row in ([3.0, 0.0, 2.0], [3.0, 0.0, 0.0], [0.0, 4.0, 5.0]):
        compare(lambda L, x: x.prod(), np.array(row))
        compare(lambda L, x: x.prod(1), np.array([row, [1.0, 2.0, 3.0]]))


@pytest.mark.parametrize("is_max", [True, False])
@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, keepdim=st.booleans(), data=st.data())
def test_max_min_with_dim(is_max, shape, seed, dt, keepdim, data):
    d = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    a = rand(shape, seed, dt, distinct=True)
    out, _ = compare(lambda L, x: (L.max if is_max else L.min)(x, d, keepdim), a)
    assert type(out).__name__ == ("max" if is_max else "min")
    values, indices = out
    assert out.values is values and out.indices is indices


def test_max_ties_gradient_rules():
    a = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])
    compare(lambda L, x: x.max(), a)  # evenly split among ties
    compare(lambda L, x: x.amax(1), a)
    compare(lambda L, x: L.amin(x, 0, keepdim=True), a)
    compare(lambda L, x: L.min(x), a)
    compare(lambda L, x: x.max(1), a)  # index rule: the first maximum gets the whole gradient
    compare(lambda L, x: x.min(dim=1, keepdim=True), a)
    compare(lambda L, x, y: L.max(x, y), a, np.array([2.0, 1.0, 5.0]))
    compare(lambda L, x, y: L.min(x, y), a, np.array([2.0, 1.0, 5.0]))


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@FAST
@given(shape=shapes, seed=seeds, keepdim=st.booleans(), data=st.data())
def test_argmax_argmin(fn, shape, seed, keepdim, data):
    d = data.draw(dims(len(shape), allow_tuple=False))
    a = rand(shape, seed, distinct=True)
    compare(lambda L, x: getattr(L, fn)(x, d, keepdim), a)
    compare(lambda L, x: getattr(x, fn)(), np.array([1.0, 5.0, 5.0, -1.0, -1.0]))


@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "bool", "float16"])
def test_integer_and_bool_dtypes(dt):
    a = np.array([[1, 0, 3], [2, 1, 1]]).astype(dt)
    for f in (lambda L, x: x.sum(), lambda L, x: x.sum(1, keepdim=True), lambda L, x: x.prod(0),
              lambda L, x: x.cumsum(1), lambda L, x: L.cumprod(x, 0), lambda L, x: x.all(1), lambda L, x: x.any(),
              lambda L, x: L.count_nonzero(x, 0), lambda L, x: L.nansum(x), lambda L, x: x.amax(0), lambda L, x: x.max(1),
              lambda L, x: L.all(x, ())):
        compare(f, a, grad=False, rtol=1e-3)
    if dt == "bool":
        raises_like(lambda L, x: x.argmin(), a)
    else:
        compare(lambda L, x: x.argmax(1), a, grad=False)
    compare(lambda L, x: x.sum(dtype=L.float64), a, grad=False)
    compare(lambda L, x: x.mean(1, dtype=L.float32), a.astype(np.int64), grad=False)
    compare(lambda L, x: x.cumsum(0, dtype=L.float64), a.astype(np.int64), grad=False)


def test_mean_of_integers_raises_like_torch():
    raises_like(lambda L, x: x.mean(), np.array([1, 2]))
    raises_like(lambda L, x: x.mean(), np.array([True]))
    raises_like(lambda L, x: x.var(), np.array([1, 2]))
    raises_like(lambda L, x: L.nanmean(x), np.array([1, 2]))


def test_empty_reductions():
    e = np.zeros((0,))
    for f in (lambda L, x: x.sum(), lambda L, x: x.prod(), lambda L, x: x.mean(), lambda L, x: L.logsumexp(x, 0),
              lambda L, x: x.cumsum(0), lambda L, x: x.softmax(0), lambda L, x: x.all(), lambda L, x: x.any()):
        compare(f, e)
    e2 = np.zeros((2, 0))
    compare(lambda L, x: x.sum(1), e2)
    compare(lambda L, x: x.amax(0), e2)
    compare(lambda L, x: x.max(0), e2)
    compare(lambda L, x: L.logsumexp(x, 1), e2)
    for f in (lambda L, x: x.max(), lambda L, x: x.min(), lambda L, x: x.amax(), lambda L, x: x.argmax()):
        raises_like(f, e)
    for f in (lambda L, x: x.max(1), lambda L, x: x.amax(1), lambda L, x: x.argmin(1), lambda L, x: x.median(1),
              lambda L, x: x.mode(1), lambda L, x: L.kthvalue(x, 1, 1)):
        raises_like(f, e2)


def test_zero_dim_tensor_reductions():
    a = np.array(2.5)
    for f in (lambda L, x: x.sum(0), lambda L, x: x.sum(-1, keepdim=True), lambda L, x: x.mean(0),
              lambda L, x: x.prod(0), lambda L, x: x.max(0), lambda L, x: x.min(-1, True), lambda L, x: x.amax(0),
              lambda L, x: x.argmax(0), lambda L, x: x.cumsum(0), lambda L, x: x.cumprod(-1),
              lambda L, x: x.softmax(0), lambda L, x: x.log_softmax(-1), lambda L, x: L.logsumexp(x, 0),
              lambda L, x: L.cummax(x, 0), lambda L, x: x.std(0, correction=0), lambda L, x: x.all(0)):
        compare(f, a)


def test_bad_dims_raise_index_error():
    a = np.zeros((2, 3))
    for f in (lambda L, x: x.sum(2), lambda L, x: x.mean(-3), lambda L, x: x.max(5), lambda L, x: x.amax(2),
              lambda L, x: x.argmax(2), lambda L, x: x.cumsum(2), lambda L, x: x.softmax(-3),
              lambda L, x: L.logsumexp(x, 4), lambda L, x: x.var(3)):
        raises_like(f, a)
    raises_like(lambda L, x: x.sum((0, 0)), a, same_msg=False)
    raises_like(lambda L, x: x.amax((1, -1)), a, same_msg=False)


@FAST
@given(shape=shapes.filter(lambda s: len(s) > 0), seed=seeds, dt=float_dtypes, data=st.data())
def test_scans(shape, seed, dt, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = rand(shape, seed, dt)
    compare(lambda L, x: x.cumsum(d), a)
    compare(lambda L, x: L.cummax(x, d), rand(shape, seed, dt, distinct=True))
    compare(lambda L, x: L.cummin(x, d), rand(shape, seed, dt, distinct=True))
    if data.draw(st.booleans()) and a.size:
        a.reshape(-1)[np.random.default_rng(seed).integers(0, a.size, 2)] = 0.0
    compare(lambda L, x: L.cumprod(x, d), a)


def test_cumprod_zero_gradients_and_double_backward():
    for row in ([3.0, 0.0, 2.0, 0.0, 5.0], [0.0, 2.0, 3.0], [2.0, 3.0, 0.0], [0.0, 0.0, 1.5]):
        compare(lambda L, x: L.cumprod(x, 0), np.array(row))
        hessian_compare(lambda L, x: (L.cumprod(x, 0) * L.arange(1.0, len(row) + 1, dtype=L.float64)).sum(),
                        np.array(row))
    hessian_compare(lambda L, x: x.prod(1).sum(), np.array([[3.0, 0.0, 2.0], [0.5, 1.5, -2.0]]))


def test_cummax_cummin_ties_and_nan():
    compare(lambda L, x: L.cummax(x, 0), np.array([3.0, 1.0, 3.0, 1.0, 3.0]))
    compare(lambda L, x: L.cummin(x, 0), np.array([3.0, 1.0, 3.0, 1.0, 3.0]))
    compare(lambda L, x: L.cummin(x, 0), np.array([2.0, 1.0, np.nan, 3.0, np.nan]), grad=False)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, data=st.data())
def test_softmax_family(fn, shape, seed, dt, data):
    d = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    a = np.asarray(rand(shape, seed, dt) * 30)  # large logits: needs the max shift
    compare(lambda L, x: getattr(x, fn)(d), a)
    compare(lambda L, x: getattr(L, fn)(x, d, dtype=L.float64), a)


def test_softmax_stability_and_int_input():
    compare(lambda L, x: x.softmax(0), np.array([1000.0, 1001.0, -1000.0]))
    compare(lambda L, x: x.log_softmax(0), np.array([1000.0, 1001.0, -1000.0]))
    compare(lambda L, x: x.softmax(0), np.array([-np.inf, 1.0]))
    compare(lambda L, x: L.logsumexp(x, 0), np.array([np.inf, 1.0]), grad=False)
    compare(lambda L, x: L.logsumexp(x, 0), np.array([-np.inf, -np.inf]))
    compare(lambda L, x: L.logsumexp(x, 0), np.array([1, 2]), grad=False)
    raises_like(lambda L, x: x.softmax(0), np.array([1, 2]))
    compare(lambda L, x: x.softmax(0, dtype=L.float64), np.array([1, 2]), grad=False)


def test_double_backward_softmax_logsumexp():
    a = rand((3, 4), 3)
    w = rand((3, 4), 4)
    hessian_compare(lambda L, x: L.logsumexp(x, 1).sum(), a)
    hessian_compare(lambda L, x: (x.softmax(1) * L.tensor(w)).sum(), a)
    hessian_compare(lambda L, x: (x.log_softmax(0) * L.tensor(w)).sum(), a)
    hessian_compare(lambda L, x: x.std(1).sum() + x.var() + (x.mean(0) ** 3).sum(), a)
    hessian_compare(lambda L, x: (x.cumsum(1) ** 2).sum(), a)


def test_gradcheck_sample():
    x = npgrad.tensor(rand((2, 3), 5), requires_grad=True)
    for f in (lambda t: t.prod(1), lambda t: npgrad.logsumexp(t, 0), lambda t: t.softmax(1), lambda t: t.log_softmax(0),
              lambda t: t.std(1), lambda t: t.cumprod(1), lambda t: t.amax(1), lambda t: t.var(0, keepdim=True)):
        assert npgrad.autograd.gradcheck(f, (x,))
    assert npgrad.autograd.gradgradcheck(lambda t: t.softmax(1), (x,))


def test_all_any_count_nonzero_dims():
    a = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0]])
    for f in (lambda L, x: x.all(), lambda L, x: x.any(1), lambda L, x: L.all(x, (0, 1)), lambda L, x: x.any(0, True),
              lambda L, x: L.count_nonzero(x), lambda L, x: L.count_nonzero(x, (0, 1)), lambda L, x: L.count_nonzero(x, -1)):
        compare(f, a, grad=False)
    compare(lambda L, x: x.all(), np.array([1, 2], dtype=np.uint8), grad=False)


def test_diff():
    a = rand((3, 5), 1)
    compare(lambda L, x: L.diff(x), a)
    compare(lambda L, x: L.diff(x, n=2, dim=0), a)
    compare(lambda L, x: L.diff(x, n=7), a)
    compare(lambda L, x, p, q: L.diff(x, 1, 1, p, q), a, rand((3, 1), 2), rand((3, 2), 3))
    compare(lambda L, x: L.diff(x), np.array([True, False, False]), grad=False)
    raises_like(lambda L, x: L.diff(x), np.array(1.0))
    raises_like(lambda L, x: L.diff(x, -1), a)


def test_return_type_and_module_exports():
    t = npgrad.tensor([[1.0, 5.0], [7.0, 2.0]])
    out = t.max(1)
    v, i = out
    assert out.values is v and out.indices is i and out[0] is v and len(out) == 2
    for name in ("sum", "max", "min", "all", "any", "logsumexp", "cumsum", "topk", "sort", "softmax"):
        assert getattr(npgrad, name) is getattr(npgrad.ops.reduce, name)
