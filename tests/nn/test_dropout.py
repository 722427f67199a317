"""Dropout family: train/eval behaviour, scaling, channel masks, statistics, seeding, grads, errors, repr."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F

ALPHA = 1.7580993408473766


@pytest.mark.parametrize("cls", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                 "FeatureAlphaDropout"])
def test_repr_and_eval_identity(cls):
    assert repr(getattr(nn, cls)(0.3, inplace=True)) == repr(getattr(torch.nn, cls)(0.3, inplace=True))
    m = getattr(nn, cls)(0.3).eval()
    x = npgrad.randn(2, 3, 4) if cls == "Dropout1d" else npgrad.randn(2, 3, 4, 5, 6)
    assert m(x) is x


def test_dropout_scaling_rate_and_grad():
    npgrad.manual_seed(1)
    x = npgrad.ones(200, 500, requires_grad=True)
    y = F.dropout(x, 0.3)
    vals = y.detach().numpy()
    assert np.isclose(vals, 0).sum() + np.isclose(vals, 1 / 0.7, rtol=1e-6).sum() == vals.size
    assert abs((vals == 0).mean() - 0.3) < 0.01
    assert abs(vals.mean() - 1.0) < 0.02  # E[y] = x
    g = np.random.default_rng(0).standard_normal(vals.shape)
    y.backward(npgrad.tensor(g.astype(np.float32)))
    np.testing.assert_allclose(x.grad.numpy(), g * (vals != 0) / 0.7, rtol=1e-6)


def test_seed_reproducibility_and_float32():
    npgrad.manual_seed(3)
    a = F.dropout(npgrad.ones(100), 0.5).numpy()
    npgrad.manual_seed(3)
    b = F.dropout(npgrad.ones(100), 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert F.dropout(npgrad.ones(3), 0.5).dtype == npgrad.float32
    assert F.dropout(npgrad.ones(3, dtype=npgrad.float64), 0.5).dtype == npgrad.float64


def test_edge_probabilities_and_errors():
    x = npgrad.randn(4, 5)
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((4, 5)))
    assert F.dropout(x, 0.5, training=False) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    with pytest.raises(ValueError, match="but got -0.1"):
        nn.Dropout(-0.1)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(npgrad.randn(2, 3, 4, 5))


def _channels_all_or_nothing(out, lead):
    flat = out.reshape(out.shape[:lead] + (-1,))
    zero = (flat == 0).all(-1)
    kept = (flat != 0).all(-1)
    return bool((zero | kept).all()) and zero.any() and kept.any()


def test_channel_dropout_masks_whole_channels():
    npgrad.manual_seed(0)
    assert _channels_all_or_nothing(F.dropout2d(npgrad.rand(8, 16, 5, 5) + 1, 0.5).numpy(), 2)
    assert _channels_all_or_nothing(F.dropout1d(npgrad.rand(8, 16, 7) + 1, 0.5).numpy(), 2)
    assert _channels_all_or_nothing(F.dropout1d(npgrad.rand(16, 7) + 1, 0.5).numpy(), 1)
    assert _channels_all_or_nothing(F.dropout3d(npgrad.rand(4, 8, 3, 3, 3) + 1, 0.5).numpy(), 2)
    assert _channels_all_or_nothing(F.dropout3d(npgrad.rand(16, 3, 3, 3) + 1, 0.5).numpy(), 1)
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        out = F.dropout2d(npgrad.rand(8, 16, 7) + 1, 0.5).numpy()
    assert _channels_all_or_nothing(out, 2)


def test_alpha_dropout_keeps_selu_statistics():
    npgrad.manual_seed(0)
    x = npgrad.randn(400, 500)
    p = 0.2
    y = F.alpha_dropout(x, p, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1.0) < 0.01
    a = 1 / math.sqrt((ALPHA**2 * p + 1) * (1 - p))
    dropped_value = -ALPHA * a + ALPHA * a * p
    dropped = np.isclose(y, dropped_value, atol=1e-6)
    assert abs(dropped.mean() - p) < 0.01
    kept = ~dropped
    np.testing.assert_allclose(y[kept], x.numpy()[kept] * a + ALPHA * a * p, rtol=1e-5, atol=1e-5)
    assert F.alpha_dropout(x, p) is x  # training defaults to False
    f = F.feature_alpha_dropout(npgrad.randn(50, 40, 6), 0.5, training=True).numpy()
    assert np.isclose(f, f[..., :1], atol=1e-6).all(-1).any()  # some channels dropped wholesale


def test_inplace_and_double_backward():
    npgrad.manual_seed(0)
    base = npgrad.randn(6, 7, requires_grad=True)
    h = base * 1.0
    out = F.dropout(h, 0.4, inplace=True)
    assert out is h
    mask = (out.detach().numpy() != 0) / 0.6
    (gx,) = npgrad.autograd.grad((out * out).sum(), base, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), 2 * base.detach().numpy() * mask**2, rtol=1e-5)
    (ggx,) = npgrad.autograd.grad(gx.sum(), base)
    np.testing.assert_allclose(ggx.numpy(), 2 * mask**2, rtol=1e-5)


def test_module_follows_training_flag():
    m = nn.Sequential(nn.Dropout(0.5))
    x = npgrad.ones(1000)
    assert (m(x).numpy() == 0).any()
    m.eval()
    np.testing.assert_array_equal(m(x).numpy(), 1.0)
