"""Indexing ops against torch: x[key], x[key] = v, gather/scatter, index_*, masks, diagonals, searches."""
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

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)
seeds = st.integers(0, 2**31 - 1)
float_dtypes = st.sampled_from([np.float64, np.float32])
FAST = settings(max_examples=20, deadline=None)


# ----------------------------------------------------------------------------- x[key]
@st.composite
def basic_keys(draw, shape):
    """A tuple of ints / positive-step slices / None / one Ellipsis consuming at most ndim dims."""
    key, dim, used_ellipsis = [], 0, False
    while dim < len(shape) and draw(st.booleans()):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        n = shape[dim]
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
            dim += 1
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            key.append(slice(start, stop, draw(st.one_of(st.none(), st.integers(1, 3)))))
            dim += 1
        elif kind == "none":
            key.append(None)
        elif not used_ellipsis:
            key.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape)  # nothing may follow but None
    return tuple(key)


@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, data=st.data())
def test_basic_indexing_is_a_view(shape, seed, dt, data):
    key = data.draw(basic_keys(shape))
    a = rand(shape, seed, dt)
    compare(lambda L, x: (x * 2)[key], a)
    t = npgrad.tensor(a)
    v = t[key]
    if v.numel():
        assert np.shares_memory(v.numpy(), t.numpy())
    if v.numel():
        v0 = t._version
        t.add_(1.0)
        assert v._version == t._version == v0 + 1


@st.composite
def advanced_keys(draw, shape):
    """Integer arrays (with repeats and negatives; Tensor, list or ndarray), masks, mixed with slices/ints."""
    key = []
    kinds = draw(st.lists(st.sampled_from(["arr", "slice", "int", "mask"]), min_size=1, max_size=len(shape)))
    if "arr" not in kinds and "mask" not in kinds:
        kinds[0] = "arr"
    idx_shape = draw(st.sampled_from([(3,), (2, 2), (1,)]))
    dim = 0
    for kind in kinds:
        if dim >= len(shape):
            break
        n = shape[dim]
        if kind == "arr":
            arr = np.asarray(draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(idx_shape)),
                                           max_size=int(np.prod(idx_shape))))).reshape(idx_shape)
            wrap = draw(st.sampled_from(["tensor", "list", "ndarray"]))
            key.append(arr.tolist() if wrap == "list" else arr if wrap == "ndarray" else ("T", arr))
            dim += 1
        elif kind == "mask" and not any(isinstance(k, tuple) and k[0] == "M" for k in key):
            m = np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
            key.append(("M", m))
            dim += 1
        elif kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
            dim += 1
        else:
            key.append(slice(None, None, draw(st.integers(1, 2))))
            dim += 1
    return key


def _materialize(key, L):
    out = []
    for k in key:
        if isinstance(k, tuple) and k[0] == "T":
            out.append(L.tensor(k[1]))
        elif isinstance(k, tuple) and k[0] == "M":
            out.append(L.tensor(k[1]))
        else:
            out.append(k)
    return tuple(out)


@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, data=st.data())
def test_advanced_indexing_and_repeated_index_gradients(shape, seed, dt, data):
    key = data.draw(advanced_keys(shape))
    a = rand(shape, seed, dt)
    n_masks = sum(isinstance(k, tuple) and k[0] == "M" for k in key)
    n_arrays = sum(not isinstance(k, (int, slice)) for k in key)
    if n_masks and n_arrays > 1:  # a mask's nonzero count must broadcast against the other index arrays
        key = [slice(None) if isinstance(k, tuple) and k[0] == "M" else k for k in key]
    compare(lambda L, x: (x * 1)[_materialize(key, L)], a)


def test_indexing_special_cases():
    a = rand((2, 3, 4, 5), 0)
    for f in (lambda L, x: x[0, :, [0, 1]], lambda L, x: x[[0], :, 0], lambda L, x: x[:, [0, 1], :, [0, 1]],
              lambda L, x: x[[[0, 1]]], lambda L, x: x[[0, 1]], lambda L, x: x[L.tensor([True, False])],
              lambda L, x: x[..., [2, 2, 2]], lambda L, x: x[None, 1, ..., None, [0, 0]], lambda L, x: x[True],
              lambda L, x: x[False], lambda L, x: x[L.tensor(1)], lambda L, x: x[x > 0.5],
              lambda L, x: x[x[:, :, 0, 0] > 0], lambda L, x: x[[1, 0], [2, 2]], lambda L, x: x[1:, L.tensor([-1, 0])],
              lambda L, x: x[L.tensor([[0, 1]], dtype=L.int32), 1], lambda L, x: x[[]], lambda L, x: x[:0, [1]],
              lambda L, x: x[...], lambda L, x: x[:]):
        compare(f, a)
    s = rand((), 1)
    for f in (lambda L, x: x[None], lambda L, x: x[...], lambda L, x: x[L.tensor(True)]):
        compare(f, s)


