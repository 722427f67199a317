"""Unary ops and activations against torch: values, dtypes, gradients, double backward, stability."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.ops import pointwise as P

from _compare_pb import assert_same, compare, compare_double, random_array, to_np

# name -> (npgrad fn, torch fn, (lo, hi) input range)
UNARY = {
    "neg": (P.neg, torch.neg, (-4, 4)),
    "abs": (P.abs, torch.abs, (-4, 4)),
    "sign": (P.sign, torch.sign, (-4, 4)),
    "exp": (P.exp, torch.exp, (-4, 4)),
    "exp2": (P.exp2, torch.exp2, (-4, 4)),
    "expm1": (P.expm1, torch.expm1, (-4, 4)),
    "log": (P.log, torch.log, (0.1, 5)),
    "log2": (P.log2, torch.log2, (0.1, 5)),
    "log10": (P.log10, torch.log10, (0.1, 5)),
    "log1p": (P.log1p, torch.log1p, (-0.9, 5)),
    "sqrt": (P.sqrt, torch.sqrt, (0.1, 5)),
    "rsqrt": (P.rsqrt, torch.rsqrt, (0.1, 5)),
    "square": (P.square, torch.square, (-4, 4)),
    "reciprocal": (P.reciprocal, torch.reciprocal, (0.2, 3)),
    "sin": (P.sin, torch.sin, (-4, 4)),
    "cos": (P.cos, torch.cos, (-4, 4)),
    "tan": (P.tan, torch.tan, (-1.2, 1.2)),
    "tanh": (P.tanh, torch.tanh, (-4, 4)),
    "sigmoid": (P.sigmoid, torch.sigmoid, (-6, 6)),
    "erf": (P.erf, torch.erf, (-5, 5)),
    "floor": (P.floor, torch.floor, (-4, 4)),
    "ceil": (P.ceil, torch.ceil, (-4, 4)),
    "trunc": (P.trunc, torch.trunc, (-4, 4)),
    "round": (P.round, torch.round, (-4, 4)),
    "round2": (lambda x: P.round(x, decimals=2), lambda x: torch.round(x, decimals=2), (-4, 4)),
    "round_neg": (lambda x: P.round(x, decimals=-1), lambda x: torch.round(x, decimals=-1), (-40, 40)),
    "frac": (P.frac, torch.frac, (-4, 4)),
    "logit": (P.logit, torch.logit, (0.05, 0.95)),
    "logit_eps": (lambda x: P.logit(x, 0.1), lambda x: torch.logit(x, 0.1), (-0.2, 1.2)),
    "relu": (P.relu, torch.relu, (-4, 4)),
    "relu6": (P.relu6, TF.relu6, (-2, 8)),
    "leaky_relu": (lambda x: P.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), (-4, 4)),
    "elu": (lambda x: P.elu(x, 0.7), lambda x: TF.elu(x, 0.7), (-4, 4)),
    "selu": (P.selu, TF.selu, (-4, 4)),
    "celu": (lambda x: P.celu(x, 1.5), lambda x: TF.celu(x, 1.5), (-4, 4)),
    "gelu": (P.gelu, TF.gelu, (-5, 5)),
    "gelu_tanh": (lambda x: P.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh"), (-5, 5)),
    "silu": (P.silu, TF.silu, (-6, 6)),
    "mish": (P.mish, TF.mish, (-6, 6)),
    "softplus": (P.softplus, TF.softplus, (-6, 6)),
    "softplus_beta": (lambda x: P.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0), (-6, 6)),
    "hardtanh": (lambda x: P.hardtanh(x, -0.5, 2.0), lambda x: TF.hardtanh(x, -0.5, 2.0), (-3, 3)),
    "hardsigmoid": (P.hardsigmoid, TF.hardsigmoid, (-5, 5)),
    "hardswish": (P.hardswish, TF.hardswish, (-5, 5)),
    "logsigmoid": (P.logsigmoid, TF.logsigmoid, (-6, 6)),
    "softsign": (P.softsign, TF.softsign, (-4, 4)),
    "tanhshrink": (P.tanhshrink, TF.tanhshrink, (-4, 4)),
    "nan_to_num": (P.nan_to_num, torch.nan_to_num, (-4, 4)),
    "clamp": (lambda x: P.clamp(x, -0.5, 0.7), lambda x: torch.clamp(x, -0.5, 0.7), (-2, 2)),
    "clamp_min": (lambda x: P.clamp(x, min=0.1), lambda x: torch.clamp(x, min=0.1), (-2, 2)),
    "clip_max": (lambda x: P.clip(x, max=0.1), lambda x: torch.clip(x, max=0.1), (-2, 2)),
}
SMOOTH = [n for n in UNARY if n not in {"sign", "floor", "ceil", "trunc", "round", "round2", "round_neg", "frac",
                                        "nan_to_num", "abs", "relu", "relu6", "leaky_relu", "hardtanh",
                                        "hardsigmoid", "clamp", "clamp_min", "clip_max", "neg", "logit_eps"}]
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=6, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_unary_matches_torch(name: str, dtype: type, shape: tuple, seed: int) -> None:
    ours, theirs, (lo, hi) = UNARY[name]
    x = random_array(np.random.default_rng(seed), shape, dtype, lo, hi)
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (2e-5, 2e-6)
    compare(ours, theirs, [x], rtol=rtol, atol=atol, seed=seed)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_unary_double_backward(name: str) -> None:
    ours, theirs, (lo, hi) = UNARY[name]
    x = random_array(np.random.default_rng(3), (7,), np.float64, lo, hi)
    compare_double(ours, theirs, [x])


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "hardtanh", "abs", "clamp"])
def test_piecewise_double_backward_is_zero(name: str) -> None:
    ours, theirs, (lo, hi) = UNARY[name]
    x = random_array(np.random.default_rng(4), (9,), np.float64, lo, hi)
    compare_double(ours, theirs, [x])


@pytest.mark.parametrize("name", ["hardswish", "hardsigmoid"])
def test_hard_activations_second_derivative(name: str) -> None:
    """Against the exact value (torch has no double backward for hardsigmoid)."""
    x = npgrad.tensor(np.array([-4.0, -3.0, -1.5, 0.0, 0.5, 2.9, 3.0, 4.0]), requires_grad=True)
    v, w = npgrad.tensor(np.linspace(0.5, 2.0, 8)), npgrad.tensor(np.linspace(-1.0, 1.5, 8))
    (g,) = npgrad.autograd.grad([UNARY[name][0](x)], [x], [v], create_graph=True)
    (h,) = npgrad.autograd.grad([(g * w).sum()], [x])
    inside = (x.data > -3) & (x.data < 3)
    expected = v.data * w.data / 3.0 * inside if name == "hardswish" else np.zeros(8)
    np.testing.assert_allclose(h.data, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "erf", "gelu", "gelu_tanh", "silu", "mish",
                                  "softplus_beta", "elu", "celu", "logsigmoid", "rsqrt", "logit"])
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    ours, _, (lo, hi) = UNARY[name]
    x = npgrad.tensor(random_array(np.random.default_rng(5), (2, 3), np.float64, lo, hi), requires_grad=True)
    assert npgrad.autograd.gradcheck(ours, (x,))
    assert npgrad.autograd.gradgradcheck(ours, (x,))


KINKS = np.array([-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 7.0])


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "hardtanh", "hardsigmoid", "hardswish", "abs", "elu",
                                  "clamp", "clamp_min", "clip_max", "sign", "softplus_beta"])
def test_gradients_at_kinks(name: str) -> None:
    ours, theirs, _ = UNARY[name]
    compare(ours, theirs, [np.concatenate([KINKS, [-0.7, 0.1, 0.7, 20.0 / 8, 2.5]])])


# ----------------------------------------------------------------------------- erf accuracy
def test_erf_float64_accuracy_dense_grid_and_tails() -> None:
    grid = np.concatenate([np.linspace(-7.0, 7.0, 200001), np.logspace(-300, 1.5, 4001), -np.logspace(-300, 1.5, 4001),
                           [0.0, -0.0, 0.84375, 1.25, 1 / 0.35, 6.0, -6.0, 27.0, np.inf, -np.inf, np.nan]])
    ours = to_np(npgrad.erf(npgrad.tensor(grid)))
    ref = torch.erf(torch.tensor(grid)).numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    err = np.abs(ours[ok] - ref[ok])
    assert np.all(err <= 2 * np.spacing(np.abs(ref[ok]))), err.max()  # within 2 ulp (torch is within 1)
    assert np.all(err <= 4.5e-16 * np.abs(ref[ok]) + 1e-320)


def test_erf_float32_and_ints() -> None:
    """float32 uses a single rational approximation: within 8 ulp (1e-6 relative) of torch."""
    grid = np.concatenate([np.linspace(-7, 7, 20001), np.logspace(-30, 0.5, 2001)]).astype(np.float32)
    ours = npgrad.erf(npgrad.tensor(grid))
    assert_same(ours, torch.erf(torch.tensor(grid)), rtol=1e-6, atol=1e-37)
    assert np.abs(ours.data).max() <= 1.0
    assert_same(npgrad.erf(npgrad.tensor([0, 1, -2])), torch.erf(torch.tensor([0, 1, -2])))


# ----------------------------------------------------------------------------- stability and special values
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "softplus", "logsigmoid", "silu", "mish", "gelu", "gelu_tanh", "elu",
                                  "selu", "tanh", "softsign", "erf"])
def test_extreme_inputs_are_finite_and_match(name: str, dtype: type) -> None:
    ours, theirs, _ = UNARY[name]
    x = np.array([-1e4, -800.0, -100.0, -30.0, 0.0, 30.0, 100.0, 800.0, 1e4], dtype=dtype)
    o, t = compare(ours, theirs, [x])
    y = to_np(ours(npgrad.tensor(x)))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(to_np(o[0].grad)))


@pytest.mark.parametrize("name", ["log", "sqrt", "rsqrt", "reciprocal", "log1p", "logit", "nan_to_num"])
def test_special_values_match_torch(name: str) -> None:
    ours, theirs, _ = UNARY[name]
    x = np.array([-2.0, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, np.inf, -np.inf, np.nan])
    assert_same(ours(npgrad.tensor(x)), theirs(torch.tensor(x)))


@pytest.mark.parametrize("name", ["sign", "abs", "floor", "round", "frac", "trunc", "hardtanh", "sigmoid", "leaky_relu",
                                  "silu", "tanh", "exp", "softplus", "logsigmoid", "clamp"])
def test_nan_and_infinities_like_torch(name: str) -> None:
    ours, theirs, _ = UNARY[name]
    compare(ours, theirs, [np.array([np.nan, np.inf, -np.inf, 1.0, -2.0])])


def test_nan_to_num_arguments() -> None:
    x = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    compare(lambda t: P.nan_to_num(t, 1.0, 2.0, -3.0), lambda t: torch.nan_to_num(t, 1.0, 2.0, -3.0), [x])


# ----------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", ["neg", "abs", "sign", "exp", "log", "sqrt", "square", "reciprocal", "sin", "sigmoid",
                                  "tanh", "floor", "ceil", "round", "trunc", "relu", "nan_to_num", "erf", "rsqrt",
                                  "clamp", "clamp_min", "expm1"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_integer_and_bool_inputs_dtype_like_torch(name: str, dtype: type) -> None:
    ours, theirs, _ = UNARY[name]
    x = random_array(np.random.default_rng(0), (5,), dtype, 1, 4)
    try:
        expected = theirs(torch.tensor(x))
    except (RuntimeError, NotImplementedError) as e:
        with pytest.raises(type(e)):
            ours(npgrad.tensor(x))
        return
    assert_same(ours(npgrad.tensor(x)), expected)


def test_float32_never_promoted_and_default_dtype() -> None:
    x = npgrad.tensor([0.3, -1.2], dtype=npgrad.float32, requires_grad=True)
    for name, (ours, _, _) in UNARY.items():
        y = ours(x)
        assert y.dtype == npgrad.float32, name
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert P.exp(npgrad.tensor([1, 2])).dtype == npgrad.float64
    finally:
        npgrad.set_default_dtype(npgrad.float32)


def test_rounding_ops_on_ints_return_copies() -> None:
    x = npgrad.tensor([1, 2, 3])
    y = P.floor(x)
    y.data[0] = 7
    assert x.tolist() == [1, 2, 3]


# ----------------------------------------------------------------------------- clamp
@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=4),
       seed=st.integers(0, 2**16), dtype=st.sampled_from([np.float64, np.float32]))
def test_clamp_tensor_bounds_broadcast_and_grads(shapes: object, seed: int, dtype: type) -> None:
    rng = np.random.default_rng(seed)
    _, slo, shi = shapes.input_shapes  # x has the full shape: torch cannot reduce clamp's grad to a smaller x
    x, lo, hi = (random_array(rng, s, dtype, -2, 2) for s in (shapes.result_shape, slo, shi))  # lo > hi happens
    compare(lambda a, b, c: P.clamp(a, b, c), lambda a, b, c: torch.clamp(a, b, c), [x, lo, hi], seed=seed)
    compare(lambda a, b: P.clamp(a, min=b), lambda a, b: torch.clamp(a, min=b), [x, lo], seed=seed)
    compare(lambda a, c: P.clamp(a, max=c), lambda a, c: torch.clamp(a, max=c), [x, hi], seed=seed)


def test_clamp_min_greater_than_max_and_errors() -> None:
    x = np.linspace(-2, 2, 9)
    compare(lambda a: P.clamp(a, 1.0, -1.0), lambda a: torch.clamp(a, 1.0, -1.0), [x])
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        P.clamp(npgrad.tensor(x))
    assert_same(P.clamp(npgrad.tensor([1, 5]), 0.5), torch.clamp(torch.tensor([1, 5]), 0.5))
    assert_same(P.clamp(npgrad.tensor([1, 5]), 2, 3), torch.clamp(torch.tensor([1, 5]), 2, 3))
    nan = np.array([np.nan, 1.0])
    assert_same(P.clamp(npgrad.tensor(nan), 0.0, 0.5), torch.clamp(torch.tensor(nan), 0.0, 0.5))


def test_gelu_bad_approximate_and_activation_inplace() -> None:
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        P.gelu(npgrad.tensor([1.0]), approximate="bad")
    x = npgrad.tensor([-1.0, 2.0])
    assert P.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    y = npgrad.tensor([-1.0, 2.0], requires_grad=True) * 1
    P.elu(y, inplace=True)
    t = torch.tensor([-1.0, 2.0], requires_grad=True) * 1
    TF.elu(t, inplace=True)
    assert_same(y, t)


def test_grad_fn_names_and_version_check() -> None:
    x = npgrad.tensor([0.5, 1.0], requires_grad=True)
    y = P.exp(x)
    assert y.grad_fn.name() == "ExpBackward0"
    z = x * 1
    y2 = P.sigmoid(z)
    z.add_(1.0)  # sigmoid saved its output, not its input
    y2.backward(npgrad.ones(2))
    w = x * 2
    s = P.sin(w)
    w.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.backward(npgrad.ones(2))


def test_logit_eps_gradient_zero_outside() -> None:
    x = np.array([-0.5, 0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 1.5])
    compare(lambda a: P.logit(a, 0.1), lambda a: torch.logit(a, 0.1), [x])


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "mish"])
def test_cached_forward_values_and_retained_graph(name: str) -> None:
    """These reuse forward by-products in the first backward; a second pass recomputes them."""
    ours, theirs, (lo, hi) = UNARY[name]
    x = random_array(np.random.default_rng(6), (3, 4), np.float64, lo, hi)
    xo, xt = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    v = np.random.default_rng(7).standard_normal((3, 4))
    for _ in range(2):
        yo.backward(npgrad.tensor(v), retain_graph=True)
        yt.backward(torch.tensor(v), retain_graph=True)
        assert_same(xo.grad, xt.grad)
