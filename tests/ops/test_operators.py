"""Python operators on tensors against torch: arithmetic, reflected, in-place, unary, bitwise, comparisons."""
from __future__ import annotations

import operator
import re

import numpy as np
import pytest
import torch

import npgrad

from _compare_pb import assert_same, compare, random_array

ARITH = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "**": operator.pow,
}
INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "%=": operator.imod, "**=": operator.ipow,
}
COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}


def _lhs_rhs(rng: np.random.Generator, op: str) -> tuple:
    a = random_array(rng, (2, 3), np.float64, 0.5, 3)
    b = random_array(rng, (3,), np.float64, 0.5, 3)
    return a, b


@pytest.mark.parametrize("op", sorted(ARITH))
def test_tensor_tensor_operators(op: str) -> None:
    fn = ARITH[op]
    a, b = _lhs_rhs(np.random.default_rng(0), op)
    if op == "//":  # torch records floor_divide but has no derivative for it
        assert_same(fn(npgrad.tensor(a), npgrad.tensor(b)), fn(torch.tensor(a), torch.tensor(b)))
        return
    compare(fn, fn, [a, b])
    compare(fn, fn, [a.astype(np.float32), b.astype(np.float32)])


@pytest.mark.parametrize("op", sorted(ARITH))
@pytest.mark.parametrize("number", [2, 0.5, -1.5, True], ids=repr)
def test_operators_with_numbers_on_either_side(op: str, number: object) -> None:
    fn = ARITH[op]
    if op == "**" and number is True:
        return  # torch itself fails an internal assert on `True ** tensor`
    a = random_array(np.random.default_rng(1), (2, 3), np.float32, 0.5, 3)
    for f in (lambda t: fn(t, number), lambda t: fn(number, t)):
        try:
            theirs = f(torch.tensor(a))
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match=re.escape(str(e))):
                f(npgrad.tensor(a))
            return
        assert_same(f(npgrad.tensor(a)), theirs)
    if op not in ("//", "%"):
        compare(lambda t: fn(number, t), lambda t: fn(number, t), [a])
    if op != "//":
        compare(lambda t: fn(t, number), lambda t: fn(t, number), [a])


@pytest.mark.parametrize("op", sorted(ARITH))
@pytest.mark.parametrize("scalar", [np.float32(2.0), np.float64(0.5), np.int64(3), np.int32(-2)], ids=repr)
def test_numpy_scalars_on_the_left_give_tensors(op: str, scalar: object) -> None:
    fn = ARITH[op]
    a = random_array(np.random.default_rng(2), (4,), np.float32, 0.5, 3)
    ours = fn(scalar, npgrad.tensor(a))
    assert isinstance(ours, npgrad.Tensor)
    assert ours.dtype == npgrad.float32  # a NumPy scalar is a number: float32 work stays float32
    assert_same(ours, fn(float(scalar) if isinstance(scalar, np.floating) else int(scalar), torch.tensor(a)))
    assert isinstance(fn(npgrad.tensor(a), scalar), npgrad.Tensor)


def test_numpy_scalar_on_the_left_keeps_autograd() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = np.float32(3.0) * x + np.float64(1.0)
    assert isinstance(y, npgrad.Tensor) and y.requires_grad and y.dtype == npgrad.float32
    y.backward(npgrad.ones(2))
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


@pytest.mark.parametrize("op", sorted(ARITH) + ["@"])
def test_numpy_arrays_on_the_left_act_as_tensors(op: str) -> None:
    fn = operator.matmul if op == "@" else ARITH[op]
    a = random_array(np.random.default_rng(3), (3, 3), np.float64, 0.5, 3)
    b = random_array(np.random.default_rng(4), (3, 3), np.float64, 0.5, 3)
    t = npgrad.tensor(b, requires_grad=True)
    ours = fn(a, t)
    assert isinstance(ours, npgrad.Tensor)
    assert_same(ours, fn(torch.tensor(a), torch.tensor(b)))
    if op != "//":
        ours.backward(npgrad.ones(3, 3))
        tb = torch.tensor(b, requires_grad=True)
        fn(torch.tensor(a), tb).backward(torch.ones(3, 3))
        assert_same(t.grad, tb.grad)
    for cmp in COMPARE.values():
        r = cmp(a, t)
        assert isinstance(r, npgrad.Tensor), cmp
        assert_same(r, cmp(torch.tensor(a), torch.tensor(b)))


def test_matmul_operator_and_reflected() -> None:
    rng = np.random.default_rng(5)
    a, b = random_array(rng, (2, 3), np.float64), random_array(rng, (3, 4), np.float64)
    compare(operator.matmul, operator.matmul, [a, b], rtol=1e-7, atol=1e-9)
    assert_same(a @ npgrad.tensor(b), torch.tensor(a) @ torch.tensor(b), rtol=1e-7, atol=1e-9)


