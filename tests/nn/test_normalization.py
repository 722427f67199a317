"""LayerNorm, GroupNorm, LocalResponseNorm vs torch: layers, functionals, errors, gradcheck."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn.functional as F
from _torch_compare import assert_module_parity
from npgrad.autograd import gradcheck, gradgradcheck
from test_conv import fn_parity, raises_like


def _module(name: str, dtype: Any, *args: Any, **kw: Any) -> tuple:
    tm = getattr(torch.nn, name)(*args, **kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    nm = getattr(npgrad.nn, name)(*args, **kw)
    return (nm.double() if dtype == np.float64 else nm), tm


def _perturb(tm: Any) -> None:
    """Non-trivial affine parameters (the defaults are 1 and 0)."""
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(torch.randn(p.shape, dtype=p.dtype) * 0.5)


@settings(max_examples=25, deadline=None)
@given(shape=st.sampled_from([(4, 6), (2, 3, 6), (2, 3, 4, 6), (5, 1)]), dims=st.integers(1, 2), affine=st.booleans(),
       bias=st.booleans(), dtype=st.sampled_from([np.float64, np.float32]), offset=st.sampled_from([0.0, 5.0]))
def test_layer_norm_matches_torch(shape: tuple, dims: int, affine: bool, bias: bool, dtype: Any, offset: float) -> None:
    ns = shape[-min(dims, len(shape) - 1):]
    nm, tm = _module("LayerNorm", dtype, ns, elementwise_affine=affine, bias=bias, eps=1e-3)
    _perturb(tm)
    x = (np.random.default_rng(0).standard_normal(shape) + offset).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else {}
    assert_module_parity(nm, tm, x, **tol)
    assert repr(nm) == repr(tm)


@settings(max_examples=25, deadline=None)
@given(groups_channels=st.sampled_from([(1, 4), (2, 4), (4, 4), (3, 6)]), spatial=st.sampled_from([(), (5,), (3, 4)]),
       affine=st.booleans(), dtype=st.sampled_from([np.float64, np.float32]))
def test_group_norm_matches_torch(groups_channels: tuple, spatial: tuple, affine: bool, dtype: Any) -> None:
    g, c = groups_channels
    if not spatial and g == c:
        spatial = (2,)
    nm, tm = _module("GroupNorm", dtype, g, c, affine=affine)
    _perturb(tm)
    x = (np.random.default_rng(1).standard_normal((3, c) + spatial) * 3 - 1).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else {}
    assert_module_parity(nm, tm, x, **tol)
    assert repr(nm) == repr(tm)


@settings(max_examples=15, deadline=None)
@given(size=st.integers(1, 5), shape=st.sampled_from([(2, 5, 4), (2, 6, 3, 4)]),
       params=st.sampled_from([(1e-4, 0.75, 1.0), (0.5, 0.5, 2.0)]))
def test_local_response_norm_matches_torch(size: int, shape: tuple, params: tuple) -> None:
    nm, tm = _module("LocalResponseNorm", np.float64, size, *params)
    assert_module_parity(nm, tm, np.random.default_rng(2).standard_normal(shape))
    assert repr(nm) == repr(tm)


def test_norm_functionals_gradcheck_and_double_backward() -> None:
    rng = np.random.default_rng(3)
    x = npgrad.tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)
    w = npgrad.tensor(rng.standard_normal(4), requires_grad=True)
    b = npgrad.tensor(rng.standard_normal(4), requires_grad=True)
    w2 = npgrad.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    for f, args in [(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b)),
                    (lambda x, w: F.layer_norm(x, (4, 2), w), (x, w2)),
                    (lambda x: F.layer_norm(x, (2,)), (x,)),
                    (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b)),
                    (lambda x: F.local_response_norm(x, 3), (x,))]:
        assert gradcheck(f, args)
        assert gradgradcheck(f, args)


def test_layer_norm_double_backward_matches_torch() -> None:
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((3, 5)), rng.standard_normal(5)]
    results = []
    for lib, fn, grad in ((torch, torch.nn.functional.layer_norm, torch.autograd.grad),
                          (npgrad, F.layer_norm, npgrad.autograd.grad)):
        x, w = (lib.tensor(a, requires_grad=True) for a in arrays)
        gx, gw = grad((fn(x, (5,), w) ** 3).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        results.append([t.grad.detach().numpy() if lib is torch else t.grad.data for t in (x, w)])
    for n, t in zip(results[1], results[0]):
        np.testing.assert_allclose(n, t, rtol=1e-8, atol=1e-9)


def test_norm_errors_match_torch() -> None:
    raises_like(lambda: npgrad.nn.LayerNorm(4)(npgrad.zeros(2, 3)), lambda: torch.nn.LayerNorm(4)(torch.zeros(2, 3)))
    raises_like(lambda: npgrad.nn.LayerNorm((3, 4))(npgrad.zeros(2, 4, 3)),
                lambda: torch.nn.LayerNorm((3, 4))(torch.zeros(2, 4, 3)))
    raises_like(lambda: npgrad.nn.GroupNorm(2, 4)(npgrad.zeros(2, 3, 5)), lambda: torch.nn.GroupNorm(2, 4)(torch.zeros(2, 3, 5)))
    raises_like(lambda: npgrad.nn.GroupNorm(3, 4), lambda: torch.nn.GroupNorm(3, 4))
    raises_like(lambda: npgrad.nn.GroupNorm(2, 4)(npgrad.zeros(4)), lambda: torch.nn.GroupNorm(2, 4)(torch.zeros(4)))
    raises_like(lambda: npgrad.nn.LocalResponseNorm(2)(npgrad.zeros(2, 3)),
                lambda: torch.nn.LocalResponseNorm(2)(torch.zeros(2, 3)))
    x = np.random.randn(2, 3, 4)
    fn_parity(lambda a: F.layer_norm(a, [4]), lambda a: torch.nn.functional.layer_norm(a, [4]), x)
    fn_parity(lambda a: F.group_norm(a, 3), lambda a: torch.nn.functional.group_norm(a, 3), x)