def test_indexing_errors():
    a = rand((3, 4), 0)
    for f in (lambda L, x: x[5], lambda L, x: x[-4], lambda L, x: x[0, 9], lambda L, x: x[0, 0, 0],
              lambda L, x: x[L.tensor([5])], lambda L, x: x[L.tensor([-4])], lambda L, x: x[L.tensor([0.0])],
              lambda L, x: x[L.tensor([True, False])], lambda L, x: x[::-1], lambda L, x: x[:, ::0],
              lambda L, x: x[1.5], lambda L, x: x[[0, 1], [1, 2, 3]]):
        raises_like(f, a)
    for f in (lambda L, x: x[5], lambda L, x: x[L.tensor([-4])], lambda L, x: x[L.tensor([0.0])], lambda L, x: x[::-1],
              lambda L, x: x[L.tensor([True, False])], lambda L, x: x[[0, 1], [1, 2, 3]], lambda L, x: x[0, 0, 0]):
        raises_like(f, a)
    raises_like(lambda L, x: x[0], np.array(1.0))


def test_index_backward_is_differentiable():
    idx = [0, 2, 2, 1, 2]
    hessian_compare(lambda L, x: ((x[idx] ** 3).sum() + (x[:, [1, 1]] ** 2).sum()), rand((3, 2), 1))
    hessian_compare(lambda L, x: (x[x > 0] ** 3).sum() + (x[1:, 0] ** 3).sum(), rand((3, 2), 2))
    x = npgrad.tensor(rand((4, 3), 3), requires_grad=True)
    assert npgrad.autograd.gradcheck(lambda t: t[[0, 0, 3], 1:], (x,))
    assert npgrad.autograd.gradgradcheck(lambda t: t[[0, 0, 3]] ** 2, (x,))


def test_embedding_like_large_gather_backward():
    table, idx = rand((50, 8), 4), np.random.default_rng(0).integers(0, 50, (64, 3))
    compare(lambda L, w, i: w[i], table, idx)
    compare(lambda L, w, i: w[:, i[:, 0]], table.T.copy(), idx)
    compare(lambda L, w, i: w[i], table.astype(np.float32), idx)


# ----------------------------------------------------------------------------- x[key] = v
def _set(key, value_fn=None):
    def f(L, x, v=None):
        y = x * 1
        y[key(L) if callable(key) else key] = value_fn(L, v) if value_fn else v
        return y
    return f


def test_setitem_values_and_gradients():
    a, v = rand((4, 3), 0), rand((3,), 1)
    compare(_set(1), a, v)
    compare(_set((slice(None), 0)), a, rand((4,), 2))
    compare(_set(lambda L: L.tensor([0, 2])), a, v)  # broadcast value over the selected rows
    compare(_set(lambda L: L.tensor([True, False, True, False])), a, rand((2, 3), 3))
    compare(_set((slice(1, None), [0, 2])), a, rand((3, 2), 4))
    compare(_set((None, 0)), a, rand((1, 1, 3), 5))  # leading size-1 dims of the value are dropped
    compare(_set_scalar(lambda L, y: y > 0.5, 0.0), a)
    compare(_set_scalar(lambda L, y: (Ellipsis, 1), 7), a)
    # repeated indices: the gradient reaches every written position, like torch's index_put
    ours = npgrad.tensor(a)
    v6 = npgrad.tensor(rand((3, 3), 6), requires_grad=True)
    y = ours * 1
    y[npgrad.tensor([1, 1, 3])] = v6
    (g,) = npgrad.autograd.grad((y * npgrad.tensor(rand((4, 3), 7))).sum(), v6)
    ref = torch.tensor(rand((4, 3), 7))[[1, 1, 3]]
    np.testing.assert_allclose(g.numpy(), ref.numpy())


