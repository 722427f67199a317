"""Element-wise numerics against torch: silent inf / NaN (no NumPy RuntimeWarning leaks out of an op)
and the float32 rounding of the elu family's coefficients (celu's 1 / alpha)."""
from __future__ import annotations

import itertools
import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import npgrad
from npgrad.ops import binary as B
from npgrad.ops import pointwise as P
from npgrad.ops._util import quiet_fp, restore_fp

from _compare_pb import assert_same, to_np

# per dtype: values that overflow, cancel to NaN or divide by zero in the ops below
EXTREMES = {
    np.float16: [np.inf, -np.inf, np.nan, 0.0, -0.0, 6e4, -6e4, 300.0, 1e-7, 2.0, -3.0],
    np.float32: [np.inf, -np.inf, np.nan, 0.0, -0.0, 3e38, -3e38, 1e20, 1e-45, 2.0, -3.0],
    np.float64: [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.7e308, -1.7e308, 1e200, 5e-324, 2.0, -3.0],
}
BINARY = {
    "add": lambda L, a, b: L.add(a, b),
    "add_alpha": lambda L, a, b: L.add(a, b, alpha=3.0),
    "sub": lambda L, a, b: L.sub(a, b),
    "mul": lambda L, a, b: L.mul(a, b),
    "div": lambda L, a, b: L.div(a, b),
    "div_floor": lambda L, a, b: L.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda L, a, b: L.div(a, b, rounding_mode="trunc"),
    "fmod": lambda L, a, b: L.fmod(a, b),
    "pow": lambda L, a, b: L.pow(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b),
    "lerp": lambda L, a, b: L.lerp(a, b, 0.3),
    "where": lambda L, a, b: L.where(a > b, a, b),
    "lt": lambda L, a, b: L.lt(a, b),
}
# Values are compared too, except where npgrad and torch already differ at these edges (not a
# warning matter): torch fuses ``a + alpha * b`` (inf + 3 * -huge is inf, not NaN), flushes
# denormal divisors to zero in fmod (NaN), computes float16 lerp in float32 and gives atan2's
# gradient 0 at (0, 0) (zero or denormal a and b).
VALUES_DIFFER = {("add_alpha", np.float16), ("add_alpha", np.float32), ("add_alpha", np.float64),
                 ("fmod", np.float32), ("fmod", np.float64), ("lerp", np.float16)}
SCALAR = {  # a Python number beyond the dtype's range: cast to inf, silently
    "mul_big": lambda L, a: L.mul(a, 1e300),
    "sub_big": lambda L, a: L.sub(a, 1e300),
    "div_tiny": lambda L, a: L.div(a, 1e-300),
    "lt_big": lambda L, a: L.lt(a, 1e300),
    "ge_big": lambda L, a: L.ge(a, -1e300),
}
SCALAR_SILENT_ONLY = {  # torch refuses these numbers ("cannot be converted ... without overflow")
    "maximum_big": lambda L, a: L.maximum(a, 1e300),
    "where_big": lambda L, a: L.where(a > 0, a, 1e300),
    "clamp_big": lambda L, a: L.clamp(a, -1e300, 1e300),
    "masked_fill_big": lambda L, a: a.masked_fill(a > 0, 1e300),
}
UNARY = {
    "exp": lambda L, x: L.exp(x),
    "expm1": lambda L, x: L.expm1(x),
    "log": lambda L, x: L.log(x),
    "log1p": lambda L, x: L.log1p(x),
    "sqrt": lambda L, x: L.sqrt(x),
    "rsqrt": lambda L, x: L.rsqrt(x),
    "reciprocal": lambda L, x: L.reciprocal(x),
    "square": lambda L, x: L.square(x),
    "sigmoid": lambda L, x: L.sigmoid(x),
    "tanh": lambda L, x: L.tanh(x),
    "sin": lambda L, x: L.sin(x),
    "celu": lambda L, x: L.nn.functional.celu(x, 0.3),
    "softplus": lambda L, x: L.nn.functional.softplus(x),
    "silu": lambda L, x: L.nn.functional.silu(x),
}


def _pairs(dtype: type) -> tuple:
    vals = EXTREMES[dtype]
    a = np.array([x for x, _ in itertools.product(vals, vals)], dtype)
    b = np.array([y for _, y in itertools.product(vals, vals)], dtype)
    return a, b


