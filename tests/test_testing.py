"""npgrad.testing: assert_close against torch.testing.assert_close, and check_against_torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.testing import assert_close, check_against_torch, default_tolerances

NAN, INF = float("nan"), float("inf")


def _outcome(fn, *args, **kwargs):
    """(exception type, message) raised by ``fn`` or (None, '') when it passes."""
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the type itself is compared
        return type(exc), str(exc)
    return None, ""


def _to_npgrad(x):
    if isinstance(x, np.ndarray):
        return npgrad.from_numpy(x.copy())
    if isinstance(x, list):
        return [_to_npgrad(v) for v in x]
    if isinstance(x, dict):
        return {k: _to_npgrad(v) for k, v in x.items()}
    return x


def _to_torch(x):
    if isinstance(x, np.ndarray):
        return torch.from_numpy(x.copy())
    if isinstance(x, list):
        return [_to_torch(v) for v in x]
    if isinstance(x, dict):
        return {k: _to_torch(v) for k, v in x.items()}
    return x


def _same_as_torch(actual, expected, **kwargs):
    mine = _outcome(assert_close, _to_npgrad(actual), _to_npgrad(expected), **kwargs)
    ref = _outcome(torch.testing.assert_close, _to_torch(actual), _to_torch(expected), **kwargs)
    assert mine[0] is ref[0]
    assert mine[1] == ref[1].replace("<class 'torch.Tensor'>", "<class 'npgrad.tensor.Tensor'>").replace(
        "torch.", "npgrad.")
    return mine


f32 = np.float32
CASES = [
    (np.array([[1, 2, 3], [4, 5, 6]], f32), np.array([[1, 2, 3], [4, 5.5, 6]], f32), {}),
    (np.arange(12.0).reshape(3, 4), np.arange(12.0).reshape(3, 4) + np.eye(3, 4) * 1e-3, {}),
    (np.array([1.0, NAN]), np.array([1.0, NAN]), {}),
    (np.array([1.0, NAN]), np.array([1.0, NAN]), {"equal_nan": True}),
    (np.array([1.0, INF], f32), np.array([1.0, 2.0], f32), {}),
    (np.array([INF, -INF]), np.array([INF, -INF]), {}),
    (np.array([0.0, 1.0], f32), np.array([0.0, 0.0], f32), {}),
    (np.array([1, 2, 3]), np.array([1, 2, 5]), {}),
    (np.array([True, False]), np.array([True, True]), {}),
    (np.array(1.0, f32), np.array(1.1, f32), {}),
    (np.array(3), np.array(4), {}),
    (np.ones((2, 3), f32), np.ones((3, 2), f32), {}),
    (np.ones(2, f32), np.ones(2), {}),
    (np.ones(2, f32), np.ones(2), {"check_dtype": False}),
    (np.array([1.0, 2.0], f32), np.array([1.0, 2.0001], np.float64), {"check_dtype": False}),
    (np.array([1.0, 1.0], np.float16), np.array([1.0, 1.002], np.float16), {}),
    (np.ones(2, f32), np.zeros(2, f32), {"rtol": 0.0, "atol": 1.0}),
    (np.ones(2, f32), np.full(2, 1.5, f32), {"rtol": 0.1, "atol": 0.1}),
    (np.ones(2, f32), np.zeros(2, f32), {"rtol": 1e-3}),
    (np.ones(2, f32), np.zeros(2, f32), {"atol": 1e-3}),
    (np.ones(2, f32), 1.0, {}),
    (np.ones(2, f32), np.zeros(2, f32), {"msg": "custom message"}),
    (np.ones(2, f32), np.zeros(2, f32), {"msg": lambda m: "prefix: " + m}),
    (np.zeros((0, 3), f32), np.zeros((0, 3), f32), {}),
    (np.random.default_rng(0).standard_normal((4, 5, 6)), np.random.default_rng(1).standard_normal((4, 5, 6)), {}),
    (1, 1.0, {}),
    (1.0, 1.1, {}),
    (1.0, 1.0 + 1e-9, {}),
    (True, False, {}),
    (None, None, {}),
    (None, 1, {}),
    ([1.0, 2.0], [1.0, 2.5], {}),
    ([1.0, 2.0], [1.0], {}),
    ((np.ones(2, f32), [np.ones(3), 2]), (np.ones(2, f32), [np.ones(3) * 2, 2]), {}),
    ({"a": np.ones(2, f32), "b": 1}, {"a": np.zeros(2, f32), "b": 1}, {}),
    ({"a": 1}, {"b": 1}, {}),
    ("abc", "abc", {}),
]


@pytest.mark.parametrize("actual,expected,kwargs", CASES)
def test_outcome_and_message_match_torch(actual, expected, kwargs):
    _same_as_torch(actual, expected, **kwargs)


def test_messages_name_the_worst_elements():
    a = np.zeros((3, 4), f32)
    e = a.copy()
    e[1, 2], e[2, 0] = 1.0, 1e-3
    kind, msg = _same_as_torch(a, e)
    assert kind is AssertionError
    assert "Mismatched elements: 2 / 12 (16.7%)" in msg
    assert "Greatest absolute difference: 1.0 at index (1, 2) (up to 1e-05 allowed)" in msg


@settings(max_examples=25, deadline=None)
@given(dtype=st.sampled_from([np.float16, np.float32, np.float64]), shape=st.lists(st.integers(0, 4), max_size=3),
       scale=st.floats(-8, 0), seed=st.integers(0, 2**16))
def test_default_tolerances_decide_like_torch(dtype, shape, scale, seed):
    """Perturbations around the dtype's tolerance: pass/fail and message agree with torch."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape).astype(dtype)
    e = np.asarray(a * (1 + rng.choice([-1, 1], size=shape) * 10.0 ** scale * rng.random(shape)), dtype=dtype)
    _same_as_torch(a, e)