def _set_scalar(key_fn, value):
    def f(L, x):
        y = x * 1
        y[key_fn(L, y)] = value
        return y
    return f


def test_setitem_no_grad_in_place_semantics():
    t = npgrad.tensor(rand((3, 4), 0))
    ref = torch.tensor(rand((3, 4), 0))
    for key, val in ((0, 1.5), ((slice(None), 1), 2), ((1, 2), -1.0), (([0, 2], [1, 3]), 9.0)):
        v0 = t._version
        t[key] = val
        ref[key] = val
        assert t._version == v0 + 1
    assert_same(t, ref)
    view = t[1:]
    view[0, 0] = 100.0  # writes through the view into the base
    assert t[1, 0].item() == 100.0
    i = npgrad.tensor([[1, 2], [3, 4]])
    i[0] = 2.7  # float into int truncates like torch
    assert i.tolist() == [[2, 2], [3, 4]]


def test_setitem_errors():
    leaf = npgrad.tensor(rand((3,), 0), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf[0] = 1.0
    for key, val in ((0, torch.tensor([1.0, 2.0])), ([0, 1], torch.ones(3, 3)), ((slice(None), 0), torch.ones(2))):
        with pytest.raises(RuntimeError) as ref:
            torch.zeros(3, 4)[key] = val
        with pytest.raises(RuntimeError) as ours:
            npgrad.zeros(3, 4)[key] = npgrad.tensor(val.numpy())
        assert str(ours.value) == str(ref.value)
    with pytest.raises(TypeError):
        npgrad.zeros(3)[0] = [1.0]
    with pytest.raises(ValueError):
        npgrad.zeros(3)[::-1] = 1.0


def test_setitem_through_view_updates_base_history():
    a = npgrad.tensor(rand((3, 4), 0), requires_grad=True)
    b = a * 2
    b[1:][0, [0, 2]] = npgrad.tensor([5.0, 6.0])
    at = torch.tensor(rand((3, 4), 0), requires_grad=True)
    bt = at * 2
    bt[1:][0, [0, 2]] = torch.tensor([5.0, 6.0], dtype=torch.float64)
    assert_same(b, bt)
    (g,) = npgrad.autograd.grad(b.sum(), a)
    (gt,) = torch.autograd.grad(bt.sum(), at)
    assert_same(g, gt)


# ----------------------------------------------------------------------------- gather / scatter
@st.composite
def gather_case(draw):
    shape = draw(shapes)
    d = draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(draw(st.integers(1, 5)) if i == d % len(shape) else draw(st.integers(1, s))
                   for i, s in enumerate(shape))
    seed = draw(seeds)
    idx = np.random.default_rng(seed).integers(0, shape[d], ishape)
    return shape, d, idx, seed


@FAST
@given(case=gather_case(), dt=float_dtypes)
def test_gather_scatter_family(case, dt):
    shape, d, idx, seed = case
    a = rand(shape, seed, dt)
    src = rand(idx.shape, seed + 1, dt)
    compare(lambda L, x, i: L.gather(x, d, i), a, idx)
    sub = a[tuple(slice(None) if k == d % len(shape) else slice(0, s) for k, s in enumerate(idx.shape))]
    compare(lambda L, x, i: L.take_along_dim(x, i, d), np.ascontiguousarray(sub), idx)
    compare(lambda L, x, i, s: x.scatter_add(d, i, s), a, idx, src)
    big_src = rand(tuple(s + 1 for s in idx.shape), seed + 2, dt)  # src larger than index: only the front is read
    compare(lambda L, x, i, s: L.scatter_add(x, d, i, s), a, idx, big_src, grad=False)  # torch's grad fails here
    for mode in ("sum", "mean", "amax", "amin", "prod"):
        for inc in (True, False):
            compare(lambda L, x, i, s: L.scatter_reduce(x, d, i, s, mode, include_self=inc), a, idx, src)
    # scatter (overwrite): unique targets per position along d so the result is deterministic
    u = np.argsort(np.random.default_rng(seed).random(a.shape), axis=d)
    u = np.take(u, np.arange(min(idx.shape[d], a.shape[d])), axis=d)
    u = u[tuple(slice(0, min(s, t)) for s, t in zip(u.shape, idx.shape))]
    compare(lambda L, x, i, s: x.scatter(d, i, s), a, u, rand(u.shape, seed + 3, dt))
    compare(lambda L, x, i: L.scatter(x, d, i, value=2.5), a, u)


def test_scatter_reduce_ties_zeros_and_ints():
    x, i = np.array([1.0, 5.0, 2.0]), np.array([0, 0, 2, 2])
    for s in (np.array([5.0, 3.0, 2.0, 2.0]), np.array([0.0, 3.0, 0.0, 4.0]), np.array([1.0, 0.0, 2.0, 2.0])):
        for mode in ("amax", "amin", "prod", "mean", "sum"):
            for inc in (True, False):
                compare(lambda L, a, b, c: L.scatter_reduce(a, 0, b, c, mode, include_self=inc), x, i, s)
    compare(lambda L, a, b, c: L.scatter_reduce(a, 0, b, c, "mean"), np.array([1, 1, 1]), np.array([0, 0, 2]),
            np.array([2, 5, 5]), grad=False)
    compare(lambda L, a, b, c: a.scatter(0, b, c, reduce="multiply"), x, np.array([0, 2]), np.array([2.0, 3.0]),
            grad=False)
    compare(lambda L, a, b, c: a.scatter(0, b, c, reduce="add"), x, np.array([0, 0]), np.array([2.0, 3.0]), grad=False)


def test_gather_scatter_errors():
    x, i = np.zeros((3, 4)), np.array([[0, 1], [2, 3]])
    for f in (lambda L, a, b: a.gather(1, b.float()), lambda L, a, b: a.gather(1, b[0]),
              lambda L, a, b: a.gather(1, b + 4), lambda L, a, b: a.gather(1, b - 3),
              lambda L, a, b: a.gather(0, L.zeros(2, 5, dtype=L.int64)), lambda L, a, b: a.gather(2, b),
              lambda L, a, b: a.scatter(1, b, L.ones(1, 1)), lambda L, a, b: a.scatter(1, b, L.ones(2, 2).double().float()),
              lambda L, a, b: a.scatter(1, b + 3, 1.0), lambda L, a, b: a.scatter(1, b, 2.0, reduce="sum"),
              lambda L, a, b: L.scatter_reduce(a, 1, b, L.ones(2, 2, dtype=L.float64), "foo"),
              lambda L, a, b: L.take_along_dim(a, b[0], 1)):
        raises_like(f, x, i)
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        t = npgrad.tensor(x, requires_grad=True)
        t.scatter(1, npgrad.tensor(i), npgrad.ones(2, 2, dtype=npgrad.float64), reduce="add").sum().backward()


@FAST
@given(shape=shapes, seed=seeds, dt=float_dtypes, data=st.data())
def test_index_select_add_fill(shape, seed, dt, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[d]
    idx = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=0, max_size=5)), dtype=np.int64)
    a = rand(shape, seed, dt)
    compare(lambda L, x, i: x.index_select(d, i), a, idx)
    compare(lambda L, x, i: L.index_select(x, d, i.int()), a, idx)
    src_shape = tuple(len(idx) if k == d % len(shape) else s for k, s in enumerate(shape))
    src = rand(src_shape, seed + 1, dt)
    compare(lambda L, x, i, s: L.index_add(x, d, i, s, alpha=2.0), a, idx, src)
    compare(lambda L, x, i: L.index_fill(x, d, i, -1.5), a, idx)
    compare(lambda L, x, i, v: L.index_fill(x, d, i, v), a, idx, rand((), seed + 2, dt))


