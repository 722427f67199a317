"""nn.utils: gradient clipping and parameter <-> vector conversion vs torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import npgrad
import npgrad.nn as nn
from npgrad.nn.utils import (
    clip_grad_norm_, clip_grad_value_, get_total_norm, parameters_to_vector, vector_to_parameters,
)

RNG = np.random.default_rng(0)


def _pairs(scale, dtype=np.float32):
    shapes = [(3, 4), (5,), (2, 2, 2)]
    grads = [(RNG.standard_normal(s) * scale).astype(dtype) for s in shapes]
    tp = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float32 if dtype == np.float32 else torch.float64))
          for s in shapes]
    npp = [nn.Parameter(npgrad.zeros(*s, dtype=npgrad.float32 if dtype == np.float32 else npgrad.float64))
           for s in shapes]
    for t, n, g in zip(tp, npp, grads):
        t.grad = torch.tensor(g.copy())
        n.grad = npgrad.tensor(g.copy())
    return tp, npp


@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    tp, npp = _pairs(2.0, dtype)
    grads_before = [p.grad for p in npp]
    t_total = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    n_total = clip_grad_norm_(npp, max_norm, norm_type)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert n_total.dtype == (npgrad.float32 if dtype == np.float32 else npgrad.float64)
    np.testing.assert_allclose(n_total.numpy(), t_total.numpy(), rtol=rtol)
    for t, n, g0 in zip(tp, npp, grads_before):
        assert n.grad is g0  # modified in place
        np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-7)


def test_clip_grad_norm_single_tensor_empty_and_nonfinite():
    p = nn.Parameter(npgrad.zeros(3))
    p.grad = npgrad.tensor([3.0, 4.0, 0.0])
    total = clip_grad_norm_(p, 1.0)
    assert abs(total.item() - 5.0) < 1e-6
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    assert clip_grad_norm_([nn.Parameter(npgrad.zeros(2))], 1.0).item() == 0.0
    p.grad = npgrad.tensor([float("nan"), 1.0, 0.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert np.isnan(clip_grad_norm_(p, 1.0).item())
    assert abs(get_total_norm([npgrad.tensor([3.0]), npgrad.tensor([4.0])]).item() - 5.0) < 1e-6


def test_clip_grad_value_matches_torch():
    tp, npp = _pairs(3.0)
    torch.nn.utils.clip_grad_value_(tp, 0.7)
    clip_grad_value_(npp, 0.7)
    for t, n in zip(tp, npp):
        np.testing.assert_array_equal(n.grad.numpy(), t.grad.numpy())


def test_parameters_vector_round_trip():
    m = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    vec = parameters_to_vector(m.parameters())
    np.testing.assert_allclose(vec.detach().numpy(), torch.nn.utils.parameters_to_vector(tm.parameters()).detach())
    assert vec.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    vec.sum().backward()
    assert all((p.grad.numpy() == 1).all() for p in m.parameters())
    new = npgrad.arange(vec.shape[0], dtype=npgrad.float32)
    params = list(m.parameters())
    vector_to_parameters(new, m.parameters())
    assert all(p is q for p, q in zip(m.parameters(), params))
    np.testing.assert_array_equal(m[0].weight.detach().numpy(), np.arange(12).reshape(4, 3))
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        vector_to_parameters([1.0], m.parameters())
