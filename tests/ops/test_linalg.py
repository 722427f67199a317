"""Matrix products, einsum and norms against torch: values, gradients, double backward, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.ops import linalg as L

from _compare_pb import assert_same, compare, compare_double, random_array, same_error

TOL64 = (1e-7, 1e-9)  # BLAS accumulation order differs from torch's


@st.composite
def matmul_shapes(draw: st.DrawFn) -> tuple:
    m, k, n = draw(st.integers(0, 4)), draw(st.integers(0, 4)), draw(st.integers(0, 4))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, min_side=1, max_side=3))
    ba, bb = batch.input_shapes
    a = draw(st.sampled_from([(k,), ba + (m, k)]))
    b = draw(st.sampled_from([(k,), bb + (k, n)]))
    return a, b


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=40, deadline=None)
@given(shapes=matmul_shapes(), seed=st.integers(0, 2**16))
def test_matmul_matches_torch(dtype: type, shapes: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = (random_array(rng, s, dtype) for s in shapes)
    rtol, atol = TOL64 if dtype == np.float64 else (1e-5, 1e-5)
    compare(L.matmul, torch.matmul, [a, b], rtol=rtol, atol=atol, seed=seed)
    compare(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], rtol=rtol, atol=atol, seed=seed)


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((4, 2, 3), (3, 5)),
                                   ((3,), (2, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)), ((5, 2, 3), (3,))])
def test_matmul_double_backward_and_gradcheck(sa: tuple, sb: tuple) -> None:
    rng = np.random.default_rng(0)
    a, b = random_array(rng, sa, np.float64), random_array(rng, sb, np.float64)
    compare_double(L.matmul, torch.matmul, [a, b])
    ta, tb = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    assert npgrad.autograd.gradcheck(L.matmul, (ta, tb))
    assert npgrad.autograd.gradgradcheck(L.matmul, (ta, tb))


BAD_MATMUL = [((3,), (4,)), ((2, 3), (4,)), ((2, 2, 3), (4,)), ((6, 3, 4), (7,)), ((3,), (4, 2)), ((3, 4), (5, 6)),
              ((2, 3, 4), (2, 3)), ((4, 2, 3), (4, 2, 3)), ((2, 3), (4, 5, 6)), ((3,), (2, 4, 2)), ((5,), (5, 3, 2)),
              ((2, 1, 3), (5, 3, 2)), ((7, 2, 3), (5, 3, 2))]


@pytest.mark.parametrize("sa,sb", BAD_MATMUL)
def test_matmul_shape_errors_like_torch(sa: tuple, sb: tuple) -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(sa) @ torch.ones(sb)
    with pytest.raises(RuntimeError) as ours:
        npgrad.ones(sa) @ npgrad.ones(sb)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((3, 2), (2,)), ((3,), (3, 2)), ((2, 3, 2), (2, 2))])
def test_matmul_dtype_errors(sa: tuple, sb: tuple) -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(sa) @ torch.ones(sb, dtype=torch.float64)
    with pytest.raises(RuntimeError) as ours:
        npgrad.ones(sa) @ npgrad.ones(sb, dtype=npgrad.float64)
    if len(sa) == len(sb) == 1 or len(sb) == 2:
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D, but they are 0D and 1D"):
        L.matmul(npgrad.tensor(1.0), npgrad.ones(2))


def test_integer_matmul() -> None:
    a, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    assert_same(L.matmul(npgrad.tensor(a), npgrad.tensor(b)), torch.matmul(torch.tensor(a), torch.tensor(b)))


# ----------------------------------------------------------------------------- mm / bmm / dot / outer / addmm
def test_mm_bmm_dot_outer_inner_values_grads_and_errors() -> None:
    rng = np.random.default_rng(1)
    r = lambda *s: random_array(rng, s, np.float64)  # noqa: E731
    compare(L.mm, torch.mm, [r(2, 3), r(3, 4)], rtol=TOL64[0], atol=TOL64[1])
    compare(L.bmm, torch.bmm, [r(2, 2, 3), r(2, 3, 4)], rtol=TOL64[0], atol=TOL64[1])
    compare(L.dot, torch.dot, [r(5), r(5)], rtol=TOL64[0], atol=TOL64[1])
    compare(L.outer, torch.outer, [r(3), r(4)])
    compare(L.inner, torch.inner, [r(2, 3), r(4, 3)], rtol=TOL64[0], atol=TOL64[1])
    compare(L.inner, torch.inner, [r(3), r(3)], rtol=TOL64[0], atol=TOL64[1])
    assert_same(L.outer(npgrad.ones(2), npgrad.ones(3, dtype=npgrad.float64)),
                torch.outer(torch.ones(2), torch.ones(3, dtype=torch.float64)))
    n, t = npgrad.ones, torch.ones
    cases = [("mm", (3,), (3, 3)), ("mm", (2, 3), (3,)), ("mm", (2, 3), (2, 3)), ("bmm", (2, 3), (2, 3, 3)),
             ("bmm", (2, 3, 3), (2, 3)), ("bmm", (2, 3, 4), (3, 4, 4)), ("bmm", (2, 3, 4), (2, 5, 4)),
             ("dot", (2, 3), (3,)), ("dot", (3,), (4,)), ("outer", (2, 2), (3,))]
    for op, sa, sb in cases:
        same_error(lambda: getattr(L, op)(n(sa), n(sb)), lambda: getattr(torch, op)(t(sa), t(sb)))
    same_error(lambda: L.bmm(n(2, 3, 3), n(2, 3, 3, dtype=npgrad.float64)),
               lambda: torch.bmm(t(2, 3, 3), t(2, 3, 3, dtype=torch.float64)))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1), (0, -1.5)])
@pytest.mark.parametrize("ishape", [(4,), (3, 4), (1, 4), (3, 1), ()])
def test_addmm_baddbmm(beta: float, alpha: float, ishape: tuple) -> None:
    rng = np.random.default_rng(2)
    i, a, b = (random_array(rng, s, np.float64) for s in (ishape, (3, 5), (5, 4)))
    if beta == 0:
        i = np.full(ishape, np.nan)  # ignored entirely
    compare(lambda x, y, z: L.addmm(x, y, z, beta=beta, alpha=alpha),
            lambda x, y, z: torch.addmm(x, y, z, beta=beta, alpha=alpha), [i, a, b], rtol=TOL64[0], atol=TOL64[1])
    a3, b3 = random_array(rng, (2, 3, 5), np.float64), random_array(rng, (2, 5, 4), np.float64)
    compare(lambda x, y, z: L.baddbmm(x, y, z, beta=beta, alpha=alpha),
            lambda x, y, z: torch.baddbmm(x, y, z, beta=beta, alpha=alpha), [i, a3, b3], rtol=TOL64[0], atol=TOL64[1])


def test_addmm_shape_error() -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.addmm(torch.ones(4), torch.ones(2, 3), torch.ones(3, 3))
    with pytest.raises(RuntimeError) as ours:
        L.addmm(npgrad.ones(4), npgrad.ones(2, 3), npgrad.ones(3, 3))
    assert str(ours.value) == str(theirs.value)


# ----------------------------------------------------------------------------- einsum
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ba,ab->", [(2, 3), (3, 2)]), ("ba", [(2, 3)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij->ij", [(2, 2, 3)]), ("ii,i->i", [(3, 3), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(2, 1, 2, 3), (4, 3, 2)]), ("i,j->ij", [(2,), (3,)]),
    ("ab,cd->ad", [(2, 3), (4, 5)]), ("ijk->kji", [(2, 3, 4)]), ("ij->", [(2, 3)]), ("...i,i->...", [(2, 3, 4), (4,)]),
    ("i...->...", [(3, 2, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("a...,...->a...", [(2, 3), (3,)]),
    ("Ab,bA->A", [(2, 3), (3, 2)]), ("i,i", [(4,), (4,)]), ("ij,ij->ij", [(0, 3), (0, 3)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_matches_torch(eq: str, shapes: list) -> None:
    rng = np.random.default_rng(3)
    arrays = [random_array(rng, s, np.float64) for s in shapes]
    compare(lambda *xs: L.einsum(eq, *xs), lambda *xs: torch.einsum(eq, *xs), arrays, rtol=TOL64[0], atol=TOL64[1])
    compare(lambda *xs: L.einsum(eq, list(xs)), lambda *xs: torch.einsum(eq, list(xs)),
            [a.astype(np.float32) for a in arrays], rtol=1e-5, atol=1e-5)
    if all(a.size for a in arrays):
        compare_double(lambda *xs: L.einsum(eq, *xs), lambda *xs: torch.einsum(eq, *xs), arrays)


def test_einsum_size_one_broadcast() -> None:
    """torch broadcasts a size-1 subscript against a larger one (its own backward then fails)."""
    a, b = np.array([[2.0], [3.0]]), np.array([1.0, 2.0, 4.0])
    expected = torch.einsum("ab,b->a", torch.tensor(a), torch.tensor(b))
    assert_same(L.einsum("ab,b->a", npgrad.tensor(a), npgrad.tensor(b)), expected)
    ta, tb = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    L.einsum("ab,b->a", ta, tb).backward(npgrad.tensor([1.0, -1.0]))
    np.testing.assert_allclose(ta.grad.data, [[7.0], [-7.0]])
    np.testing.assert_allclose(tb.grad.data, [-1.0, -1.0, -1.0])


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (2, 4)]), ("ij->ik", [(2, 3)]), ("ij,jk", [(2, 3)]),
                                       ("ijk", [(2, 3)]), ("ij,jk->ii", [(2, 3), (3, 4)]), ("i#", [(2, 3)])])
def test_einsum_errors_like_torch(eq: str, shapes: list) -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.einsum(eq, *[torch.ones(s) for s in shapes])
    with pytest.raises(RuntimeError) as ours:
        L.einsum(eq, *[npgrad.ones(s) for s in shapes])
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        L.einsum("ij,jk", npgrad.ones(2, 3), npgrad.ones(3, 4, dtype=npgrad.float64))


# ----------------------------------------------------------------------------- norms
ORDS = [2, 1, math.inf, -math.inf, 0, 0.5, 3, -1, -2, 1.5]


@pytest.mark.parametrize("ord", ORDS, ids=repr)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=8, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), seed=st.integers(0, 2**16),
       data=st.data())
def test_vector_norm_matches_torch(ord: float, dtype: type, shape: tuple, seed: int, data: st.DataObject) -> None:
    nd = len(shape)
    dims = [st.none(), st.integers(-max(nd, 1), max(nd, 1) - 1)]
    if nd:
        dims.append(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd, unique_by=lambda d: d % nd).map(tuple))
    dim = data.draw(st.one_of(*dims))
    keepdim = data.draw(st.booleans())
    x = random_array(np.random.default_rng(seed), shape, dtype)
    if x.size > 1 and data.draw(st.booleans()):
        x.reshape(-1)[0] = 0.0  # zeros matter for p <= 1
    rtol, atol = (1e-9, 1e-11) if dtype == np.float64 else (2e-5, 2e-6)
    compare(lambda t: L.vector_norm(t, ord, dim, keepdim), lambda t: torch.linalg.vector_norm(t, ord, dim, keepdim),
            [x], rtol=rtol, atol=atol, seed=seed)


@pytest.mark.parametrize("ord", ORDS, ids=repr)
def test_vector_norm_gradient_at_zero_vector_and_double_backward(ord: float) -> None:
    compare(lambda t: L.vector_norm(t, ord), lambda t: torch.linalg.vector_norm(t, ord), [np.zeros(4)])
    compare(lambda t: L.vector_norm(t, ord, 1), lambda t: torch.linalg.vector_norm(t, ord, 1),
            [np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])])
    if ord not in (0, math.inf, -math.inf, 1):
        compare_double(lambda t: L.vector_norm(t, ord, -1), lambda t: torch.linalg.vector_norm(t, ord, -1),
                       [np.array([[0.3, -1.2, 2.0], [1.0, -2.0, 0.5]])], rtol=1e-8, atol=1e-10)


def test_vector_norm_ties_empty_and_errors() -> None:
    compare(lambda t: L.vector_norm(t, math.inf), lambda t: torch.linalg.vector_norm(t, math.inf),
            [np.array([3.0, -3.0, 1.0, 3.0])])
    compare(lambda t: L.vector_norm(t, -math.inf, 0), lambda t: torch.linalg.vector_norm(t, -math.inf, 0),
            [np.array([[1.0, 2.0], [-1.0, 5.0]])])
    for ord in [2, 1, 0, 3]:
        compare(lambda t: L.vector_norm(t, ord), lambda t: torch.linalg.vector_norm(t, ord), [np.ones((0, 3))])
        compare(lambda t: L.vector_norm(t, ord, 0), lambda t: torch.linalg.vector_norm(t, ord, 0), [np.ones((0, 3))])
    for ord, dim in [(math.inf, None), (-1, None), (-math.inf, 0), (math.inf, 1)]:
        try:
            expected = torch.linalg.vector_norm(torch.ones(0, 3), ord, dim)
        except RuntimeError as e:
            with pytest.raises(RuntimeError) as ours:
                L.vector_norm(npgrad.ones(0, 3), ord, dim)
            assert str(ours.value) == str(e)
        else:
            assert_same(L.vector_norm(npgrad.ones(0, 3), ord, dim), expected)
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input. Got Long"):
        L.vector_norm(npgrad.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        L.vector_norm(npgrad.ones(2, 3), 2, (0, 0))
    with pytest.raises(TypeError, match="must be Number, not str"):
        L.vector_norm(npgrad.ones(3), "fro")
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input. Got Long"):
        L.vector_norm(npgrad.tensor([1, 2]), dtype=npgrad.float64)  # torch too: dtype does not lift integers
    compare(lambda t: L.vector_norm(t, 3, dtype=npgrad.float64),
            lambda t: torch.linalg.vector_norm(t, 3, dtype=torch.float64),
            [np.array([1.0, -2.0], dtype=np.float32)])


MATRIX_ORDS = ["fro", "nuc", 1, -1, math.inf, -math.inf, 2, -2]


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=repr)
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((0, 2), True), ((2, 0), False), ((-1, 1), True)])
def test_matrix_norm_matches_torch(ord: object, dim: tuple, keepdim: bool) -> None:
    x = random_array(np.random.default_rng(4), (3, 4, 5), np.float64)
    compare(lambda t: L.matrix_norm(t, ord, dim, keepdim), lambda t: torch.linalg.matrix_norm(t, ord, dim, keepdim),
            [x], rtol=1e-8, atol=1e-10)
    compare(lambda t: L.matrix_norm(t, ord, dim, keepdim), lambda t: torch.linalg.matrix_norm(t, ord, dim, keepdim),
            [x.astype(np.float32)], rtol=1e-4, atol=1e-5)


def test_matrix_norm_errors() -> None:
    n, t = npgrad.ones, torch.ones
    same_error(lambda: L.matrix_norm(n(3)), lambda: torch.linalg.matrix_norm(t(3)))
    same_error(lambda: L.matrix_norm(n(3, 3), 3), lambda: torch.linalg.matrix_norm(t(3, 3), 3))
    same_error(lambda: L.matrix_norm(n(3, 3), "foo"), lambda: torch.linalg.matrix_norm(t(3, 3), "foo"))
    same_error(lambda: L.linalg_norm(n(3, 3), "fro", 1), lambda: torch.linalg.norm(t(3, 3), "fro", 1))
    same_error(lambda: L.linalg_norm(n(3, 3, 3), 2), lambda: torch.linalg.norm(t(3, 3, 3), 2))
    same_error(lambda: L.linalg_norm(n(3), "fro"), lambda: torch.linalg.norm(t(3), "fro"))


NORM_CALLS = [
    ((), {}), ((3,), {}), ((2,), {"dim": 1}), ((math.inf,), {"dim": (0, 1)}), (("fro",), {}), (("nuc",), {}),
    ((-1,), {"dim": 0, "keepdim": True}), ((None, (0, 1), True), {}), ((2, 1), {}), ((1, (1, 0)), {}),
]


@pytest.mark.parametrize("args,kwargs", NORM_CALLS)
def test_linalg_norm_and_torch_norm(args: tuple, kwargs: dict) -> None:
    x = random_array(np.random.default_rng(5), (3, 4), np.float64)
    try:
        torch.linalg.norm(torch.tensor(x), *args, **kwargs)
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as ours:
            L.linalg_norm(npgrad.tensor(x), *args, **kwargs)
        assert str(ours.value) == str(e)
        return
    compare(lambda t: L.linalg_norm(t, *args, **kwargs), lambda t: torch.linalg.norm(t, *args, **kwargs), [x],
            rtol=1e-8, atol=1e-10)
    compare(lambda t: npgrad.linalg.norm(t, *args, **kwargs), lambda t: torch.linalg.norm(t, *args, **kwargs),
            [x], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("p", ["fro", "nuc", 2, 1, math.inf, 0.5, 3])
@pytest.mark.parametrize("dim", [None, 1, (0, 1), (-1, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_torch_norm(p: object, dim: object, keepdim: bool) -> None:
    x = random_array(np.random.default_rng(7), (3, 4), np.float64)
    try:
        torch.norm(torch.tensor(x), p, dim, keepdim)
    except RuntimeError:
        same_error(lambda: L.norm(npgrad.tensor(x), p, dim, keepdim), lambda: torch.norm(torch.tensor(x), p, dim, keepdim))
        return
    compare(lambda t: L.norm(t, p, dim, keepdim), lambda t: torch.norm(t, p, dim, keepdim), [x], rtol=1e-8, atol=1e-10)


def test_tensor_norm_method() -> None:
    x = random_array(np.random.default_rng(6), (2, 3, 3), np.float64)
    compare(lambda t: t.norm(), lambda t: t.norm(), [x])
    compare(lambda t: t.norm(p=1, dim=(1, 2), keepdim=True), lambda t: t.norm(p=1, dim=(1, 2), keepdim=True), [x])
    compare(lambda t: L.norm(t, "nuc", dim=(1, 2)), lambda t: torch.norm(t, "nuc", dim=(1, 2)), [x],
            rtol=1e-8, atol=1e-10)