def test_index_errors_and_zero_dim():
    x = np.zeros((3, 4))
    for f in (lambda L, a: a.index_select(1, L.tensor([[0]])), lambda L, a: a.index_select(1, L.tensor([0.0])),
              lambda L, a: L.index_add(a, 1, L.tensor([0, 0]), L.ones(3, 3, dtype=L.float64)),
              lambda L, a: L.index_fill(a, 1, L.tensor([0, 5]), -1.0),
              lambda L, a: L.index_fill(a, 1, L.tensor([0]), L.tensor([1.0, 2.0]))):
        raises_like(f, x)
    raises_like(lambda L, a: a.index_select(1, L.tensor([4])), x, same_msg=False)
    compare(lambda L, a: a.index_select(0, L.tensor([0])), np.array(3.0))
    raises_like(lambda L, a: a.index_select(0, L.tensor([0, 0])), np.array(3.0))
    compare(lambda L, a: a.index_select(0, L.tensor(0)), np.array(3.0))
    compare(lambda L, a: a.gather(0, L.tensor([0, 0])), np.array(3.0))


def test_masked_select_scatter_take():
    a = rand((3, 4), 0)
    compare(lambda L, x: x.masked_select(x > 0), a)
    compare(lambda L, x: L.masked_select(x, L.tensor([True, False, False, True])), a)
    compare(lambda L, x, s: L.masked_scatter(x, x > 0, s), a, rand((20,), 1))
    compare(lambda L, x, s: L.masked_scatter(x, L.tensor([True, False, True, True]), s), a, rand((3, 5), 2))
    compare(lambda L, x: L.take(x, L.tensor([[0, 11], [-1, 3], [3, 3]])), a)
    compare(lambda L, x: L.take_along_dim(x, L.tensor([0, 11, 11])), a)
    compare(lambda L, x: L.take_along_dim(x, L.tensor([[0], [2], [1]]), 1), a)
    compare(lambda L, x: L.take_along_dim(x, L.tensor([[0, 1, 1]]), 0), a[:, :3].copy())
    for f in (lambda L, x: x.masked_select(L.tensor([1, 0, 0, 1])), lambda L, x: x.masked_select(L.tensor([True, False])),
              lambda L, x: L.masked_scatter(x, x > 0, L.zeros(1, dtype=L.float64)),
              lambda L, x: L.take(x, L.tensor([12])), lambda L, x: L.take(x, L.tensor([-13]))):
        raises_like(f, a)