# ----------------------------------------------------------------------------- in-place
@pytest.mark.parametrize("op", sorted(INPLACE) + ["@="])
@pytest.mark.parametrize("other_kind", ["tensor", "number"])
def test_inplace_operators_keep_history_on_non_leaf(op: str, other_kind: str) -> None:
    if op == "@=" and other_kind == "number":
        return
    rng = np.random.default_rng(6)
    a = random_array(rng, (3, 3), np.float64, 0.5, 2)
    b = random_array(rng, (3, 3) if op == "@=" else (3,), np.float64, 0.5, 2)

    def run(lib: object, leaf_a: object, leaf_b: object) -> object:
        x = leaf_a * 1.0  # a non-leaf
        other = leaf_b if other_kind == "tensor" else 1.5
        v0 = x._version
        if op == "@=":
            x = x @ other if lib is torch else operator.imatmul(x, other)
        else:
            x = INPLACE[op](x, other)
        assert x._version > v0 or op == "@="
        return (x * x).sum()

    na, nb = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    yo, yt = run(npgrad, na, nb), run(torch, ta, tb)
    assert_same(yo, yt, rtol=1e-9, atol=1e-9)
    yo.backward()
    yt.backward()
    assert_same(na.grad, ta.grad, rtol=1e-9, atol=1e-9)
    if other_kind == "tensor":
        assert_same(nb.grad, tb.grad, rtol=1e-9, atol=1e-9)


def test_inplace_identity_version_and_errors() -> None:
    x = npgrad.tensor([1.0, 2.0])
    x_id, v = id(x), x._version
    x += 1
    x *= npgrad.tensor([2.0, 3.0])
    assert id(x) == x_id and x._version == v + 2 and x.tolist() == [4.0, 9.0]
    leaf = npgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        leaf += 1
    with pytest.raises(RuntimeError) as theirs:
        t = torch.tensor([1, 2])
        t += 1.5
    with pytest.raises(RuntimeError) as ours:
        n = npgrad.tensor([1, 2])
        n += 1.5
    assert str(ours.value) == str(theirs.value)
    with npgrad.no_grad():
        leaf += 1  # allowed without grad recording, like torch
    assert leaf.tolist() == [2.0, 3.0]


def test_inplace_on_saved_tensor_is_detected() -> None:
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward(npgrad.ones(2))


# ----------------------------------------------------------------------------- unary and bitwise
def test_unary_operators() -> None:
    a = np.array([-1.5, 0.0, 2.0])
    compare(operator.neg, operator.neg, [a])
    compare(abs, abs, [a])
    assert (+npgrad.tensor(a)).tolist() == a.tolist()
    for arr in (np.array([True, False]), np.array([1, -2, 0], dtype=np.int32), np.array([3, 250], dtype=np.uint8)):
        assert_same(~npgrad.tensor(arr), ~torch.tensor(arr))
        assert_same(abs(npgrad.tensor(arr)) if arr.dtype != np.bool_ else ~npgrad.tensor(arr),
                    abs(torch.tensor(arr)) if arr.dtype != np.bool_ else ~torch.tensor(arr))
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor is not supported"):
        -npgrad.tensor([True])


@pytest.mark.parametrize("op", [operator.and_, operator.or_, operator.xor])
def test_bitwise_operators(op: object) -> None:
    rng = np.random.default_rng(7)
    for a, b in [(rng.random(4) < 0.5, rng.random(4) < 0.5), (rng.integers(0, 8, (2, 4)), rng.integers(0, 8, 4))]:
        assert_same(op(npgrad.tensor(a), npgrad.tensor(b)), op(torch.tensor(a), torch.tensor(b)))
        for s in (True, 3):
            if a.dtype == np.bool_ and s == 3 and s is not True:
                continue
            assert_same(op(npgrad.tensor(a), s), op(torch.tensor(a), s))
            assert_same(op(s, npgrad.tensor(a)), op(s, torch.tensor(a)))
    with pytest.raises(NotImplementedError):
        op(npgrad.tensor([1.0]), npgrad.tensor([1.0]))


@pytest.mark.parametrize("op", sorted(COMPARE))
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_comparison_operators_with_numbers_on_either_side(op: str, dtype: type) -> None:
    fn = COMPARE[op]
    a = random_array(np.random.default_rng(8), (3, 4), dtype, -2, 2)
    for num in (0.5, 1, -1, True, np.float64(0.5)):
        assert_same(fn(npgrad.tensor(a), num), fn(torch.tensor(a), num))
        assert_same(fn(num, npgrad.tensor(a)), fn(num, torch.tensor(a)))
    b = random_array(np.random.default_rng(9), (4,), dtype, -2, 2)
    assert_same(fn(npgrad.tensor(a), npgrad.tensor(b)), fn(torch.tensor(a), torch.tensor(b)))


def test_comparisons_are_not_differentiable_and_none_equality() -> None:
    x = npgrad.tensor([0.2, 0.8], requires_grad=True)
    m = x <= 0.5
    assert m.dtype == npgrad.bool and not m.requires_grad and m.tolist() == [True, False]
    assert (0.5 <= x).tolist() == [False, True]
    assert (x == None) is False  # noqa: E711 - torch's operator semantics
    assert (x != None) is True  # noqa: E711
    assert x in [None, x]
