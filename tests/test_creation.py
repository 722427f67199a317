"""Tensor factories against torch: dtype inference, memory sharing, ranges (element-exact), random."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad


def dname(t):
    return str(t.dtype).split(".")[1]


# ----------------------------------------------------------------------------- from data
@pytest.mark.parametrize("data", [
    [1.0, 2.0], [1, 2], [True, False], [1, 2.5], [[1, 2], [3, 4]], 3, 3.5, True, [], [[]],
    np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int32), np.float64(2.5), np.array(3, dtype=np.int16),
    [np.float32(1.5), np.float32(2.0)], np.array([1, 0], dtype=np.uint8),
])
def test_tensor_dtype_inference_matches_torch(data):
    n, t = npgrad.tensor(data), torch.tensor(data)
    assert dname(n) == dname(t) and n.shape == t.shape and n.tolist() == t.tolist()


def test_tensor_copies_and_options():
    a = np.array([1.0, 2.0])
    n = npgrad.tensor(a)
    a[0] = 9
    assert n[0].item() == 1.0
    base = npgrad.ones(2)
    c = npgrad.tensor(base)
    assert not np.shares_memory(c.data, base.data)
    assert npgrad.tensor([1, 2], dtype=npgrad.float64).dtype == npgrad.float64
    r = npgrad.tensor([1.0], requires_grad=True)
    assert r.requires_grad and r.is_leaf
    assert npgrad.tensor([npgrad.tensor(1.0), npgrad.tensor(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        npgrad.tensor([1, 2], requires_grad=True)


def test_as_tensor_and_from_numpy_share_memory():
    a = np.arange(4.0)
    t = npgrad.from_numpy(a)
    assert t.dtype == npgrad.float64
    a[1] = 10
    assert t[1].item() == 10
    t[2] = -1
    assert a[2] == -1
    s = npgrad.as_tensor(a)
    assert np.shares_memory(s.data, a)
    assert not np.shares_memory(npgrad.as_tensor(a, dtype=npgrad.float32).data, a)
    x = npgrad.ones(2)
    assert npgrad.as_tensor(x) is x and npgrad.asarray(x) is x
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.complex128"):
        npgrad.from_numpy(np.zeros(2, complex))
    with pytest.raises(TypeError, match="expected np.ndarray"):
        npgrad.from_numpy([1, 2])


# ----------------------------------------------------------------------------- filled
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_filled_factories(fn):
    for size in [(2, 3), ((2, 3),), ([2, 3],), (npgrad.Size([2, 3]),), ((),)]:
        n = getattr(npgrad, fn)(*size)
        t = getattr(torch, fn)(*[tuple(s) if isinstance(s, npgrad.Size) else s for s in size])
        assert n.shape == t.shape and dname(n) == dname(t)
    assert getattr(npgrad, fn)(2, dtype=npgrad.int32).dtype == npgrad.int32
    assert getattr(npgrad, fn)(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="Dimension size must be non-negative"):
        getattr(npgrad, fn)(-1)


def test_full_and_like_variants():
    for v in (1, 1.5, True):
        assert dname(npgrad.full((2,), v)) == dname(torch.full((2,), v))
    assert npgrad.full((2, 2), 7, dtype=npgrad.float64).tolist() == [[7.0, 7.0], [7.0, 7.0]]
    x = npgrad.ones(2, 3, dtype=npgrad.int32)
    for fn in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        src = x if "rand" not in fn else x.float()
        out = getattr(npgrad, fn)(src)
        assert out.shape == (2, 3) and out.dtype == src.dtype
    assert npgrad.full_like(x, 5).tolist() == [[5] * 3] * 2
    assert npgrad.zeros_like(x, dtype=npgrad.float64).dtype == npgrad.float64
    assert npgrad.randint_like(x, 3, 5).dtype == npgrad.int32


def test_eye():
    for args in [(3,), (2, 4), (4, 2), (0,)]:
        assert npgrad.eye(*args).tolist() == torch.eye(*args).tolist()
    assert npgrad.eye(2, dtype=npgrad.int64).dtype == npgrad.int64


# ----------------------------------------------------------------------------- ranges
@settings(max_examples=40, deadline=None)
@given(st.integers(-20, 20), st.integers(-20, 20), st.integers(-5, 5).filter(lambda s: s != 0))
def test_arange_int_matches_torch(start, end, step):
    if (end - start) * step < 0:
        with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
            npgrad.arange(start, end, step)
        return
    n, t = npgrad.arange(start, end, step), torch.arange(start, end, step)
    assert dname(n) == dname(t) == "int64" and n.tolist() == t.tolist()


@settings(max_examples=40, deadline=None)
@given(st.floats(-10, 10), st.floats(0.05, 10), st.floats(0.01, 3), st.sampled_from(["float32", "float64"]))
def test_arange_float_matches_torch(start, length, step, dt):
    """Same length; values ``start + i * step`` rounded once (torch's vectorised kernel may differ by 1 ulp)."""
    end = start + length
    n = npgrad.arange(start, end, step, dtype=getattr(npgrad, dt))
    t = torch.arange(start, end, step, dtype=getattr(torch, dt))
    assert n.shape == t.shape and dname(n) == dname(t)
    eps = np.finfo(getattr(np, dt)).eps
    np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=2 * eps, atol=4 * eps * max(abs(start), abs(end)))