def test_nonzero_one_hot():
    a = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0]])
    for f in (lambda L, x: x.nonzero(), lambda L, x: L.argwhere(x), lambda L, x: x.nonzero(as_tuple=True),
              lambda L, x: L.nonzero(x[0, 1]), lambda L, x: L.nonzero(x[0, 0], as_tuple=True),
              lambda L, x: L.nonzero(x[0, 0])):
        compare(f, a, grad=False)
    F = torch.nn.functional
    for args in ((np.array([0, 2]),), (np.array([0, 2]), 5), (np.array([[1], [3]]), 4), (np.zeros(0, np.int64), 3),
                 (np.array(2), 3)):
        assert_same(npgrad.one_hot(npgrad.tensor(args[0]), *args[1:]), F.one_hot(torch.tensor(args[0]), *args[1:]))
    for args in ((np.array([0, -2]), 5), (np.array([0, 5]), 5), (np.array([0, 5], np.int32), 6), (np.zeros(0, np.int64),)):
        with pytest.raises(RuntimeError) as ref:
            F.one_hot(torch.tensor(args[0]), *args[1:])
        with pytest.raises(RuntimeError) as ours:
            npgrad.one_hot(npgrad.tensor(args[0]), *args[1:])
        assert str(ours.value) == str(ref.value)


@FAST
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), seed=seeds, dt=float_dtypes,
       data=st.data())
def test_triangles_and_diagonals(shape, seed, dt, data):
    k = data.draw(st.integers(-3, 3))
    a = rand(shape, seed, dt)
    compare(lambda L, x: x.tril(k), a)
    compare(lambda L, x: L.triu(x, k), a)
    nd = len(shape)
    d1, d2 = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=2, max_size=2, unique_by=lambda v: v % nd))
    compare(lambda L, x: L.diagonal(x, k, d1, d2), a)
    compare(lambda L, x: L.diag_embed(x, k, d1 % nd, d2 % nd), a)
    compare(lambda L, x: L.diag_embed(x, k), a)


def test_diag_trace_and_diagonal_view():
    compare(lambda L, x: L.diag(x, -1), np.array([1.0, 2.0]))
    compare(lambda L, x: L.diag(x, 1), rand((2, 3), 0))
    compare(lambda L, x: L.trace(x), rand((3, 4), 1))
    compare(lambda L, x: L.trace(x), np.arange(6).reshape(2, 3), grad=False)
    raises_like(lambda L, x: L.diag(x), np.ones((2, 2, 2)))
    raises_like(lambda L, x: L.trace(x), np.ones(3))
    raises_like(lambda L, x: L.tril(x), np.ones(3))
    raises_like(lambda L, x: L.diagonal(x, 0, 1, 1), np.ones((2, 3, 4)))
    t = npgrad.zeros(3, 3)
    d = npgrad.diagonal(t)
    d.add_(1.0)
    assert t.tolist() == np.eye(3).tolist() and d._version == t._version
    hessian_compare(lambda L, x: (L.diagonal(x, 1) ** 3).sum() + (L.diag_embed(x) ** 3).sum(), rand((3, 3), 2))