def test_frameworks_mix():
    x = np.arange(6.0).reshape(2, 3)
    assert_close(npgrad.tensor(x), torch.tensor(x))
    assert_close(torch.tensor(x), x)
    assert_close(npgrad.tensor(x, requires_grad=True) * 1, x)
    with pytest.raises(AssertionError, match="Greatest absolute difference: 1.0 at index \\(1, 2\\)"):
        assert_close(npgrad.tensor(x), torch.tensor(x + (x == 5)))
    with pytest.raises(TypeError, match="No comparison pair"):
        assert_close(npgrad.ones(2), [1.0, 1.0])


def test_default_tolerance_table():
    assert default_tolerances("float32") == (1.3e-6, 1e-5)
    assert default_tolerances("float64") == (1e-7, 1e-7)
    assert default_tolerances("float16") == (1e-3, 1e-5)
    assert default_tolerances("int64", "bool") == (0.0, 0.0)
    assert default_tolerances("float64", "float16") == (1e-3, 1e-5)


# ----------------------------------------------------------------------------- check_against_torch
def _leaf(shape, seed, dtype=npgrad.float64, requires_grad=True):
    data = np.random.default_rng(seed).standard_normal(shape)
    return npgrad.tensor(data, dtype=dtype, requires_grad=requires_grad)


def test_check_matmul_relu_broadcast():
    x, w, b = _leaf((4, 3), 0), _leaf((3, 5), 1), _leaf((5,), 2)
    report = check_against_torch(lambda lib, x, w, b: (x @ w + b).relu(), x, w, b)
    assert [e.name for e in report.entries] == ["output", "grad of inputs[0]", "grad of inputs[1]", "grad of inputs[2]"]
    assert [e.shape for e in report.entries] == [(4, 5), (4, 3), (3, 5), (5,)]
    assert report.max_abs_diff < 1e-12
    assert "grad of inputs[2]" in str(report)
    assert x.grad is None  # the caller's tensors are left alone


def test_check_softmax_with_dim_and_frozen_input():
    x, y = _leaf((3, 4), 3), _leaf((3, 4), 4, requires_grad=False)
    report = check_against_torch(lambda lib, x, y, dim: lib.log_softmax(x * y, dim=dim), x, y, -1)
    assert [e.name for e in report.entries] == ["output", "grad of inputs[0]"]


def test_check_multiple_outputs_and_numbers():
    x = _leaf((4, 6), 5)
    report = check_against_torch(lambda lib, x: (x.max(dim=1).values, x.argmax(dim=1), x.sum().item(), x.shape), x)
    names = [e.name for e in report.entries]
    assert names == ["output[0]", "output[1]", "grad of inputs[0]"]


def test_check_float32_with_tolerances():
    x = _leaf((8, 16), 6, npgrad.float32)
    w = _leaf((16, 4), 7, npgrad.float32)
    check_against_torch(lambda lib, x, w: lib.tanh(x @ w).sum(0), x, w, rtol=1e-5, atol=1e-5)


def test_check_catches_forward_mismatch():
    x = _leaf((4, 3), 8)
    with pytest.raises(AssertionError) as info:
        check_against_torch(lambda lib, x: x.sigmoid() if lib is npgrad else x.tanh(), x)
    msg = str(info.value)
    assert msg.startswith("check_against_torch(<lambda>): output differs (npgrad: shape (4, 3), dtype float64; "
                          "torch: shape (4, 3), dtype float64)\nTensor-likes are not close!")
    assert "Mismatched elements: " in msg and "Greatest relative difference" in msg


def test_check_catches_gradient_mismatch():
    def square(lib, x):
        # same values, but npgrad's version hides one factor from autograd: gradient x instead of 2x
        return x * x.detach() if lib is npgrad else x * x

    with pytest.raises(AssertionError, match=r"grad of inputs\[0\] differs .*\nTensor-likes are not close!"):
        check_against_torch(square, _leaf((5,), 9))
    check_against_torch(square, _leaf((5,), 9), grad=False)  # the outputs alone agree


def test_check_catches_dtype_structure_and_requires_grad_mismatch():
    x = _leaf((3,), 10)
    with pytest.raises(AssertionError, match="attribute 'dtype' do not match: npgrad.float32 != npgrad.float64"):
        check_against_torch(lambda lib, x: x.float() if lib is npgrad else x, x)
    with pytest.raises(AssertionError, match="structure differs"):
        check_against_torch(lambda lib, x: (x, x) if lib is npgrad else (x,), x)
    with pytest.raises(AssertionError, match="requires_grad differs"):
        check_against_torch(lambda lib, x: x.detach() if lib is npgrad else x, x)
