"""Linear / Bilinear / F.linear vs torch: values, grads (incl. double backward), errors, default init."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from _torch_compare import assert_module_parity

RNG = np.random.default_rng(0)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=3), st.booleans(), st.sampled_from([np.float32, np.float64]),
       st.booleans())
def test_linear_parity(lead, bias, dtype, train):
    tm = torch.nn.Linear(5, 3, bias=bias).to(torch.float32 if dtype == np.float32 else torch.float64)
    nm = nn.Linear(5, 3, bias=bias).to(npgrad.float32 if dtype == np.float32 else npgrad.float64)
    x = RNG.standard_normal(tuple(lead) + (5,)).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    out = assert_module_parity(nm, tm, x, train=train, **tol)
    assert out.dtype == (npgrad.float32 if dtype == np.float32 else npgrad.float64)


def test_linear_repr_and_attributes():
    assert repr(nn.Linear(2, 3)) == repr(torch.nn.Linear(2, 3))
    assert repr(nn.Linear(2, 3, bias=False)) == repr(torch.nn.Linear(2, 3, bias=False))
    m = nn.Linear(2, 3, bias=False)
    assert m.bias is None and [n for n, _ in m.named_parameters()] == ["weight"]
    assert nn.Linear(2, 3, dtype=npgrad.float64).weight.dtype == npgrad.float64


def test_linear_errors_match_torch():
    for xs, ws in [((8, 32), (10, 64)), ((4, 8, 32), (10, 64)), ((32,), (10, 64))]:
        with pytest.raises(RuntimeError) as t_err:
            TF.linear(torch.randn(*xs), torch.randn(*ws))
        with pytest.raises(RuntimeError) as n_err:
            F.linear(npgrad.randn(*xs), npgrad.randn(*ws))
        assert str(n_err.value) == str(t_err.value)
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: double != float"):
        F.linear(npgrad.randn(3, 4).double(), npgrad.randn(5, 4))
    with pytest.raises(RuntimeError, match="The expanded size of the tensor"):
        F.linear(npgrad.randn(3, 4), npgrad.randn(5, 4), npgrad.randn(3))


def test_linear_double_backward():
    x = npgrad.tensor(RNG.standard_normal((3, 2, 4)), requires_grad=True)
    w = npgrad.tensor(RNG.standard_normal((5, 4)), requires_grad=True)
    b = npgrad.tensor(RNG.standard_normal(5), requires_grad=True)
    assert npgrad.autograd.gradcheck(F.linear, (x, w, b))
    assert npgrad.autograd.gradgradcheck(lambda a, c: F.linear(a, c, b) ** 2, (x, w))
    tx, tw, tb = (torch.tensor(t.detach().numpy(), requires_grad=True) for t in (x, w, b))
    for lib, (a, c, d) in ((torch, (tx, tw, tb)), (npgrad, (x, w, b))):
        y = (lib.nn.functional.linear(a, c, d) ** 2).sum()
        gx, gw = lib.autograd.grad(y, [a, c], create_graph=True)
        (gx.sum() + (gw * gw).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


def test_linear_default_init_distribution():
    npgrad.manual_seed(0)
    m = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert abs(b.std() - bound / math.sqrt(3)) < 0.1 * bound
    npgrad.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(400, 300).weight.detach().numpy(), w)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_parity(bias):
    tm, nm = torch.nn.Bilinear(3, 4, 2, bias=bias).double(), nn.Bilinear(3, 4, 2, bias=bias).double()
    assert repr(nm) == repr(tm)
    assert_module_parity(nm, tm, RNG.standard_normal((5, 3)), RNG.standard_normal((5, 4)))
    assert_module_parity(nm, tm, RNG.standard_normal((2, 5, 3)), RNG.standard_normal((2, 5, 4)))
    bound = 1 / math.sqrt(3)
    assert np.abs(nn.Bilinear(3, 4, 50).weight.detach().numpy()).max() <= bound


def test_bilinear_shape_error():
    with pytest.raises(RuntimeError, match="bilinear"):
        F.bilinear(npgrad.randn(5, 3), npgrad.randn(4, 4), npgrad.randn(2, 3, 4))