def test_arange_inference_and_errors():
    assert npgrad.arange(5).dtype == npgrad.int64 and npgrad.arange(5.0).dtype == npgrad.float32
    assert npgrad.arange(0, 1, 0.1).tolist() == torch.arange(0, 1, 0.1).tolist()
    assert npgrad.arange(0, 5, 1.5, dtype=npgrad.int64).tolist() == torch.arange(0, 5, 1.5, dtype=torch.int64).tolist()
    assert npgrad.arange(npgrad.tensor(4)).tolist() == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        npgrad.arange(0, 5, 0)


@settings(max_examples=40, deadline=None)
@given(st.floats(-100, 100), st.floats(-100, 100), st.integers(0, 300), st.sampled_from(["float32", "float64"]))
def test_linspace_matches_torch(start, end, steps, dt):
    n = npgrad.linspace(start, end, steps, dtype=getattr(npgrad, dt))
    t = torch.linspace(start, end, steps, dtype=getattr(torch, dt))
    assert n.shape == t.shape and dname(n) == dname(t)
    # same formula as torch's kernel (fused multiply-add, halves from each end): equal up to a rare 1-ulp
    # double-rounding difference
    np.testing.assert_array_max_ulp(n.numpy(), t.numpy(), maxulp=1)


def test_linspace_logspace_misc():
    assert npgrad.linspace(0, 10, 5, dtype=npgrad.int64).tolist() == torch.linspace(0, 10, 5, dtype=torch.int64).tolist()
    assert npgrad.linspace(2, 3, 1).tolist() == [2.0]
    for args, kw in [((0, 2, 5), {}), ((0, 3, 4), {"base": 2}), ((-1, 1, 7), {"dtype": torch.float64})]:
        kn = {k: (npgrad.float64 if v is torch.float64 else v) for k, v in kw.items()}
        np.testing.assert_allclose(npgrad.logspace(*args, **kn).numpy(), torch.logspace(*args, **kw).numpy(),
                                   rtol=1e-6)
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        npgrad.linspace(0, 1, -1)


# ----------------------------------------------------------------------------- random
def test_seed_reproducibility_and_generators():
    npgrad.manual_seed(123)
    a = (npgrad.rand(5), npgrad.randn(3, 2), npgrad.randint(0, 10, (4,)), npgrad.randperm(6))
    npgrad.manual_seed(123)
    b = (npgrad.rand(5), npgrad.randn(3, 2), npgrad.randint(0, 10, (4,)), npgrad.randperm(6))
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    g1, g2 = npgrad.Generator().manual_seed(7), npgrad.Generator().manual_seed(7)
    assert npgrad.rand(4, generator=g1).tolist() == npgrad.rand(4, generator=g2).tolist()
    assert g1.initial_seed() == 7 and npgrad.initial_seed() == 123
    assert npgrad.manual_seed(5) is npgrad.default_generator


