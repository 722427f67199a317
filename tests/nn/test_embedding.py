"""Embedding / F.embedding vs torch: lookup, scatter-add grads, padding_idx, max_norm, scale_grad_by_freq."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from _torch_compare import assert_module_parity, copy_torch_params

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True}])
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), (0,)])
def test_embedding_parity(kw, shape):
    tm, nm = torch.nn.Embedding(10, 4, **kw).double(), nn.Embedding(10, 4, **kw).double()
    assert repr(nm) == repr(tm)
    idx = RNG.integers(0, 10, shape)
    if idx.size:
        idx.flat[0] = idx.flat[-1]  # repeated indices accumulate
    assert_module_parity(nm, tm, idx)


def test_embedding_float32_and_max_norm():
    tm = torch.nn.Embedding(8, 5, max_norm=1.0)
    nm = nn.Embedding(8, 5, max_norm=1.0)
    assert repr(nm) == repr(tm)
    copy_torch_params(nm, tm)
    idx = np.array([[1, 2, 2], [7, 1, 0]])
    t_out, n_out = tm(torch.tensor(idx)), nm(npgrad.tensor(idx))
    np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    # rows used by the lookup were renormalised in place, the others untouched
    np.testing.assert_allclose(nm.weight.detach().numpy(), tm.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert np.linalg.norm(nm.weight.detach().numpy()[[0, 1, 2, 7]], axis=1).max() <= 1.0 + 1e-5


def test_padding_row_initialised_to_zero_and_gets_no_grad():
    npgrad.manual_seed(0)
    m = nn.Embedding(6, 3, padding_idx=4)
    np.testing.assert_array_equal(m.weight.detach().numpy()[4], 0)
    m(npgrad.tensor([4, 4, 1])).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.numpy()[4], 0)
    np.testing.assert_array_equal(m.weight.grad.numpy()[1], 1)
    w = m.weight.detach().numpy()
    assert abs(nn.Embedding(300, 200).weight.detach().numpy().std() - 1.0) < 0.01  # N(0, 1) init
    assert w.dtype == np.float32


def test_from_pretrained_and_errors():
    w = npgrad.tensor(RNG.standard_normal((4, 3)))
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad and m.weight.data is w.data
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    tm = torch.nn.Embedding.from_pretrained(torch.tensor(w.numpy()), padding_idx=1)
    assert repr(nn.Embedding.from_pretrained(w, padding_idx=1)) == repr(tm)
    with pytest.raises(IndexError, match="index out of range in self"):
        m(npgrad.tensor([4]))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        m(npgrad.tensor([1.0]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(npgrad.ones(3))


def test_functional_embedding_double_backward():
    w = npgrad.tensor(RNG.standard_normal((6, 3)), requires_grad=True)
    tw = torch.tensor(w.detach().numpy(), requires_grad=True)
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    v = RNG.standard_normal((6, 3))
    for lib, weight in ((torch, tw), (npgrad, w)):
        fn = TF if lib is torch else F
        out = fn.embedding(lib.tensor(idx), weight, padding_idx=1, scale_grad_by_freq=True)
        (g,) = lib.autograd.grad((out**2).sum(), weight, create_graph=True)
        (g * lib.tensor(v)).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)
    assert npgrad.autograd.gradcheck(lambda a: F.embedding(npgrad.tensor(idx), a), (w,))  # padding rows: no grad by design


@pytest.mark.parametrize("num,n,hot", [(50, 3000, False), (1000, 300, False), (20, 500, True)])
def test_scatter_matches_add_at_for_any_multiplicity(num, n, hot):
    from npgrad.nn._functional.sparse import _scatter_rows

    flat = RNG.integers(0, num, n)
    if hot:
        flat[: n // 2] = 3  # one index repeated hundreds of times
    g = RNG.standard_normal((n, 5))
    expected = np.zeros((num, 5))
    np.add.at(expected, flat, g)
    np.testing.assert_allclose(_scatter_rows(g, flat, num), expected, rtol=1e-10, atol=1e-12)