def test_searchsorted_bucketize_unique():
    seq = np.array([1, 3, 5, 7])
    vals = np.array([3, 6, 9, 0])
    for f in (lambda L, s, v: L.searchsorted(s, v), lambda L, s, v: L.searchsorted(s, v, right=True),
              lambda L, s, v: L.searchsorted(s, v, side="right"), lambda L, s, v: L.searchsorted(s, 4),
              lambda L, s, v: L.searchsorted(s, v.reshape(2, 2), out_int32=True),
              lambda L, s, v: L.searchsorted(s.double(), v),
              lambda L, s, v: L.bucketize(v, s), lambda L, s, v: L.bucketize(v, s, right=True),
              lambda L, s, v: L.bucketize(3, s)):
        compare(f, seq, vals, grad=False)
    rs = np.sort(np.random.default_rng(0).integers(0, 10, (3, 2, 6)), axis=-1)
    rv = np.random.default_rng(1).integers(-1, 11, (3, 2, 5))
    compare(lambda L, s, v: L.searchsorted(s, v), rs, rv, grad=False)
    compare(lambda L, s, v: L.searchsorted(s, v, right=True), rs.astype(np.float64), rv.astype(np.float64), grad=False)
    compare(lambda L, s, v: L.searchsorted(s, v, sorter=L.tensor([3, 1, 2, 0])), np.array([7, 3, 5, 1]), vals,
            grad=False)
    raises_like(lambda L, s, v: L.searchsorted(s, v, side="left", right=True), seq, vals)
    raises_like(lambda L, s, v: L.searchsorted(s, v), rs, rv[:1])
    raises_like(lambda L, s, v: L.bucketize(v, s), rs, rv)
    u = np.array([[3, 1], [3, 1], [0, 0]])
    for f in (lambda L, x: L.unique(x), lambda L, x: L.unique(x, return_inverse=True, return_counts=True),
              lambda L, x: L.unique(x, dim=0, return_inverse=True, return_counts=True),
              lambda L, x: L.unique(x.double(), return_counts=True)):
        compare(f, u, grad=False)


def test_index_put_and_index_copy():
    x = rand((3, 4), 0)
    compare(lambda L, a, v: L.index_put(a, (L.tensor([0, 0, 2]),), v, accumulate=True), x, rand((3, 4), 1))
    compare(lambda L, a, v: L.index_put(a, (L.tensor([0, 1]), L.tensor([3, 3])), v), x, rand((2,), 2))
    compare(lambda L, a, v: L.index_put(a, [L.tensor([0, 0])], v, accumulate=True), x, rand((4,), 3))
    compare(lambda L, a, v: L.index_put(a, (L.tensor([True, False, True]),), v, accumulate=True), x, rand((), 4))
    compare(lambda L, a, v: L.index_copy(a, 1, L.tensor([3, 0]), v), x, rand((3, 2), 5))
    compare(lambda L, a, v: L.index_copy(a, 0, L.tensor([2]), v), x, rand((1, 4), 6))
    for f, v in ((lambda L, a, v: L.index_copy(a, 1, L.tensor([0, 5]), v), rand((3, 2), 1)),
                 (lambda L, a, v: L.index_copy(a, 1, L.tensor([0, 1]), v), rand((3, 3), 1)),
                 (lambda L, a, v: L.index_copy(a, 1, L.tensor([0.0, 1.0]), v), rand((3, 2), 1)),
                 (lambda L, a, v: L.index_put(a, (L.tensor([0]),), v), rand((4,), 1, np.float32))):
        raises_like(f, x, v)
    t, tt = npgrad.zeros(3), torch.zeros(3)
    npgrad.index_put_(t, (npgrad.tensor([0, 0, 1]),), npgrad.tensor([1.0, 2.0, 3.0]), True)
    torch.index_put_(tt, (torch.tensor([0, 0, 1]),), torch.tensor([1.0, 2.0, 3.0]), True)
    assert_same(t, tt)
