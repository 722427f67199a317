"""Convolutions vs torch: conv1d/2d, conv_transpose1d/2d, unfold/fold, the layers, errors, gradcheck."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn.functional as F
from _torch_compare import assert_module_parity
from npgrad.autograd import gradcheck, gradgradcheck

TOL = {np.float64: (1e-9, 1e-11), np.float32: (1e-4, 1e-5)}


def fn_parity(np_fn: Callable, torch_fn: Callable, *arrays: np.ndarray, rtol: float | None = None,
              atol: float | None = None, seed: int = 0) -> Any:
    """np_fn(*tensors) == torch_fn(*tensors): output(s) and the gradient of every floating input."""
    dt = next((a.dtype.type for a in arrays if a.dtype.kind == "f"), np.float64)
    rtol = TOL[dt][0] if rtol is None else rtol
    atol = TOL[dt][1] if atol is None else atol
    tin = [torch.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    nin = [npgrad.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    tout, nout = torch_fn(*tin), np_fn(*nin)
    touts = list(tout) if isinstance(tout, tuple) else [tout]
    nouts = list(nout) if isinstance(nout, tuple) else [nout]
    assert len(touts) == len(nouts)
    rng = np.random.default_rng(seed)
    tl, nl = 0, 0
    for t, n in zip(touts, nouts):
        assert tuple(n.shape) == tuple(t.shape)
        assert n.dtype == getattr(npgrad, str(t.dtype).split(".")[1])
        if t.dtype.is_floating_point:
            np.testing.assert_allclose(n.data, t.detach().numpy(), rtol=rtol, atol=atol)
            if t.requires_grad and t.numel():
                w = rng.standard_normal(tuple(t.shape)).astype(n.data.dtype)
                tl = tl + (t * torch.from_numpy(w)).sum()
                nl = nl + (n * npgrad.tensor(w)).sum()
        else:
            np.testing.assert_array_equal(n.data, t.numpy())
    if isinstance(tl, torch.Tensor):
        tl.backward()
        nl.backward()
        for i, (t, n) in enumerate(zip(tin, nin)):
            if t.requires_grad:
                assert (t.grad is None) == (n.grad is None), f"input {i}"
                if t.grad is not None:
                    np.testing.assert_allclose(n.grad.data, t.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"input {i}")
    return nout


def raises_like(np_fn: Callable, torch_fn: Callable) -> None:
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as te:
        torch_fn()
    with pytest.raises(type(te.value)) as ne:
        np_fn()
    assert str(ne.value) == str(te.value).replace("torch.Size", "npgrad.Size")


@st.composite
def conv_case(draw: Any, nd: int) -> dict:
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    p = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    size = tuple(draw(st.integers(max(1, dd * (kk - 1) + 1 - 2 * pp), 8)) for kk, dd, pp in zip(k, d, p))
    return dict(n=draw(st.integers(1, 3)), cin=groups * draw(st.integers(1, 3)), cout=groups * draw(st.integers(1, 3)),
                k=k, s=s, p=p, d=d, groups=groups, size=size, bias=draw(st.booleans()),
                dtype=draw(st.sampled_from([np.float64, np.float32])), unbatched=draw(st.integers(0, 5)) == 0)


def _arrays(c: dict, transposed: bool = False) -> list:
    rng = np.random.default_rng(0)
    cin, cout = c["cin"], c["cout"]
    wshape = (cin, cout // c["groups"]) if transposed else (cout, cin // c["groups"])
    lead = () if c["unbatched"] else (c["n"],)
    arrays = [rng.standard_normal(lead + (cin,) + c["size"]), rng.standard_normal(wshape + c["k"])]
    if c["bias"]:
        arrays.append(rng.standard_normal(cout))
    return [a.astype(c["dtype"]) for a in arrays]


@settings(max_examples=40, deadline=None)
@given(conv_case(2))
def test_conv2d_matches_torch(c: dict) -> None:
    kw = dict(stride=c["s"], padding=c["p"], dilation=c["d"], groups=c["groups"])
    fn_parity(lambda *a: F.conv2d(*a, **kw), lambda *a: torch.nn.functional.conv2d(*a, **kw), *_arrays(c))


@settings(max_examples=25, deadline=None)
@given(conv_case(1))
def test_conv1d_matches_torch(c: dict) -> None:
    kw = dict(stride=c["s"], padding=c["p"], dilation=c["d"], groups=c["groups"])
    fn_parity(lambda *a: F.conv1d(*a, **kw), lambda *a: torch.nn.functional.conv1d(*a, **kw), *_arrays(c))


@settings(max_examples=30, deadline=None)
@given(conv_case(2), st.data())
def test_conv_transpose2d_matches_torch(c: dict, data: Any) -> None:
    op = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(c["s"], c["d"]))
    kw = dict(stride=c["s"], padding=c["p"], output_padding=op, dilation=c["d"], groups=c["groups"])
    out = [(i - 1) * s - 2 * p + d * (k - 1) + o + 1 for i, s, p, d, k, o in zip(c["size"], c["s"], c["p"], c["d"], c["k"], op)]
    if min(out) <= 0:
        return
    fn_parity(lambda *a: F.conv_transpose2d(*a, **kw), lambda *a: torch.nn.functional.conv_transpose2d(*a, **kw),
              *_arrays(c, transposed=True))


@settings(max_examples=20, deadline=None)
@given(conv_case(1), st.data())
def test_conv_transpose1d_matches_torch(c: dict, data: Any) -> None:
    op = (data.draw(st.integers(0, max(c["s"][0], c["d"][0]) - 1)),)
    kw = dict(stride=c["s"], padding=c["p"], output_padding=op, dilation=c["d"], groups=c["groups"])
    if (c["size"][0] - 1) * c["s"][0] - 2 * c["p"][0] + c["d"][0] * (c["k"][0] - 1) + op[0] + 1 <= 0:
        return
    fn_parity(lambda *a: F.conv_transpose1d(*a, **kw), lambda *a: torch.nn.functional.conv_transpose1d(*a, **kw),
              *_arrays(c, transposed=True))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("k,d", [(3, 1), (4, 1), (2, 3)])
def test_conv2d_string_padding(padding: str, k: int, d: int) -> None:
    x, w = np.random.randn(2, 3, 7, 6), np.random.randn(4, 3, k, k)
    fn_parity(lambda a, b: F.conv2d(a, b, padding=padding, dilation=d),
              lambda a, b: torch.nn.functional.conv2d(a, b, padding=padding, dilation=d), x, w)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("layer,shape", [("Conv2d", (2, 4, 7, 6)), ("Conv1d", (2, 4, 9))])
def test_conv_layer_padding_modes(mode: str, layer: str, shape: tuple) -> None:
    kw = dict(kernel_size=3, stride=2, padding=2, dilation=1, groups=2, padding_mode=mode)
    tm = getattr(torch.nn, layer)(4, 6, **kw).double()
    nm = getattr(npgrad.nn, layer)(4, 6, **kw).double()
    assert_module_parity(nm, tm, np.random.randn(*shape))
    sm = getattr(torch.nn, layer)(4, 6, 3, padding="same", padding_mode=mode, dilation=2).double()
    assert_module_parity(getattr(npgrad.nn, layer)(4, 6, 3, padding="same", padding_mode=mode, dilation=2).double(),
                         sm, np.random.randn(*shape))


def test_conv2d_float32_realistic_shape() -> None:
    tm = torch.nn.Conv2d(16, 32, 3, padding=1)
    nm = npgrad.nn.Conv2d(16, 32, 3, padding=1)
    assert_module_parity(nm, tm, np.random.randn(4, 16, 12, 12).astype(np.float32), rtol=1e-4, atol=1e-4)
    # a bigger input (several column blocks per GEMM pass); float64 since the weight grads sum 35k terms
    tm, nm = torch.nn.Conv2d(16, 8, 3, padding=1).double(), npgrad.nn.Conv2d(16, 8, 3, padding=1).double()
    assert_module_parity(nm, tm, np.random.randn(4, 16, 96, 90))
    tm, nm = torch.nn.Conv2d(16, 32, 1, stride=2, bias=False), npgrad.nn.Conv2d(16, 32, 1, stride=2, bias=False)
    assert_module_parity(nm, tm, np.random.randn(4, 16, 9, 9).astype(np.float32), rtol=1e-4, atol=1e-4)


def test_conv_transpose_layer_output_size() -> None:
    tm = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1).double()
    nm = npgrad.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1).double()
    x = np.random.randn(2, 4, 5, 5)
    out = assert_module_parity(nm, tm, x, forward_kwargs=dict(output_size=[10, 10]))
    assert tuple(out.shape) == (2, 6, 10, 10)
    raises_like(lambda: nm(npgrad.tensor(x), output_size=(12, 12)), lambda: tm(torch.tensor(x), output_size=(12, 12)))
    tm1 = torch.nn.ConvTranspose1d(4, 2, 3, stride=3, output_padding=2, dilation=3).double()
    assert_module_parity(npgrad.nn.ConvTranspose1d(4, 2, 3, stride=3, output_padding=2, dilation=3).double(), tm1,
                         np.random.randn(2, 4, 5))


def test_conv_double_backward_and_gradcheck() -> None:
    rng = np.random.default_rng(1)
    x = npgrad.tensor(rng.standard_normal((2, 4, 5, 6)), requires_grad=True)
    w = npgrad.tensor(rng.standard_normal((6, 2, 3, 2)), requires_grad=True)
    b = npgrad.tensor(rng.standard_normal(6), requires_grad=True)
    f = lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))
    xt = npgrad.tensor(rng.standard_normal((2, 6, 3, 4)), requires_grad=True)
    bt = npgrad.tensor(rng.standard_normal(4), requires_grad=True)
    g = lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2)  # noqa: E731
    assert gradcheck(g, (xt, w, bt))
    assert gradgradcheck(g, (xt, w, bt))
    x1 = npgrad.tensor(rng.standard_normal((2, 3, 7)), requires_grad=True)
    w1 = npgrad.tensor(rng.standard_normal((2, 3, 3)), requires_grad=True)
    assert gradgradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1), (x1, w1))


def test_conv_double_backward_matches_torch() -> None:
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))]
    grads = []
    for lib, fn in ((torch, torch.nn.functional.conv2d), (npgrad, F.conv2d)):
        x, w = (lib.tensor(a, requires_grad=True) for a in arrays)
        y = fn(x, w, stride=2, padding=1)
        gx, gw = (torch.autograd.grad if lib is torch else npgrad.autograd.grad)(
            (y * y).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw ** 3).sum()).backward()
        grads.append((x.grad.numpy() if lib is torch else x.grad.data, w.grad.numpy() if lib is torch else w.grad.data))
    for t, n in zip(*grads):
        np.testing.assert_allclose(n, t, rtol=1e-9, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(k=st.tuples(st.integers(1, 3), st.integers(1, 3)), s=st.tuples(st.integers(1, 2), st.integers(1, 3)),
       p=st.integers(0, 1), d=st.integers(1, 2), unbatched=st.booleans())
def test_unfold_fold_match_torch(k: tuple, s: tuple, p: int, d: int, unbatched: bool) -> None:
    x = np.random.default_rng(0).standard_normal(((2,) if not unbatched else ()) + (3, 7, 6))
    kw = dict(kernel_size=k, dilation=d, padding=p, stride=s)
    cols = fn_parity(lambda a: F.unfold(a, **kw), lambda a: torch.nn.functional.unfold(a, **kw), x)
    fn_parity(lambda a: F.fold(a, (7, 6), **kw), lambda a: torch.nn.functional.fold(a, (7, 6), **kw), cols.data)
    assert repr(npgrad.nn.Fold((7, 6), **kw)) == repr(torch.nn.Fold((7, 6), **kw))
    assert repr(npgrad.nn.Unfold(**kw)) == repr(torch.nn.Unfold(**kw))


def test_conv_layer_init_and_repr() -> None:
    npgrad.manual_seed(0)
    m = npgrad.nn.Conv2d(16, 32, 3, padding=1)
    bound = 1 / math.sqrt(16 * 9)
    w = m.weight.data
    assert w.shape == (32, 16, 3, 3) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound and abs(w.mean()) < 0.1 * bound
    assert np.abs(m.bias.data).max() <= bound
    assert np.std(w) == pytest.approx(bound / math.sqrt(3), rel=0.1)
    t = npgrad.nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert t.weight.shape == (4, 3, 3, 3)
    assert np.abs(t.bias.data).max() <= 1 / math.sqrt(3 * 9)
    for args, kw in [((3, 16, 3), dict(padding=1)), ((4, 16, 3), dict(padding="same", padding_mode="reflect", dilation=2,
                     groups=2, bias=False)), ((4, 8, (3, 2)), dict(stride=(2, 1))), ((4, 8, 1), dict(padding="valid"))]:
        assert repr(npgrad.nn.Conv2d(*args, **kw)) == repr(torch.nn.Conv2d(*args, **kw))
    assert repr(npgrad.nn.Conv2d(3, 16, 3, padding=1)) == "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(npgrad.nn.Conv1d(4, 16, 3, padding=1, padding_mode="circular")) == repr(
        torch.nn.Conv1d(4, 16, 3, padding=1, padding_mode="circular"))
    assert repr(npgrad.nn.ConvTranspose1d(4, 16, 3, stride=2, output_padding=1, dilation=2)) == repr(
        torch.nn.ConvTranspose1d(4, 16, 3, stride=2, output_padding=1, dilation=2))
    assert npgrad.nn.Conv2d(2, 2, 3, dtype=npgrad.float64).weight.dtype == npgrad.float64


def test_conv_errors_match_torch() -> None:
    w = np.random.randn(16, 3, 3, 3).astype(np.float32)
    cases = [
        ((8, 4, 32, 32), w, {}), ((2, 3, 4, 4, 4), w, {}), ((32, 32), w, {}), ((1, 3, 2, 2), w, {}),
        ((1, 3, 4, 4), w, dict(dilation=2)), ((1, 3, 5, 5), w, dict(groups=2)), ((1, 3, 5, 5), w, dict(stride=0)),
        ((1, 3, 5, 5), w, dict(padding=-1)), ((1, 3, 5, 5), w, dict(padding="same", stride=2)),
        ((1, 3, 5, 5), w, dict(padding="foo")), ((1, 6, 5, 5), np.random.randn(15, 3, 3, 3).astype(np.float32),
                                                   dict(groups=2)),
        ((1, 3, 5, 5), w, dict(dilation=0)), ((1, 3, 5, 5), w, dict(stride=(2, 2, 2))),
    ]
    for shape, wt, kw in cases:
        x = np.random.randn(*shape).astype(np.float32)
        raises_like(lambda: F.conv2d(npgrad.tensor(x), npgrad.tensor(wt), **kw),
                    lambda: torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(wt), **kw))
    x = np.random.randn(1, 3, 5, 5)
    raises_like(lambda: F.conv2d(npgrad.tensor(x), npgrad.tensor(w)), lambda: torch.nn.functional.conv2d(
        torch.tensor(x), torch.tensor(w)))
    raises_like(lambda: F.conv2d(npgrad.tensor(x.astype(np.float32)), npgrad.tensor(w), npgrad.tensor(np.ones(15, np.float32))),
                lambda: torch.nn.functional.conv2d(torch.tensor(x).float(), torch.tensor(w), torch.ones(15)))
    raises_like(lambda: F.conv1d(npgrad.tensor(np.ones((1, 4, 5))), npgrad.tensor(np.ones((4, 3, 3)))),
                lambda: torch.nn.functional.conv1d(torch.ones(1, 4, 5).double(), torch.ones(4, 3, 3).double()))
    raises_like(lambda: F.conv1d(npgrad.tensor(np.ones((1, 3, 2))), npgrad.tensor(np.ones((4, 3, 3)))),
                lambda: torch.nn.functional.conv1d(torch.ones(1, 3, 2).double(), torch.ones(4, 3, 3).double()))
    wt = np.ones((3, 4, 3, 3))
    for shape, kw in [((1, 4, 5, 5), {}), ((1, 3, 5, 5), dict(output_padding=1)), ((1, 3, 1, 1), dict(padding=3))]:
        raises_like(lambda: F.conv_transpose2d(npgrad.tensor(np.ones(shape)), npgrad.tensor(wt), **kw),
                    lambda: torch.nn.functional.conv_transpose2d(torch.ones(shape).double(), torch.tensor(wt), **kw))
    for kw in [dict(groups=2), dict(padding_mode="foo"), dict(padding="same", stride=2)]:
        with pytest.raises(ValueError):
            npgrad.nn.Conv2d(3, 16, 3, **kw)
    with pytest.raises(ValueError, match="zeros"):
        npgrad.nn.ConvTranspose2d(4, 16, 3, padding_mode="reflect")


def test_conv_error_message_text() -> None:
    conv = npgrad.nn.Conv2d(3, 16, 3)
    with pytest.raises(RuntimeError) as e:
        F.conv2d(npgrad.zeros(8, 4, 32, 32), conv.weight)
    assert str(e.value) == ("Given groups=1, weight of size [16, 3, 3, 3], expected input[8, 4, 32, 32] to have 3 "
                            "channels, but got 4 channels instead")
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got "
                                           r"input of size: \[2, 3\]"):
        F.conv2d(npgrad.zeros(2, 3), conv.weight)
    with pytest.raises(RuntimeError, match=r"Calculated padded input size per channel: \(2 x 2\)\. Kernel size: "
                                           r"\(3 x 3\)\. Kernel size can't be greater than actual input size"):
        F.conv2d(npgrad.zeros(1, 3, 2, 2), conv.weight)


def test_conv_empty_batch_and_no_grad() -> None:
    x = np.zeros((0, 3, 5, 5))
    fn_parity(lambda a, b: F.conv2d(a, b, padding=1), lambda a, b: torch.nn.functional.conv2d(a, b, padding=1), x,
              np.random.randn(4, 3, 3, 3))
    with npgrad.no_grad():
        y = npgrad.nn.Conv2d(3, 4, 3)(npgrad.randn(2, 3, 5, 5, requires_grad=True))
    assert y.grad_fn is None and not y.requires_grad
