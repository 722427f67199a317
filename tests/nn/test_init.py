"""nn.init: gains, fans, distributions (bounds and std), deterministic fills, errors, seeding."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import npgrad
import npgrad.nn as nn
from npgrad.nn import init


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                                  ("leaky_relu", 0.2), ("selu",), ("leaky_relu", 3)])
def test_calculate_gain_matches_torch(args):
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (2, 6, 3), (4, 2, 1, 2, 3)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(npgrad.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fan_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(npgrad.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(npgrad.empty(3, 3), mode="fan_avg")


def _w(*shape):
    return nn.Parameter(npgrad.empty(*shape))  # requires grad: init must still work (no graph recorded)


def _check_uniform(arr, bound):
    assert np.abs(arr).max() <= bound
    assert np.abs(arr).max() > 0.98 * bound
    assert abs(arr.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(arr.mean()) < 0.02 * bound


def _check_normal(arr, std, mean=0.0):
    assert abs(arr.std() - std) < 0.02 * std
    assert abs(arr.mean() - mean) < 0.02 * std + 1e-12


def test_uniform_normal_constant():
    w = _w(300, 400)
    out = init.uniform_(w, -2.0, 3.0)
    assert out is w and w.requires_grad and w.grad_fn is None
    a = w.detach().numpy()
    assert a.min() >= -2 and a.max() <= 3 and abs(a.mean() - 0.5) < 0.02
    init.normal_(w, 1.5, 0.3)
    _check_normal(w.detach().numpy(), 0.3, 1.5)
    init.constant_(w, 0.25)
    assert (w.detach().numpy() == 0.25).all()
    init.ones_(w)
    assert (w.detach().numpy() == 1).all()
    init.zeros_(w)
    assert (w.detach().numpy() == 0).all()


def test_xavier_and_kaiming_distributions():
    w = _w(256, 128, 3, 3)
    fan_in, fan_out = 128 * 9, 256 * 9
    init.xavier_uniform_(w, gain=2.0)
    _check_uniform(w.detach().numpy(), 2.0 * math.sqrt(6 / (fan_in + fan_out)))
    init.xavier_normal_(w)
    _check_normal(w.detach().numpy(), math.sqrt(2 / (fan_in + fan_out)))
    init.kaiming_uniform_(w, a=math.sqrt(5))
    _check_uniform(w.detach().numpy(), math.sqrt(3) * math.sqrt(2 / (1 + 5)) / math.sqrt(fan_in))
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    _check_normal(w.detach().numpy(), math.sqrt(2) / math.sqrt(fan_out))
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(npgrad.empty(0, 3))


def test_trunc_normal():
    w = _w(500, 400)
    init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0)
    a = w.detach().numpy()
    assert a.min() >= -0.5 and a.max() <= 1.0
    t = torch.empty(500, 400)
    torch.nn.init.trunc_normal_(t, mean=0.5, std=1.0, a=-0.5, b=1.0)
    assert abs(a.mean() - t.mean().item()) < 0.01 and abs(a.std() - t.std().item()) < 0.01


def test_eye_dirac_orthogonal_sparse():
    w = _w(3, 5)
    init.eye_(w)
    np.testing.assert_array_equal(w.detach().numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 3, 3, 3), 1)]:
        d = _w(*shape)
        init.dirac_(d, groups)
        np.testing.assert_array_equal(d.detach().numpy(), torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        init.dirac_(_w(3, 3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(_w(3))
    for shape in [(6, 4), (4, 6), (5, 2, 3)]:
        o = _w(*shape)
        init.orthogonal_(o, gain=2.0)
        m = o.detach().numpy().reshape(shape[0], -1).astype(np.float64)
        small = m @ m.T if shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-5)
    s = _w(50, 30)
    init.sparse_(s, sparsity=0.3, std=0.5)
    zeros_per_col = (s.detach().numpy() == 0).sum(0)
    assert (zeros_per_col == math.ceil(0.3 * 50)).all()
    nz = s.detach().numpy()[s.detach().numpy() != 0]
    assert abs(nz.std() - 0.5) < 0.05


def test_seeding_and_generator():
    npgrad.manual_seed(7)
    a = init.normal_(npgrad.empty(10)).numpy().copy()
    npgrad.manual_seed(7)
    np.testing.assert_array_equal(init.normal_(npgrad.empty(10)).numpy(), a)
    g1, g2 = npgrad.Generator().manual_seed(3), npgrad.Generator().manual_seed(3)
    np.testing.assert_array_equal(init.uniform_(npgrad.empty(5), generator=g1).numpy(),
                                  init.uniform_(npgrad.empty(5), generator=g2).numpy())


def test_init_under_no_grad_keeps_dtype_and_bumps_version():
    w = nn.Parameter(npgrad.empty(4, 4, dtype=npgrad.float64))
    v = w._version
    with npgrad.no_grad():
        init.xavier_uniform_(w)
    assert w.dtype == npgrad.float64 and w._version > v
