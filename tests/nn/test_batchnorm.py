"""BatchNorm1d/2d and InstanceNorm1d/2d vs torch: outputs, grads, running buffers over several steps, eval."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn.functional as F
from _torch_compare import assert_module_parity
from npgrad.autograd import gradcheck, gradgradcheck
from test_conv import fn_parity, raises_like


def _pair(name: str, c: int, dtype: Any, **kw: Any) -> tuple:
    tm = getattr(torch.nn, name)(c, **kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    nm = getattr(npgrad.nn, name)(c, **kw)
    return (nm.double() if dtype == np.float64 else nm), tm


@settings(max_examples=25, deadline=None)
@given(name_shape=st.sampled_from([("BatchNorm2d", (4, 3, 5, 6)), ("BatchNorm2d", (2, 3, 1, 2)), ("BatchNorm1d", (6, 3)),
                                   ("BatchNorm1d", (3, 3, 7))]),
       momentum=st.sampled_from([0.1, None, 0.5]), affine=st.booleans(), bias=st.booleans(),
       track=st.booleans(), dtype=st.sampled_from([np.float64, np.float32]), offset=st.sampled_from([0.0, 3.0]))
def test_batchnorm_train_steps_then_eval(name_shape: tuple, momentum: Any, affine: bool, bias: bool, track: bool,
                                         dtype: Any, offset: float) -> None:
    name, shape = name_shape
    nm, tm = _pair(name, shape[1], dtype, momentum=momentum, affine=affine, track_running_stats=track, bias=bias)
    rng = np.random.default_rng(0)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else {}
    for step in range(3):
        x = (rng.standard_normal(shape) * 2 + offset).astype(dtype)
        assert_module_parity(nm, tm, x, copy=step == 0, **tol)
    if track:
        assert int(nm.num_batches_tracked.data) == 3 and nm.num_batches_tracked.dtype == npgrad.int64
    assert_module_parity(nm, tm, rng.standard_normal(shape).astype(dtype), copy=False, train=False, **tol)


def test_batchnorm_big_input_float32() -> None:
    """A realistic activation size (2.4 MB, offset mean) stays within float32 tolerance of torch."""
    nm, tm = _pair("BatchNorm2d", 16, np.float32)
    x = np.random.default_rng(1).standard_normal((8, 16, 64, 72)).astype(np.float32)
    for step in range(2):
        assert_module_parity(nm, tm, x * 2 + 1, rtol=1e-4, atol=1e-5, copy=step == 0)


@pytest.mark.parametrize("name,shape", [("InstanceNorm2d", (3, 4, 5, 6)), ("InstanceNorm2d", (4, 5, 6)),
                                        ("InstanceNorm1d", (3, 4, 7)), ("InstanceNorm1d", (4, 7))])
@pytest.mark.parametrize("affine,track", [(False, False), (True, False), (True, True), (False, True)])
def test_instancenorm_matches_torch(name: str, shape: tuple, affine: bool, track: bool) -> None:
    nm, tm = _pair(name, 4, np.float64, affine=affine, track_running_stats=track)
    rng = np.random.default_rng(0)
    for step in range(2):
        assert_module_parity(nm, tm, rng.standard_normal(shape) + 1, copy=step == 0)
    assert_module_parity(nm, tm, rng.standard_normal(shape), copy=False, train=False)
    assert repr(nm) == repr(tm)


def test_functional_batch_norm_and_instance_norm() -> None:
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((4, 3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    for training in (True, False):
        trm, trv, nrm, nrv = torch.tensor(rm), torch.tensor(rv), npgrad.tensor(rm), npgrad.tensor(rv)
        fn_parity(lambda a, c, d: F.batch_norm(a, nrm, nrv, c, d, training, 0.3, 1e-3),
                  lambda a, c, d: torch.nn.functional.batch_norm(a, trm, trv, c, d, training, 0.3, 1e-3), x, w, b)
        np.testing.assert_allclose(nrm.data, trm.numpy(), rtol=1e-12)
        np.testing.assert_allclose(nrv.data, trv.numpy(), rtol=1e-12)
    fn_parity(lambda a: F.batch_norm(a, None, None, training=True), lambda a: torch.nn.functional.batch_norm(
        a, None, None, training=True), x)
    fn_parity(lambda a, c, d: F.instance_norm(a, weight=c, bias=d), lambda a, c, d: torch.nn.functional.instance_norm(
        a, weight=c, bias=d), x, w, b)


def test_batchnorm_gradcheck_and_double_backward() -> None:
    rng = np.random.default_rng(4)
    x = npgrad.tensor(rng.standard_normal((4, 3, 2, 2)), requires_grad=True)
    w = npgrad.tensor(rng.standard_normal(3), requires_grad=True)
    b = npgrad.tensor(rng.standard_normal(3), requires_grad=True)
    train = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert gradcheck(train, (x, w, b))
    assert gradgradcheck(train, (x, w, b))
    rm, rv = npgrad.tensor(rng.standard_normal(3)), npgrad.tensor(rng.random(3) + 0.5)
    evalf = lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False)  # noqa: E731
    assert gradcheck(evalf, (x, w, b))
    assert gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_batchnorm_double_backward_matches_torch() -> None:
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((5, 3, 4)), rng.standard_normal(3), rng.standard_normal(3)]
    results = []
    for lib, fn, grad in ((torch, torch.nn.functional.batch_norm, torch.autograd.grad),
                          (npgrad, F.batch_norm, npgrad.autograd.grad)):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        y = fn(x, None, None, w, b, training=True)
        gx, gw = grad((y ** 3).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        results.append([np.asarray(t.grad.detach().numpy() if lib is torch else t.grad.data) for t in (x, w, b)])
    for n, t in zip(results[1], results[0]):
        np.testing.assert_allclose(n, t, rtol=1e-8, atol=1e-9)


def test_batchnorm_errors_match_torch() -> None:
    cases = [("BatchNorm2d", dict(), (2, 4, 5, 5)), ("BatchNorm2d", dict(track_running_stats=False), (2, 4, 5, 5)),
             ("BatchNorm2d", dict(), (2, 3, 5)), ("BatchNorm1d", dict(), (2, 3, 5, 5)), ("BatchNorm1d", dict(), (1, 3)),
             ("BatchNorm2d", dict(), (1, 3, 1, 1)), ("InstanceNorm2d", dict(), (2, 3)),
             ("InstanceNorm2d", dict(affine=True), (2, 4, 5, 5)), ("InstanceNorm1d", dict(), (2, 3, 1))]
    for name, kw, shape in cases:
        raises_like(lambda: getattr(npgrad.nn, name)(3, **kw)(npgrad.zeros(shape)),
                    lambda: getattr(torch.nn, name)(3, **kw)(torch.zeros(shape)))
    raises_like(lambda: F.batch_norm(npgrad.zeros(2, 3), None, None), lambda: torch.nn.functional.batch_norm(
        torch.zeros(2, 3), None, None))
    out = npgrad.nn.BatchNorm1d(3).eval()(npgrad.zeros(1, 3))
    assert tuple(out.shape) == (1, 3)


def test_batchnorm_repr_and_state() -> None:
    for kw in [{}, dict(momentum=None, affine=False, track_running_stats=False), dict(eps=1e-3, bias=False)]:
        assert repr(npgrad.nn.BatchNorm2d(16, **kw)) == repr(torch.nn.BatchNorm2d(16, **kw))
        assert list(npgrad.nn.BatchNorm2d(16, **kw).state_dict()) == list(torch.nn.BatchNorm2d(16, **kw).state_dict())
    m = npgrad.nn.BatchNorm2d(4)
    assert m.weight.data.tolist() == [1.0] * 4 and m.bias.data.tolist() == [0.0] * 4
    assert m.running_var.data.tolist() == [1.0] * 4 and m.running_mean.data.dtype == np.float32
    m(npgrad.randn(3, 4, 2, 2))
    m.reset_running_stats()
    assert int(m.num_batches_tracked.data) == 0 and m.running_mean.data.tolist() == [0.0] * 4


def test_batchnorm_empty_batch_leaves_running_stats() -> None:
    nm, tm = _pair("BatchNorm2d", 3, np.float32)
    x = np.zeros((0, 3, 4, 4), np.float32)
    assert tuple(nm(npgrad.tensor(x)).shape) == tuple(tm(torch.tensor(x)).shape) == (0, 3, 4, 4)
    np.testing.assert_array_equal(nm.running_mean.data, tm.running_mean.numpy())
    np.testing.assert_array_equal(nm.running_var.data, tm.running_var.numpy())
    assert int(nm.num_batches_tracked.data) == int(tm.num_batches_tracked) == 1
