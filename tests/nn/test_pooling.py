"""Pooling vs torch: max/avg pool (1d, 2d), adaptive avg/max, max_unpool, layers, errors, gradcheck."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from test_conv import fn_parity, raises_like

TF = torch.nn.functional


@st.composite
def window_case(draw: Any) -> dict:
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # every window keeps at least one real element (torch's gradient is undefined otherwise)
    size = tuple(draw(st.integers(dd * (kk - 1) + 1, 9)) for kk, dd in zip(k, d))
    return dict(k=k, s=s, p=p, d=d, size=size, n=draw(st.integers(1, 2)), c=draw(st.integers(1, 3)),
                ceil=draw(st.booleans()), dtype=draw(st.sampled_from([np.float64, np.float32])),
                fill=draw(st.sampled_from(["normal", "relu", "ints"])), unbatched=draw(st.integers(0, 4)) == 0)


def _input(c: dict, nd: int = 2) -> np.ndarray:
    rng = np.random.default_rng(0)
    shape = ((c["c"],) if c["unbatched"] else (c["n"], c["c"])) + c["size"][2 - nd:]
    x = rng.standard_normal(shape)
    if c["fill"] == "relu":  # many ties: the first maximum must win, like torch
        x = np.maximum(x, 0)
    elif c["fill"] == "ints":
        x = rng.integers(-2, 3, shape).astype(float)
    return x.astype(c["dtype"])


@settings(max_examples=50, deadline=None)
@given(window_case())
def test_max_pool2d_matches_torch(c: dict) -> None:
    kw = dict(kernel_size=c["k"], stride=c["s"], padding=c["p"], dilation=c["d"], ceil_mode=c["ceil"])
    fn_parity(lambda a: F.max_pool2d(a, **kw, return_indices=True), lambda a: TF.max_pool2d(a, **kw, return_indices=True),
              _input(c))
    fn_parity(lambda a: F.max_pool2d(a, **kw), lambda a: TF.max_pool2d(a, **kw), _input(c))


@settings(max_examples=25, deadline=None)
@given(window_case())
def test_max_pool1d_matches_torch(c: dict) -> None:
    kw = dict(kernel_size=c["k"][1], stride=c["s"][1], padding=c["p"][1], dilation=c["d"][1], ceil_mode=c["ceil"])
    x = _input(c, nd=1)
    fn_parity(lambda a: F.max_pool1d(a, **kw, return_indices=True), lambda a: TF.max_pool1d(a, **kw, return_indices=True), x)
    if c["d"][1] == 1 or c["p"][1] <= c["k"][1] // 2:
        fn_parity(lambda a: F.max_pool1d(a, **kw), lambda a: TF.max_pool1d(a, **kw), x)


@settings(max_examples=40, deadline=None)
@given(window_case(), st.booleans(), st.sampled_from([None, None, 2, 5]))
def test_avg_pool2d_matches_torch(c: dict, include_pad: bool, divisor: int | None) -> None:
    kw = dict(kernel_size=c["k"], stride=c["s"], padding=c["p"], ceil_mode=c["ceil"], count_include_pad=include_pad,
              divisor_override=divisor)
    fn_parity(lambda a: F.avg_pool2d(a, **kw), lambda a: TF.avg_pool2d(a, **kw), _input(c))


@settings(max_examples=25, deadline=None)
@given(window_case(), st.booleans())
def test_avg_pool1d_matches_torch(c: dict, include_pad: bool) -> None:
    kw = dict(kernel_size=c["k"][1], stride=c["s"][1], padding=c["p"][1], ceil_mode=c["ceil"],
              count_include_pad=include_pad)
    fn_parity(lambda a: F.avg_pool1d(a, **kw), lambda a: TF.avg_pool1d(a, **kw), _input(c, nd=1))


def test_max_pool_nan_and_all_padding_windows() -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 6, 7))
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = x[1, 2, 5, 6] = np.nan
    for kw in [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2), dict(kernel_size=(3, 2), dilation=2)]:
        yt, it = TF.max_pool2d(torch.tensor(x), **kw, return_indices=True)
        yn, i_n = F.max_pool2d(npgrad.tensor(x), **kw, return_indices=True)
        np.testing.assert_array_equal(i_n.data, it.numpy())
        np.testing.assert_array_equal(np.isnan(yn.data), np.isnan(yt.numpy()))
    # windows whose elements are all -inf, or that lie entirely in the padding (indices only)
    for x in (np.full((1, 1, 4, 1), -np.inf), np.random.default_rng(0).standard_normal((1, 1, 4, 1))):
        kw = dict(kernel_size=(3, 2), stride=(3, 1), padding=(1, 1), dilation=(1, 2), ceil_mode=True)
        yt, it = TF.max_pool2d(torch.tensor(x), **kw, return_indices=True)
        yn, i_n = F.max_pool2d(npgrad.tensor(x), **kw, return_indices=True)
        np.testing.assert_array_equal(i_n.data, it.numpy())
        np.testing.assert_array_equal(yn.data, yt.numpy())


def test_max_pool_integer_input() -> None:
    x = np.random.default_rng(0).integers(-50, 50, (2, 3, 6, 6))
    fn_parity(lambda a: F.max_pool2d(a, 3, 2, 1, return_indices=True), lambda a: TF.max_pool2d(a, 3, 2, 1, return_indices=True),
              x)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), oh=st.one_of(st.none(), st.integers(1, 6)), ow=st.integers(1, 6),
       dtype=st.sampled_from([np.float64, np.float32]), unbatched=st.booleans(), relu=st.booleans())
def test_adaptive_pools_match_torch(h: int, w: int, oh: int | None, ow: int, dtype: Any, unbatched: bool,
                                    relu: bool) -> None:
    x = np.random.default_rng(0).standard_normal(((3,) if unbatched else (2, 3)) + (h, w)).astype(dtype)
    x = np.maximum(x, 0) if relu else x
    fn_parity(lambda a: F.adaptive_avg_pool2d(a, (oh, ow)), lambda a: TF.adaptive_avg_pool2d(a, (oh, ow)), x)
    fn_parity(lambda a: F.adaptive_max_pool2d(a, (oh, ow), True), lambda a: TF.adaptive_max_pool2d(a, (oh, ow), True), x)
    fn_parity(lambda a: F.adaptive_avg_pool1d(a, ow), lambda a: TF.adaptive_avg_pool1d(a, ow), x[..., 0, :])
    fn_parity(lambda a: F.adaptive_max_pool1d(a, ow, True), lambda a: TF.adaptive_max_pool1d(a, ow, True), x[..., 0, :])


@settings(max_examples=20, deadline=None)
@given(k=st.integers(2, 3), s=st.integers(1, 3), p=st.integers(0, 1), h=st.integers(5, 9), w=st.integers(5, 9))
def test_max_unpool_matches_torch(k: int, s: int, p: int, h: int, w: int) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, h, w))
    yt, it = TF.max_pool2d(torch.tensor(x), k, s, p, return_indices=True)
    default = [(n - 1) * s - 2 * p + k for n in yt.shape[2:]]
    assume(all(d - s < n < d + s for d, n in zip(default, (h, w))))  # the pooled input's size is a valid target
    fn_parity(lambda a, i: F.max_unpool2d(a, i, k, s, p, output_size=(h, w)),
              lambda a, i: TF.max_unpool2d(a, i, k, s, p, output_size=(h, w)), yt.numpy(), it.numpy())
    y1, i1 = TF.max_pool1d(torch.tensor(x[:, :, 0]), k, s, p, return_indices=True)
    fn_parity(lambda a, i: F.max_unpool1d(a, i, k, s, p, output_size=[w]),
              lambda a, i: TF.max_unpool1d(a, i, k, s, p, output_size=[w]), y1.numpy(), i1.numpy())


def test_pool_layers_match_torch_and_repr() -> None:
    from _torch_compare import assert_module_parity

    x = np.random.default_rng(1).standard_normal((2, 3, 9, 8))
    for name, args, kw in [("MaxPool2d", (2,), {}), ("MaxPool2d", ((2, 3), 1, 1, 2), dict(ceil_mode=True)),
                           ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
                           ("AvgPool2d", (2,), dict(divisor_override=3)), ("AdaptiveAvgPool2d", ((1, 1),), {}),
                           ("AdaptiveAvgPool2d", ((3, None),), {}), ("AdaptiveMaxPool2d", ((2, 3),), {}),
                           ("MaxPool1d", (3,), {}), ("AvgPool1d", (3, 2, 1), {}), ("AdaptiveAvgPool1d", (4,), {}),
                           ("AdaptiveMaxPool1d", (3,), dict(return_indices=True)),
                           ("MaxPool2d", (2,), dict(return_indices=True))]:
        tm, nm = getattr(torch.nn, name)(*args, **kw), getattr(npgrad.nn, name)(*args, **kw)
        assert repr(nm) == repr(tm)
        assert_module_parity(nm, tm, x[:, :, 0] if name.endswith("1d") else x)
    assert repr(npgrad.nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    for args in [(2,), (3, 2, 1)]:
        assert repr(npgrad.nn.MaxUnpool2d(*args)) == repr(torch.nn.MaxUnpool2d(*args))
        assert repr(npgrad.nn.MaxUnpool1d(*args)) == repr(torch.nn.MaxUnpool1d(*args))
    pool, unpool = npgrad.nn.MaxPool2d(2, return_indices=True), npgrad.nn.MaxUnpool2d(2)
    y, i = pool(npgrad.tensor(x))
    tp, ti = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(unpool(y, i, output_size=(9, 8)).data,
                                  torch.nn.MaxUnpool2d(2)(tp, ti, output_size=(9, 8)).numpy())


def test_pooling_gradcheck_and_double_backward() -> None:
    rng = np.random.default_rng(2)
    x = npgrad.tensor(rng.standard_normal((2, 2, 6, 5)), requires_grad=True)
    for f in [lambda t: F.max_pool2d(t, 3, 2, 1), lambda t: F.max_pool2d(t, 2), lambda t: F.avg_pool2d(t, 3, 2, 1),
              lambda t: F.avg_pool2d(t, 2, ceil_mode=True, count_include_pad=False),
              lambda t: F.adaptive_avg_pool2d(t, (4, 3)), lambda t: F.adaptive_max_pool2d(t, (4, 3)),
              lambda t: F.max_unpool2d(*F.max_pool2d(t, 2, return_indices=True), 2, output_size=t.shape[2:])]:
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))


def test_pooling_errors_match_torch() -> None:
    x = np.random.randn(2, 3, 8, 8)
    for fn, args, kw in [
        ("max_pool2d", (3,), dict(padding=2)), ("max_pool2d", (3,), dict(padding=2, dilation=2)),
        ("max_pool2d", (2,), dict(stride=0)), ("max_pool2d", (2,), dict(dilation=0)), ("max_pool2d", (9,), {}),
        ("avg_pool2d", (3,), dict(padding=2)), ("avg_pool2d", (9,), {}), ("avg_pool2d", (3,), dict(divisor_override=0)),
        ("max_pool2d", (0,), {}),
    ]:
        raises_like(lambda: getattr(F, fn)(npgrad.tensor(x), *args, **kw), lambda: getattr(TF, fn)(torch.tensor(x), *args, **kw))
    for shape in [(8, 8), (1, 2, 3, 8, 8)]:
        raises_like(lambda: F.max_pool2d(npgrad.zeros(shape), 2), lambda: TF.max_pool2d(torch.zeros(shape), 2))
        raises_like(lambda: F.adaptive_avg_pool2d(npgrad.zeros(shape), 2), lambda: TF.adaptive_avg_pool2d(torch.zeros(shape), 2))
        raises_like(lambda: F.adaptive_max_pool2d(npgrad.zeros(shape), 2), lambda: TF.adaptive_max_pool2d(torch.zeros(shape), 2))
    x1 = np.random.randn(2, 3, 8)
    for args, kw in [((3,), dict(padding=2)), ((0,), {}), ((2,), dict(stride=0)), ((9,), {}), ((3,), dict(padding=2, dilation=2))]:
        raises_like(lambda: F.max_pool1d(npgrad.tensor(x1), *args, **kw), lambda: TF.max_pool1d(torch.tensor(x1), *args, **kw))
    raises_like(lambda: F.max_pool1d(npgrad.zeros(1, 2, 3, 8), 3), lambda: TF.max_pool1d(torch.zeros(1, 2, 3, 8), 3))
    raises_like(lambda: F.avg_pool1d(npgrad.zeros(1, 2, 3, 8), 3), lambda: TF.avg_pool1d(torch.zeros(1, 2, 3, 8), 3))
    raises_like(lambda: F.adaptive_avg_pool1d(npgrad.zeros(1, 2, 3, 8), 3), lambda: TF.adaptive_avg_pool1d(torch.zeros(1, 2, 3, 8), 3))
    yt, it = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    yn, i_n = F.max_pool2d(npgrad.tensor(x), 2, return_indices=True)
    raises_like(lambda: F.max_unpool2d(yn, i_n, 2, output_size=(12, 12)), lambda: TF.max_unpool2d(yt, it, 2, output_size=(12, 12)))
    assert tuple(F.max_pool2d(npgrad.zeros(0, 2, 8, 8), 2).shape) == (0, 2, 4, 4)
    assert tuple(F.adaptive_avg_pool2d(npgrad.zeros(2, 3, 8, 8), (0, 2)).shape) == (2, 3, 0, 2)


@pytest.mark.parametrize("layer", ["MaxPool2d", "AvgPool2d"])
def test_pool_float32_realistic(layer: str) -> None:
    x = np.random.default_rng(0).standard_normal((4, 16, 16, 16)).astype(np.float32)
    fn_parity(getattr(npgrad.nn, layer)(2), getattr(torch.nn, layer)(2), np.maximum(x, 0))
    fn_parity(getattr(npgrad.nn, layer)(3, 2, 1), getattr(torch.nn, layer)(3, 2, 1), x)