def _tol(dtype: type) -> dict:
    return {"rtol": 1e-2, "atol": 1e-2} if dtype == np.float16 else {}


def _same_values(ours: npgrad.Tensor, theirs: torch.Tensor, dtype: type) -> None:
    """Same dtype and values; NaN where torch has NaN, the same infinities."""
    assert_same(ours, theirs, **_tol(dtype))
    o, t = to_np(ours).astype(np.float64), to_np(theirs).astype(np.float64)
    np.testing.assert_array_equal(np.isnan(o), np.isnan(t))
    np.testing.assert_array_equal(np.where(np.isinf(t), o, 0), np.where(np.isinf(t), t, 0))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_on_extremes_are_silent_and_match_torch(name: str, dtype: type) -> None:
    a, b = _pairs(dtype)
    fn = BINARY[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = fn(npgrad, npgrad.tensor(a), npgrad.tensor(b))
    theirs = fn(torch, torch.tensor(a), torch.tensor(b))
    if name == "lt":
        assert_same(ours, theirs)
    elif (name, dtype) in VALUES_DIFFER:
        assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype).replace("torch", "npgrad")
    else:
        _same_values(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(SCALAR))
def test_scalar_operand_out_of_range_is_silent_and_matches_torch(name: str, dtype: type) -> None:
    a = np.array(EXTREMES[dtype], dtype)
    fn = SCALAR[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = fn(npgrad, npgrad.tensor(a))
    theirs = fn(torch, torch.tensor(a))
    if ours.dtype == npgrad.bool:
        assert_same(ours, theirs)
    else:
        _same_values(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", sorted(SCALAR_SILENT_ONLY))
def test_scalar_bound_out_of_range_is_silent(name: str, dtype: type) -> None:
    a = np.array(EXTREMES[dtype], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = SCALAR_SILENT_ONLY[name](npgrad, npgrad.tensor(a))
    assert out.shape == a.shape and np.isinf(out.numpy()).any()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_on_extremes_are_silent_and_match_torch(name: str, dtype: type) -> None:
    x = np.array(EXTREMES[dtype] + [800.0, -800.0, 1e4, -1e4], dtype)
    fn = UNARY[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = fn(npgrad, npgrad.tensor(x))
    theirs = fn(torch, torch.tensor(x))
    _same_values(ours, theirs, dtype)


@pytest.mark.parametrize("name", ["mul", "sub", "div", "pow", "maximum", "lerp", "atan2"])
def test_binary_backward_on_extremes_is_silent_and_matches_torch(name: str) -> None:
    """Gradients of the same pairs: silent, and torch's values (atan2: away from (0, 0))."""
    a, b = _pairs(np.float32)
    fn = BINARY[name]
    g = np.ones(a.shape, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ao, bo = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
        fn(npgrad, ao, bo).backward(npgrad.tensor(g))
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    fn(torch, at, bt).backward(torch.tensor(g))
    keep = ~((np.abs(a) < 1e-30) & (np.abs(b) < 1e-30)) if name == "atan2" else np.ones(a.shape, bool)
    for o, t in ((ao, at), (bo, bt)):
        _same_values(o.grad[npgrad.tensor(keep)], t.grad[torch.tensor(keep)], np.float32)


def test_float16_overflow_and_cancellation_examples() -> None:
    """The cases from the bug report: float16 a * b overflowing, inf - inf, exp overflow."""
    a = npgrad.tensor([300.0, np.inf, 100.0], dtype=npgrad.float16)
    b = npgrad.tensor([300.0, np.inf, -100.0], dtype=npgrad.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prod, diff, big = a * b, a - b, npgrad.exp(npgrad.tensor([1000.0]))
    ta, tb = torch.tensor([300.0, np.inf, 100.0], dtype=torch.float16), torch.tensor([300.0, np.inf, -100.0],
                                                                                     dtype=torch.float16)
    _same_values(prod, ta * tb, np.float16)
    _same_values(diff, ta - tb, np.float16)
    _same_values(big, torch.exp(torch.tensor([1000.0])), np.float32)


def test_quiet_fp_restores_the_callers_error_state() -> None:
    before = np.geterr()
    with np.errstate(over="raise"):
        token = quiet_fp()
        try:
            assert np.float16(6e4) * np.float16(6e4) == np.inf  # silenced
        finally:
            restore_fp(token)
        with pytest.raises(FloatingPointError):
            np.float16(6e4) * np.float16(6e4)
    assert np.geterr() == before
    x = npgrad.tensor([6e4], dtype=npgrad.float16)
    with np.errstate(all="raise"):  # an op ignores the caller's setting, as torch does, and leaves it
        assert np.isinf((x * x).numpy()).all()
        with pytest.raises(FloatingPointError):
            np.float16(6e4) * np.float16(6e4)


# ----------------------------------------------------------------------------- celu / elu coefficients
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [0.3, 1.7, 0.1, 2.5])
def test_celu_gradient_rounds_like_torch(alpha: float, dtype: type) -> None:
    """At x = 0 (and x <= -large) exp is exact, so the gradient is exactly torch's
    ((g * (1 / float32(alpha))) * alpha) in the dtype: bit-for-bit equal."""
    g = np.random.default_rng(0).standard_normal(4096).astype(dtype)
    x = np.zeros(4096, dtype)
    xt = torch.tensor(x, requires_grad=True)
    TF.celu(xt, alpha).backward(torch.tensor(g))
    xo = npgrad.tensor(x, requires_grad=True)
    P.celu(xo, alpha).backward(npgrad.tensor(g))
    np.testing.assert_array_equal(to_np(xo.grad), to_np(xt.grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [0.3, 1.7])
def test_celu_matches_torch_on_random_inputs(alpha: float, dtype: type) -> None:
    """Forward and gradient within the exp / expm1 rounding of torch (float32: a few ulp;
    float64: a few 1e-16, which the old 1 / alpha coefficient missed by ~1e-8)."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(20000) * 3).astype(dtype)
    g = rng.standard_normal(20000).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    yt = TF.celu(xt, alpha)
    yt.backward(torch.tensor(g))
    xo = npgrad.tensor(x, requires_grad=True)
    yo = P.celu(xo, alpha)
    yo.backward(npgrad.tensor(g))
    rtol = 4.0 * np.finfo(dtype).eps
    np.testing.assert_allclose(to_np(yo), to_np(yt), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(to_np(xo.grad), to_np(xt.grad), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("fn", ["elu", "selu"])
def test_elu_selu_gradient_at_zero_is_bitwise_torch(fn: str) -> None:
    g = np.random.default_rng(2).standard_normal(4096).astype(np.float32)
    x = np.zeros(4096, np.float32)
    xt = torch.tensor(x, requires_grad=True)
    getattr(TF, fn)(xt).backward(torch.tensor(g))
    xo = npgrad.tensor(x, requires_grad=True)
    getattr(P, fn)(xo).backward(npgrad.tensor(g))
    np.testing.assert_array_equal(to_np(xo.grad), to_np(xt.grad))


def test_binary_and_pointwise_modules_keep_their_names() -> None:
    """The split into private modules keeps ``ops.binary`` / ``ops.pointwise`` as they were."""
    for name in ("add", "sub", "mul", "div", "where", "masked_fill", "lerp", "result_type", "prepare",
                 "check_broadcast", "where_array", "TORCH_NAMES", "type_name", "scalar_array", "_as_tensor",
                 "_args", "_data", "_arr", "_cast", "_float_prepare", "isclose", "bitwise_and", "isfinite"):
        assert hasattr(B, name), name
    for name in ("exp", "celu", "clamp", "Clamp", "Unary", "UnaryGrad", "_Spec", "_apply", "_erf", "neg", "abs",
                 "absolute", "negative", "fix", "clip"):
        assert hasattr(P, name), name
    assert npgrad.add is B.add and npgrad.celu is P.celu and npgrad.nn.functional.tanh is P.tanh


@pytest.mark.parametrize("name", ["exp", "tanh", "relu", "silu", "floor", "lt", "eq", "bitwise_and", "isnan",
                                  "maximum", "remainder", "logical_or", "celu", "add"])
def test_table_defined_functions_are_documented_and_picklable(name: str) -> None:
    """Families defined from one template keep their name, signature, docstring and pickle by reference."""
    fn = getattr(npgrad, name)
    assert fn.__name__ == name and fn.__doc__ and fn.__doc__.startswith("out = ")
    assert pickle.loads(pickle.dumps(fn)) is fn
