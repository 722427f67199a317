"""Torch-parity helpers for the pointwise / binary / linalg op tests (private to those tests)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad

TOL = {np.float64: (1e-10, 1e-12), np.float32: (1e-5, 1e-6)}


def tol(dtype: Any) -> tuple:
    return TOL[np.dtype(dtype).type]


def dtype_name(d: Any) -> str:
    """'float32' for npgrad.float32, torch.float32 and np.float32 alike."""
    return str(d).split(".")[-1] if not isinstance(d, type) else np.dtype(d).name


def to_np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, npgrad.Tensor):
        return t.detach().numpy()
    return np.asarray(t)


def assert_same(ours: Any, theirs: Any, rtol: float | None = None, atol: float | None = None,
                check_dtype: bool = True) -> None:
    """Same dtype (by name), same shape, values close (NaN matches NaN, infinities match exactly)."""
    if isinstance(theirs, (bool, int, float)):
        assert ours == theirs, (ours, theirs)
        return
    assert isinstance(ours, npgrad.Tensor), type(ours)
    if check_dtype:
        assert dtype_name(ours.dtype) == dtype_name(theirs.dtype), (ours.dtype, theirs.dtype)
    a, b = to_np(ours), to_np(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    if b.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
        return
    if rtol is None:
        rtol, atol = tol(b.dtype) if b.dtype.type in TOL else (1e-3, 1e-3)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True)


def pair(arr: np.ndarray, requires_grad: bool = True) -> tuple:
    """The same data as an npgrad leaf and a torch leaf (each with its own copy)."""
    rg = requires_grad and arr.dtype.kind == "f"
    return (npgrad.tensor(arr.copy(), requires_grad=rg),
            torch.tensor(arr.copy(), requires_grad=rg))


def compare(fn_ours: Callable, fn_torch: Callable, arrays: Sequence[np.ndarray], *, grad: bool = True,
            rtol: float | None = None, atol: float | None = None, seed: int = 0) -> tuple:
    """Run both functions on the same inputs; compare outputs and (with a random upstream gradient)
    the gradient of every floating input. Returns (ours, theirs) leaves for further checks."""
    ours, theirs = zip(*(pair(a, grad) for a in arrays)) if arrays else ((), ())
    yo, yt = fn_ours(*ours), fn_torch(*theirs)
    assert_same(yo, yt, rtol, atol)
    if grad and yt.requires_grad:
        rng = np.random.default_rng(seed)
        v = rng.standard_normal(yt.shape).astype(to_np(yt).dtype)
        yt.backward(torch.tensor(v))
        yo.backward(npgrad.tensor(v))
        for o, t in zip(ours, theirs):
            if t.requires_grad:
                if t.grad is None:
                    assert o.grad is None or not to_np(o.grad).any()
                else:
                    assert o.grad is not None, "missing gradient"
                    assert_same(o.grad, t.grad, rtol, atol)
    return ours, theirs


def compare_double(fn_ours: Callable, fn_torch: Callable, arrays: Sequence[np.ndarray], *,
                   rtol: float = 1e-9, atol: float = 1e-10, seed: int = 1) -> None:
    """Second derivatives: d/dx <w, d/dx <v, f(x)>> with create_graph=True, against torch."""
    rng = np.random.default_rng(seed)
    ours, theirs = zip(*(pair(a) for a in arrays))
    yo, yt = fn_ours(*ours), fn_torch(*theirs)
    v = rng.standard_normal(yt.shape)
    gt = torch.autograd.grad(yt, theirs, torch.tensor(v, dtype=yt.dtype), create_graph=True, allow_unused=True)
    go = npgrad.autograd.grad([yo], list(ours), [npgrad.tensor(v, dtype=yo.dtype)], create_graph=True,
                              allow_unused=True)
    ws = [rng.standard_normal(a.shape) for a in arrays]
    st_ = sum(((g * torch.tensor(w, dtype=g.dtype)).sum() for g, w in zip(gt, ws) if g is not None and g.requires_grad),
              torch.zeros((), dtype=yt.dtype))
    so = None
    for g, w in zip(go, ws):
        if g is not None and g.requires_grad:
            term = (g * npgrad.tensor(w, dtype=g.dtype)).sum()
            so = term if so is None else so + term
    if not st_.requires_grad:
        return
    assert so is not None
    hs_t = torch.autograd.grad(st_, theirs, allow_unused=True)
    hs_o = npgrad.autograd.grad([so], list(ours), allow_unused=True)
    for ho, ht in zip(hs_o, hs_t):
        if ht is None or not ht.abs().sum().item():
            assert ho is None or not np.abs(to_np(ho)).sum()
        else:
            assert_same(ho, ht, rtol, atol)


def same_result(fn_ours: Callable, fn_torch: Callable, *arrays: Any, **kwargs: Any) -> None:
    """The two functions applied to the same arrays (as npgrad / torch tensors) agree exactly in dtype."""
    ours = fn_ours(*(npgrad.tensor(a) for a in arrays), **kwargs)
    theirs = fn_torch(*(torch.tensor(a) for a in arrays), **kwargs)
    if isinstance(theirs, bool):
        assert ours is theirs, (ours, theirs)
    else:
        assert_same(ours, theirs)


def same_error(ours: Callable, theirs: Callable, exc: type = RuntimeError) -> None:
    """Both raise ``exc`` with the same message."""
    try:
        theirs()
    except exc as e:
        expected = str(e)
    else:
        raise AssertionError("torch did not raise")
    try:
        ours()
    except exc as e:
        assert str(e) == expected, (str(e), expected)
    else:
        raise AssertionError(f"npgrad did not raise; torch raised: {expected}")


# ----------------------------------------------------------------------------- hypothesis strategies
def float_arrays(shape: tuple, dtype: Any = np.float64, lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy:
    return hnp.arrays(np.dtype(dtype), shape,
                      elements=st.floats(lo, hi, allow_nan=False, width=np.dtype(dtype).itemsize * 8))


def broadcast_pair(min_side: int = 0, max_dims: int = 3) -> st.SearchStrategy:
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=max_dims, min_side=min_side,
                                             max_side=4)


def random_array(rng: np.random.Generator, shape: tuple, dtype: Any, lo: float = -3.0, hi: float = 3.0) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return rng.uniform(lo, hi, shape).astype(dt)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    info = np.iinfo(dt)
    return rng.integers(max(info.min, -5), min(info.max, 6), shape).astype(dt)