def test_rng_state_roundtrip():
    npgrad.manual_seed(0)
    npgrad.rand(3)
    state = npgrad.get_rng_state()
    assert isinstance(state, npgrad.Tensor) and state.dtype == npgrad.uint8
    x = npgrad.randn(4)
    npgrad.set_rng_state(state)
    assert npgrad.randn(4).tolist() == x.tolist()
    with npgrad.random.fork_rng():
        npgrad.rand(10)
    assert npgrad.get_rng_state().tolist() != state.tolist()
    g = npgrad.Generator().manual_seed(3)
    s = g.get_state()
    v = npgrad.rand(2, generator=g)
    g.set_state(s)
    assert npgrad.rand(2, generator=g).tolist() == v.tolist()


def test_random_shapes_dtypes_ranges():
    r = npgrad.rand(1000, dtype=npgrad.float64)
    assert r.dtype == npgrad.float64 and 0 <= r.min().item() and r.max().item() < 1
    assert abs(r.mean().item() - 0.5) < 0.05
    z = npgrad.randn(20000)
    assert z.dtype == npgrad.float32 and abs(z.mean().item()) < 0.05 and abs(z.std().item() - 1) < 0.05
    i = npgrad.randint(3, 7, (1000,))
    assert i.dtype == npgrad.int64 and set(np.unique(i.numpy())) == {3, 4, 5, 6}
    assert npgrad.randint(5, (2, 2)).shape == (2, 2)
    p = npgrad.randperm(50)
    assert sorted(p.tolist()) == list(range(50)) and p.dtype == npgrad.int64
    assert npgrad.rand(2, 3, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
        npgrad.randint(5, 5, (2,))


def test_normal_overloads():
    m = npgrad.zeros(3, 4, dtype=npgrad.float64)
    assert npgrad.normal(m, 1.0).shape == (3, 4) and npgrad.normal(m, 1.0).dtype == npgrad.float64
    assert npgrad.normal(0.0, npgrad.ones(5)).shape == (5,)
    assert npgrad.normal(m, npgrad.ones(4, dtype=npgrad.float64)).shape == (3, 4)
    s = npgrad.normal(2.0, 3.0, size=(20000,))
    assert s.dtype == npgrad.float32 and abs(s.mean().item() - 2) < 0.1 and abs(s.std().item() - 3) < 0.1
    big = npgrad.normal(npgrad.full((20000,), 5.0), npgrad.full((20000,), 0.0))
    assert big.tolist() == [5.0] * 20000
    with pytest.raises(RuntimeError, match="std >= 0"):
        npgrad.normal(0.0, -npgrad.ones(2))


def test_bernoulli_and_multinomial():
    p = npgrad.tensor([0.0, 1.0, 0.5] * 4000)
    b = npgrad.bernoulli(p)
    assert b.dtype == npgrad.float32 and b[0::3].sum().item() == 0 and b[1::3].sum().item() == 4000
    assert abs(b[2::3].mean().item() - 0.5) < 0.05
    assert npgrad.bernoulli(npgrad.zeros(3), 1.0).tolist() == [1.0, 1.0, 1.0]
    w = npgrad.tensor([[0.0, 3.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    s = npgrad.multinomial(w, 2)
    assert s.shape == (2, 2) and s.dtype == npgrad.int64
    for row in s.tolist():
        assert len(set(row)) == 2
    assert set(s[0].tolist()) == {1, 2}
    draws = npgrad.multinomial(npgrad.tensor([0.0, 3.0, 1.0, 0.0]), 4000, replacement=True)
    counts = np.bincount(draws.numpy(), minlength=4)
    assert counts[0] == counts[3] == 0 and abs(counts[1] / 4000 - 0.75) < 0.04
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        npgrad.multinomial(npgrad.ones(3), 4)
    with pytest.raises(RuntimeError, match="probability tensor contains either `inf`, `nan` or element < 0"):
        npgrad.multinomial(npgrad.tensor([1.0, -1.0]), 1)
