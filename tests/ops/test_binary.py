"""Binary element-wise ops against torch: values, gradients, broadcasting, type promotion, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.ops import binary as B

from _compare_pb import assert_same, broadcast_pair, compare, compare_double, dtype_name, random_array, same_result

# name -> (npgrad fn, torch fn, range of a, range of b)
BINARY = {
    "add": (B.add, torch.add, (-3, 3), (-3, 3)),
    "add_alpha": (lambda a, b: B.add(a, b, alpha=2.5), lambda a, b: torch.add(a, b, alpha=2.5), (-3, 3), (-3, 3)),
    "sub": (B.sub, torch.sub, (-3, 3), (-3, 3)),
    "sub_alpha": (lambda a, b: B.sub(a, b, alpha=-0.5), lambda a, b: torch.sub(a, b, alpha=-0.5), (-3, 3), (-3, 3)),
    "mul": (B.mul, torch.mul, (-3, 3), (-3, 3)),
    "div": (B.div, torch.div, (-3, 3), (0.5, 3)),
    "div_trunc": (lambda a, b: B.div(a, b, rounding_mode="trunc"),
                  lambda a, b: torch.div(a, b, rounding_mode="trunc"), (-5, 5), (0.5, 3)),
    "div_floor": (lambda a, b: B.div(a, b, rounding_mode="floor"),
                  lambda a, b: torch.div(a, b, rounding_mode="floor"), (-5, 5), (-3, -0.5)),
    "remainder": (B.remainder, torch.remainder, (-5, 5), (-3, -0.5)),
    "fmod": (B.fmod, torch.fmod, (-5, 5), (0.5, 3)),
    "pow": (B.pow, torch.pow, (0.2, 3), (-2, 2)),
    "maximum": (B.maximum, torch.maximum, (-3, 3), (-3, 3)),
    "minimum": (B.minimum, torch.minimum, (-3, 3), (-3, 3)),
    "fmax": (B.fmax, torch.fmax, (-3, 3), (-3, 3)),
    "fmin": (B.fmin, torch.fmin, (-3, 3), (-3, 3)),
    "atan2": (B.atan2, torch.atan2, (-3, 3), (-3, 3)),
    "lerp_scalar": (lambda a, b: B.lerp(a, b, 0.3), lambda a, b: torch.lerp(a, b, 0.3), (-3, 3), (-3, 3)),
    "lerp_tensor": (lambda a, b: B.lerp(a, b, b * 0.4), lambda a, b: torch.lerp(a, b, b * 0.4), (-3, 3), (-3, 3)),
    "where": (lambda a, b: B.where(a > b, a, b), lambda a, b: torch.where(a > b, a, b), (-3, 3), (-3, 3)),
    "masked_fill": (lambda a, b: B.masked_fill(a, b > 0, 1.5), lambda a, b: a.masked_fill(b > 0, 1.5), (-3, 3),
                    (-3, 3)),
}
SMOOTH = ["add", "sub_alpha", "mul", "div", "pow", "atan2", "lerp_tensor", "where", "maximum", "remainder"]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=8, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16))
def test_binary_matches_torch(name: str, dtype: type, shapes: object, seed: int) -> None:
    ours, theirs, ra, rb = BINARY[name]
    sa, sb = shapes.input_shapes
    if name == "masked_fill":  # the mask must broadcast to the filled tensor
        sa = shapes.result_shape
    rng = np.random.default_rng(seed)
    a, b = random_array(rng, sa, dtype, *ra), random_array(rng, sb, dtype, *rb)
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (2e-5, 2e-6)
    compare(ours, theirs, [a, b], rtol=rtol, atol=atol, seed=seed)


@pytest.mark.parametrize("name", SMOOTH)
def test_binary_double_backward(name: str) -> None:
    ours, theirs, ra, rb = BINARY[name]
    rng = np.random.default_rng(2)
    compare_double(ours, theirs, [random_array(rng, (3, 4), np.float64, *ra), random_array(rng, (4,), np.float64, *rb)])


@pytest.mark.parametrize("name", ["mul", "div", "pow", "atan2", "lerp_tensor", "maximum"])
def test_gradcheck(name: str) -> None:
    ours, _, ra, rb = BINARY[name]
    rng = np.random.default_rng(3)
    a = npgrad.tensor(random_array(rng, (2, 3), np.float64, *ra), requires_grad=True)
    b = npgrad.tensor(random_array(rng, (3,), np.float64, *rb) + 0.01, requires_grad=True)
    assert npgrad.autograd.gradcheck(ours, (a, b))
    assert npgrad.autograd.gradgradcheck(ours, (a, b))


# ----------------------------------------------------------------------------- scalars on either side
SCALARS = [2, -3, 0.5, 2.5, True, np.float32(1.5), np.float64(-0.25), np.int64(3)]
SCALAR_OPS = {  # operator forms: torch's functions do not all take a number as the first argument
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b, "remainder": lambda a, b: a % b, "floordiv": lambda a, b: a // b,
    "eq": lambda a, b: a == b, "lt": lambda a, b: a < b, "ge": lambda a, b: a >= b, "and": lambda a, b: a & b,
}


@pytest.mark.parametrize("op", sorted(SCALAR_OPS))
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8, np.bool_])
def test_tensor_scalar_and_scalar_tensor(op: str, scalar: object, dtype: type) -> None:
    fn = SCALAR_OPS[op]
    x = random_array(np.random.default_rng(0), (2, 3), dtype, 1, 4)
    for ax, bx in ((x, scalar), (scalar, x)):
        t_args = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in (ax, bx)]
        n_args = [npgrad.tensor(v) if isinstance(v, np.ndarray) else v for v in (ax, bx)]
        _check_same_outcome(fn, fn, n_args, t_args)


def test_scalar_gradients() -> None:
    x = np.array([0.5, 1.5, 2.0])
    for fo, ft in [(lambda t: 3.0 - t, lambda t: 3.0 - t), (lambda t: 2 / t, lambda t: 2 / t),
                   (lambda t: 2.0 ** t, lambda t: 2.0 ** t), (lambda t: t ** 3, lambda t: t ** 3),
                   (lambda t: 0.0 ** t, lambda t: 0.0 ** t), (lambda t: t * True, lambda t: t * True),
                   (lambda t: t % 0.7, lambda t: t % 0.7), (lambda t: B.fmod(t, 0.7), lambda t: torch.fmod(t, 0.7))]:
        compare(fo, ft, [x])


# ----------------------------------------------------------------------------- type promotion
ALL_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64]
PROMO_OPS = {"add": (B.add, torch.add), "mul": (B.mul, torch.mul), "div": (B.div, torch.div),
             "sub": (B.sub, torch.sub), "maximum": (B.maximum, torch.maximum), "lt": (B.lt, torch.lt),
             "where": (lambda a, b: B.where(npgrad.tensor(True), a, b),
                       lambda a, b: torch.where(torch.tensor(True), a, b)),
             "bitwise_or": (B.bitwise_or, torch.bitwise_or), "floor_divide": (B.floor_divide, torch.floor_divide)}


@pytest.mark.parametrize("op", sorted(PROMO_OPS))
@pytest.mark.parametrize("da", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_promotion_grid_matches_torch(op: str, da: type) -> None:
    ours, theirs = PROMO_OPS[op]
    rng = np.random.default_rng(1)
    for db in ALL_DTYPES:
        for sa, sb in [((3,), (3,)), ((3,), ()), ((), (3,)), ((), ())]:
            a, b = random_array(rng, sa, da, 1, 4), random_array(rng, sb, db, 1, 4)
            _check_same_outcome(ours, theirs, (npgrad.tensor(a), npgrad.tensor(b)), (torch.tensor(a), torch.tensor(b)))


@pytest.mark.parametrize("da", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("scalar", [True, 3, 2.5], ids=repr)
@pytest.mark.parametrize("zero_dim", [False, True])
def test_promotion_with_python_scalars(da: type, scalar: object, zero_dim: bool) -> None:
    a = random_array(np.random.default_rng(0), () if zero_dim else (4,), da, 1, 4)
    for op in ("add", "mul", "div", "sub", "lt", "pow", "floordiv"):
        fn = SCALAR_OPS[op]
        _check_same_outcome(fn, fn, (npgrad.tensor(a), scalar), (torch.tensor(a), scalar))
        _check_same_outcome(fn, fn, (scalar, npgrad.tensor(a)), (scalar, torch.tensor(a)))


def _check_same_outcome(ours: object, theirs: object, n_args: tuple, t_args: tuple) -> None:
    """Same exception type, or same dtype and values (compared at the tolerance of the result dtype)."""
    try:
        expected = theirs(*t_args)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        with pytest.raises(type(e)):
            ours(*n_args)
        return
    got = ours(*n_args)
    assert dtype_name(got.dtype) == dtype_name(expected.dtype), (n_args, got.dtype, expected.dtype)
    assert_same(got, expected)


def test_promotion_examples_and_no_float64_upcast() -> None:
    f32 = npgrad.tensor([1.0, 2.0])
    assert (f32 + 0.1).dtype == npgrad.float32
    assert (f32 * np.float64(0.1)).dtype == npgrad.float32
    assert (f32 + npgrad.tensor(2.0, dtype=npgrad.float64)).dtype == npgrad.float32
    assert (npgrad.tensor([1, 2]) + 2.5).dtype == npgrad.float32
    assert (npgrad.tensor([1, 2]) / npgrad.tensor([2, 2])).dtype == npgrad.float32
    assert (npgrad.tensor([1, 2], dtype=npgrad.int8) + npgrad.tensor([1, 2], dtype=npgrad.uint8)).dtype == npgrad.int16
    assert (npgrad.tensor([True]) + npgrad.tensor([True])).dtype == npgrad.bool
    i32, f64_0d = npgrad.tensor([1, 2], dtype=npgrad.int32), npgrad.tensor(2.0, dtype=npgrad.float64)
    assert (i32 + f64_0d).dtype == npgrad.float64
    assert B.result_type(npgrad.tensor(1, dtype=npgrad.int8), npgrad.tensor(1, dtype=npgrad.int16)) == np.int16
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = npgrad.tensor(3.0, dtype=npgrad.float64, requires_grad=True)
    z = x * y
    assert z.dtype == npgrad.float32
    z.backward(npgrad.ones(2))
    assert x.grad.dtype == npgrad.float32 and y.grad.dtype == npgrad.float64
    np.testing.assert_allclose(y.grad.data, 3.0)


def test_int8_wraps_like_torch() -> None:
    a = np.array([1, -2, 120], dtype=np.int8)
    assert_same(B.add(npgrad.tensor(a), 1000), torch.tensor(a) + 1000)
    assert_same(B.mul(npgrad.tensor(a), 3), torch.tensor(a) * 3)


# ----------------------------------------------------------------------------- division, remainder, pow details
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.float32, np.float64])
def test_rounding_division_and_remainders(dtype: type) -> None:
    a = np.array([-7, -6, -5, -1, 0, 1, 5, 6, 7], dtype=dtype)
    b = np.array([2, -2, 3, -3, 4, -4, 2, 5, -3], dtype=dtype)
    for mode in ("trunc", "floor", None):
        same_result(B.div, torch.div, a, b, rounding_mode=mode)
        same_result(lambda x: B.div(x, -3, rounding_mode=mode), lambda x: torch.div(x, -3, rounding_mode=mode), a)
    for fo, ft in [(B.remainder, torch.remainder), (B.fmod, torch.fmod)]:
        same_result(fo, ft, a, b)
        same_result(lambda x: fo(x, -3), lambda x: ft(x, -3), a)


def test_division_by_zero() -> None:
    f = np.array([-1.0, 0.0, 1.0])
    rounding = [(B.floor_divide, torch.floor_divide), (B.remainder, torch.remainder), (B.fmod, torch.fmod),
                (lambda x, y: B.div(x, y, rounding_mode="trunc"), lambda x, y: torch.div(x, y, rounding_mode="trunc"))]
    for fo, ft in rounding + [(B.div, torch.div)]:
        assert_same(fo(npgrad.tensor(f), 0.0), ft(torch.tensor(f), 0.0))
    for fo, ft in rounding:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            ft(torch.tensor([1, 2]), torch.tensor([1, 0]))
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fo(npgrad.tensor([1, 2]), npgrad.tensor([1, 0]))
    assert_same(B.div(npgrad.tensor([1, 2]), 0), torch.div(torch.tensor([1, 2]), 0))
    with pytest.raises(RuntimeError, match="rounding_mode"):
        B.div(npgrad.tensor([1.0]), 2.0, rounding_mode="round")


def test_pow_zero_cases_and_integer_rules() -> None:
    x = np.array([0.0, 0.0, 2.0, -1.5])
    for e in [0, 0.0, 0.5, 1, 2, 3, -1, -0.5, 2.5]:
        compare(lambda t: t ** e, lambda t: t ** e, [x])
    e = np.array([0.0, -1.0, 2.0, 3.0])
    compare(B.pow, torch.pow, [np.array([0.0, 0.0, 0.0, -2.0]), e])
    compare(lambda t: B.pow(0.0, t), lambda t: torch.pow(0.0, t), [e])
    compare(lambda t: B.pow(0, t), lambda t: torch.pow(0, t), [e])
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        B.pow(npgrad.tensor([1, 2]), -1)
    ints, exps = np.array([1, -1, 2, -2, 0, 3]), np.array([-1, -3, -1, 2, 0, 2])
    assert_same(B.pow(npgrad.tensor(ints), npgrad.tensor(exps)), torch.pow(torch.tensor(ints), torch.tensor(exps)))
    assert_same(B.pow(2, npgrad.tensor([1, 3])), torch.pow(2, torch.tensor([1, 3])))
    assert_same(B.pow(npgrad.tensor([True, False]), 2), torch.pow(torch.tensor([True, False]), 2))
    assert_same(B.float_power(npgrad.tensor([1, 2]), 2), torch.float_power(torch.tensor([1, 2]), 2))


def test_maximum_minimum_ties_and_nan() -> None:
    a = np.array([1.0, 2.0, 3.0, np.nan, 1.0])
    b = np.array([1.0, 5.0, 2.0, 1.0, np.nan])
    for fo, ft in [(B.maximum, torch.maximum), (B.minimum, torch.minimum), (B.fmax, torch.fmax), (B.fmin, torch.fmin)]:
        compare(fo, ft, [a, b])
    compare(B.maximum, torch.maximum, [np.array([[1.0, 2.0], [2.0, 2.0]]), np.array([2.0, 2.0])])


def test_where_and_masked_fill_details() -> None:
    c = np.array([True, False, True])
    x = np.array([1.0, 2.0, 3.0])
    compare(lambda t: B.where(npgrad.tensor(c), t, 0.0), lambda t: torch.where(torch.tensor(c), t, 0.0), [x])
    compare(lambda t: B.where(npgrad.tensor(c), 1.5, t), lambda t: torch.where(torch.tensor(c), 1.5, t), [x])
    assert_same(B.where(npgrad.tensor(c), 1, 0), torch.where(torch.tensor(c), 1, 0))
    assert_same(B.where(npgrad.tensor(c), 1.0, 0), torch.where(torch.tensor(c), 1.0, 0))
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor, but got .* dtype Float"):
        B.where(npgrad.tensor(x, dtype=npgrad.float32), npgrad.tensor(x), 0.0)
    v_o, v_t = npgrad.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    compare(lambda t: B.masked_fill(t, npgrad.tensor(c), v_o), lambda t: t.masked_fill(torch.tensor(c), v_t), [x])
    assert_same(v_o.grad, v_t.grad)
    assert_same(B.masked_fill(npgrad.tensor([1, 2]), npgrad.tensor([True, False]), 2.7),
                torch.tensor([1, 2]).masked_fill(torch.tensor([True, False]), 2.7))
    with pytest.raises(RuntimeError, match="only supports boolean masks, but got mask with dtype long int"):
        B.masked_fill(npgrad.tensor(x), npgrad.tensor([1, 0, 1]), 0.0)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        B.masked_fill(npgrad.tensor(x), npgrad.tensor(c), npgrad.tensor([1.0]))


def test_lerp_dtype_errors() -> None:
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        B.lerp(npgrad.tensor([1.0]), npgrad.tensor([1.0], dtype=npgrad.float64), 0.5)
    with pytest.raises(RuntimeError, match="expected dtype float for `weight` but got dtype double"):
        B.lerp(npgrad.tensor([1.0]), npgrad.tensor([1.0]), npgrad.tensor([0.5], dtype=npgrad.float64))


# ----------------------------------------------------------------------------- comparisons, logical, bitwise
@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
@settings(max_examples=10, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16), da=st.sampled_from([np.float32, np.int64, np.bool_]),
       db=st.sampled_from([np.float64, np.int32, np.uint8]))
def test_comparisons(op: str, shapes: object, seed: int, da: type, db: type) -> None:
    rng = np.random.default_rng(seed)
    a, b = random_array(rng, shapes.input_shapes[0], da, -2, 2), random_array(rng, shapes.input_shapes[1], db, -2, 2)
    if da == np.float32:
        a[...] = np.round(a)  # make ties likely
    fo, ft = getattr(B, op), getattr(torch, op)
    assert_same(fo(npgrad.tensor(a), npgrad.tensor(b)), ft(torch.tensor(a), torch.tensor(b)))
    assert_same(fo(npgrad.tensor(a), 0.5), ft(torch.tensor(a), 0.5))
    assert_same(fo(npgrad.tensor(a), 1), ft(torch.tensor(a), 1))


def test_comparisons_with_nan() -> None:
    a = np.array([np.nan, 1.0, np.inf, -np.inf])
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        assert_same(getattr(B, op)(npgrad.tensor(a), npgrad.tensor(a[::-1].copy())),
                    getattr(torch, op)(torch.tensor(a), torch.tensor(a[::-1].copy())))


@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops(op: str) -> None:
    rng = np.random.default_rng(0)
    for da, db in [(np.bool_, np.bool_), (np.float32, np.int64), (np.int8, np.bool_)]:
        a, b = random_array(rng, (3, 1), da, -1, 2), random_array(rng, (4,), db, -1, 2)
        same_result(getattr(B, op), getattr(torch, op), a, b)
        assert_same(B.logical_not(npgrad.tensor(a)), torch.logical_not(torch.tensor(a)))
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(2\)"):
        getattr(B, op)(npgrad.tensor([True, False, True]), npgrad.tensor([True, False]))


@pytest.mark.parametrize("op", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                                "bitwise_right_shift"])
def test_bitwise_ops(op: str) -> None:
    rng = np.random.default_rng(0)
    fo, ft = getattr(B, op), getattr(torch, op)
    for da, db in [(np.int64, np.int64), (np.int8, np.uint8), (np.bool_, np.int32), (np.bool_, np.bool_)]:
        a, b = random_array(rng, (2, 3), da, 0, 5), random_array(rng, (3,), db, 0, 5)
        _check_same_outcome(fo, ft, (npgrad.tensor(a), npgrad.tensor(b)), (torch.tensor(a), torch.tensor(b)))
        _check_same_outcome(fo, ft, (npgrad.tensor(a), 3), (torch.tensor(a), 3))
    with pytest.raises(NotImplementedError, match=f"not implemented for 'Float'"):
        fo(npgrad.tensor([1.0]), npgrad.tensor([1.0]))
    same_result(B.bitwise_not, torch.bitwise_not, np.array([1, -2], dtype=np.int8))
    with pytest.raises(NotImplementedError, match="\"bitwise_not_cpu\" not implemented for 'Float'"):
        B.bitwise_not(npgrad.tensor([1.0]))
    with pytest.raises(TypeError, match=r"~ \(operator.invert\) is only implemented on integer and Boolean-type"):
        B.invert(npgrad.tensor([1.0]))


def test_isclose_allclose_equal_and_checks() -> None:
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 1.0 + 1e-6])
    b = np.array([1.0, np.nan, np.inf, np.inf, 0.0, 1.0])
    for kw in [{}, {"equal_nan": True}, {"rtol": 0.0, "atol": 1e-7}]:
        for dt in (np.float32, np.float64):
            assert_same(B.isclose(npgrad.tensor(a.astype(dt)), npgrad.tensor(b.astype(dt)), **kw),
                        torch.isclose(torch.tensor(a.astype(dt)), torch.tensor(b.astype(dt)), **kw))
        same_result(B.allclose, torch.allclose, a, b, **kw)
    same_result(B.isclose, torch.isclose, np.array([1, 2]), np.array([1, 3]))
    with pytest.raises(RuntimeError, match="Float did not match Double"):
        B.isclose(npgrad.tensor([1.0]), npgrad.tensor([1.0], dtype=npgrad.float64))
    same_result(B.equal, torch.equal, np.array([1.0, 2.0]), np.array([1, 2]))
    assert B.equal(npgrad.tensor([1.0]), npgrad.tensor([1.0, 1.0])) is False
    same_result(B.equal, torch.equal, np.array([np.nan]), np.array([np.nan]))
    x = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0], dtype=np.float32)
    for op in ("isnan", "isinf", "isfinite"):
        assert_same(getattr(B, op)(npgrad.tensor(x)), getattr(torch, op)(torch.tensor(x)))
        assert_same(getattr(B, op)(npgrad.tensor([1, 2])), getattr(torch, op)(torch.tensor([1, 2])))
        assert_same(getattr(B, op)(npgrad.tensor(1.0)), getattr(torch, op)(torch.tensor(1.0)))


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "atan2", "eq", "lt", "remainder"])
def test_broadcast_errors_name_both_sizes(op: str) -> None:
    a, b = np.ones((2, 3)), np.ones((4, 2))
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch, op)(torch.tensor(a), torch.tensor(b))
    with pytest.raises(RuntimeError) as ours:
        getattr(B, op)(npgrad.tensor(a), npgrad.tensor(b))
    assert str(ours.value) == str(theirs.value)
    assert "(3)" in str(ours.value) and "(2)" in str(ours.value)


def test_bool_subtraction_and_alpha_errors() -> None:
    t = npgrad.tensor([True, False])
    with pytest.raises(RuntimeError, match="with two bool tensors is not supported"):
        B.sub(t, t)
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        B.sub(t, 1)
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        B.sub(npgrad.tensor([1.0]), True)
    with pytest.raises(RuntimeError, match="argument alpha must not be a floating point number"):
        B.add(npgrad.tensor([1, 2]), npgrad.tensor([1, 2]), alpha=0.5)
    with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean results"):
        B.add(npgrad.tensor([1.0]), npgrad.tensor([1.0]), alpha=True)
    with pytest.raises(NotImplementedError, match="\"pow\" not implemented for 'Bool'"):
        B.pow(t, t)
    with pytest.raises(TypeError):
        B.add(npgrad.tensor([1.0]), "a")


def test_empty_and_zero_dim_shapes() -> None:
    for sa, sb in [((0,), (0,)), ((0, 3), (3,)), ((2, 0), (1, 0)), ((), (0,)), ((), ())]:
        a, b = np.ones(sa), np.full(sb, 2.0)
        compare(B.mul, torch.mul, [a, b])
        compare(B.pow, torch.pow, [a, b])
