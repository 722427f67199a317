"""Shape ops against torch: forward values, gradients (random cotangents), views sharing memory, errors.

Shapes and op arguments are drawn by hypothesis (including 0-d and empty dims where torch allows);
gradients are compared in float64 and a sample of ops goes through gradcheck / gradgradcheck.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.ops import shape as S

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def _rand(shape: tuple, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _shares(ours: Any, base: Any) -> bool:
    return bool(np.shares_memory(ours.data, base.data)) if ours.data.size and base.data.size else False


def _torch_shares(out: torch.Tensor, base: torch.Tensor) -> bool:
    if out.numel() == 0 or base.numel() == 0:
        return False
    return out.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()


def compare(fn: Callable, *arrays: np.ndarray, views: bool = False) -> None:
    """``fn(module, *leaves)`` in both frameworks: same values/shape/dtype, same gradients, same memory sharing."""
    ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    o, t = fn(npgrad, *ours), fn(torch, *theirs)
    outs_o = list(o) if isinstance(o, (tuple, list)) else [o]
    outs_t = list(t) if isinstance(t, (tuple, list)) else [t]
    assert len(outs_o) == len(outs_t)
    for a, b in zip(outs_o, outs_t):
        assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12, atol=1e-12)
        if views:
            assert _shares(a, ours[0]) == _torch_shares(b, theirs[0])
    rng = np.random.default_rng(5)
    loss_o = loss_t = 0
    for a, b in zip(outs_o, outs_t):
        if b.requires_grad:
            v = rng.standard_normal(tuple(b.shape))
            loss_o = loss_o + (a * npgrad.tensor(v)).sum()
            loss_t = loss_t + (b * torch.tensor(v)).sum()
    if isinstance(loss_t, torch.Tensor):
        loss_o.backward()
        loss_t.backward()
        for x, y in zip(ours, theirs):
            if y.grad is None:
                assert x.grad is None or not x.grad.data.any()
            else:
                np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-12, atol=1e-12)


def raises_like(fn: Callable, *arrays: np.ndarray) -> None:
    """Both frameworks raise the same exception type with the same message."""
    with pytest.raises(Exception) as te:
        fn(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(type(te.value)) as ne:
        fn(npgrad, *[npgrad.tensor(a) for a in arrays])
    assert str(ne.value).replace("npgrad", "torch") == str(te.value), (str(ne.value), str(te.value))


# ----------------------------------------------------------------------------- reshape family
@settings(max_examples=30, deadline=None)
@given(shapes, st.data())
def test_reshape_view_flatten(shape, data):
    n = int(np.prod(shape))
    arr = _rand(shape)
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [0]
    d = data.draw(st.sampled_from(divisors))
    target = (d, -1) if n else (0, 3) if not shape or 0 in shape else (d,)
    if n == 0:
        target = (0,) + (shape[1:] if len(shape) > 1 else ())
    compare(lambda m, x: x.reshape(target), arr, views=True)
    compare(lambda m, x: x.view(target), arr, views=True)
    compare(lambda m, x: m.reshape(x, (-1,)), arr, views=True)
    if shape:
        s = data.draw(st.integers(-len(shape), len(shape) - 1))
        e = data.draw(st.integers(-len(shape), len(shape) - 1))
        if (s % len(shape)) <= (e % len(shape)):
            compare(lambda m, x: x.flatten(s, e), arr, views=True)
    else:
        compare(lambda m, x: x.flatten(), arr)


def test_reshape_of_non_contiguous_copies_and_view_raises():
    arr = _rand((3, 4))
    compare(lambda m, x: x.t().reshape(12), arr, views=True)
    compare(lambda m, x: x.t().reshape(2, 6).t(), arr, views=True)
    compare(lambda m, x: x[:, 1:3].reshape(6), arr, views=True)
    compare(lambda m, x: x[:, :2].reshape(3, 2, 1), arr, views=True)
    raises_like(lambda m, x: x.t().view(12), arr)
    compare(lambda m, x: x.t().view(4, 3, 1), arr, views=True)  # still viewable
    compare(lambda m, x: x.view_as(x.t()).reshape_as(x), arr, views=True)


@settings(max_examples=25, deadline=None)
@given(nonempty_shapes, st.data())
def test_unflatten_squeeze_unsqueeze(shape, data):
    arr = _rand(shape)
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    size = shape[dim]
    compare(lambda m, x: x.unflatten(dim, (1, size, 1)), arr, views=True)
    compare(lambda m, x: x.unflatten(dim, (-1, 1)), arr, views=True)
    one = tuple(1 if i % 2 else s for i, s in enumerate(shape))
    arr1 = _rand(one)
    compare(lambda m, x: x.squeeze(), arr1, views=True)
    compare(lambda m, x: x.squeeze(dim), arr1, views=True)
    dims = tuple(sorted(set(data.draw(st.lists(st.integers(-nd, nd - 1), max_size=3)))))
    if len({d % nd for d in dims}) == len(dims):
        compare(lambda m, x: x.squeeze(dims), arr1, views=True)
    udim = data.draw(st.integers(-nd - 1, nd))
    compare(lambda m, x: x.unsqueeze(udim), arr, views=True)
    compare(lambda m, x: m.unsqueeze(x, udim).squeeze(udim), arr)


def test_zero_dim_tensors():
    a = np.array(1.5)
    compare(lambda m, x: x.reshape(1, 1), a, views=True)
    compare(lambda m, x: x.unsqueeze(0), a)
    compare(lambda m, x: x.squeeze(0), a)
    compare(lambda m, x: x.flatten(), a)
    compare(lambda m, x: x.expand(2, 3), a, views=True)
    compare(lambda m, x: x.repeat(2, 2), a)
    compare(lambda m, x: m.stack([x, x * 2]), a)
    compare(lambda m, x: x.t(), a)
    raises_like(lambda m, x: m.cat([x, x]), a)


# ----------------------------------------------------------------------------- permutations
@settings(max_examples=30, deadline=None)
@given(nonempty_shapes, st.data())
def test_transpose_permute_movedim(shape, data):
    arr = _rand(shape)
    nd = len(shape)
    a, b = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
    compare(lambda m, x: x.transpose(a, b), arr, views=True)
    compare(lambda m, x: m.swapaxes(x, a, b), arr, views=True)
    perm = data.draw(st.permutations(range(nd)))
    neg = [p - nd if i % 2 else p for i, p in enumerate(perm)]
    compare(lambda m, x: x.permute(*neg), arr, views=True)
    compare(lambda m, x: m.permute(x, perm), arr, views=True)
    k = data.draw(st.integers(1, nd))
    src = data.draw(st.permutations(range(nd)))[:k]
    dst = data.draw(st.permutations(range(nd)))[:k]
    compare(lambda m, x: m.movedim(x, tuple(src), tuple(dst)), arr, views=True)
    compare(lambda m, x: x.movedim(src[0], dst[0]), arr, views=True)
    if nd >= 2:
        compare(lambda m, x: x.mT, arr, views=True)
    if nd == 2:
        compare(lambda m, x: x.T, arr, views=True)
        compare(lambda m, x: x.t(), arr, views=True)


def test_grad_fn_names_like_torch():
    x = npgrad.ones(2, 3, requires_grad=True)
    xt = torch.ones(2, 3, requires_grad=True)
    for f in (lambda v: v.t(), lambda v: v.transpose(0, 1), lambda v: v.permute(1, 0), lambda v: v.view(6),
              lambda v: v.unsqueeze(0), lambda v: v.expand(4, 2, 3), lambda v: v.clone(), lambda v: v[0:1],
              lambda v: v.flip(0), lambda v: v.repeat(2, 1), lambda v: v.t().reshape(6), lambda v: v.double(),
              lambda v: v.unbind(0)[0], lambda v: v.split([1, 1])[0]):
        assert f(x).grad_fn.name() == f(xt).grad_fn.name()


# ----------------------------------------------------------------------------- expand / repeat / tile
@settings(max_examples=30, deadline=None)
@given(shapes, st.data())
def test_expand_repeat_tile(shape, data):
    one = tuple(1 if data.draw(st.booleans()) else s for s in shape)
    arr = _rand(one)
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    target = lead + tuple(-1 if (s != 1 and data.draw(st.booleans())) else s for s in shape)
    compare(lambda m, x: x.expand(target), arr, views=True)
    compare(lambda m, x: x.expand(target).sum(0) if lead else x.expand(target), arr)
    compare(lambda m, x: x.expand_as(m.zeros(lead + shape, dtype=m.float64)), arr, views=True)
    compare(lambda m, x: m.broadcast_to(x, lead + shape), arr, views=True)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=len(one), max_size=len(one) + 2)))
    compare(lambda m, x: x.repeat(reps), arr)
    tiles = tuple(data.draw(st.lists(st.integers(1, 3), max_size=len(one) + 1)))
    compare(lambda m, x: x.tile(tiles), arr)
    compare(lambda m, x: m.tile(x, tiles), arr)


def test_broadcast_tensors_and_shapes():
    compare(lambda m, a, b: m.broadcast_tensors(a, b), _rand((3, 1)), _rand((1, 4)), views=True)
    assert npgrad.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1) == (2, 3)
    raises_like(lambda m, a, b: m.broadcast_tensors(a, b), _rand((2, 3)), _rand((4,)))
    with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 4"):
        npgrad.broadcast_shapes((2, 3), (4,))


# ----------------------------------------------------------------------------- cat / stack / split
@settings(max_examples=30, deadline=None)
@given(nonempty_shapes, st.data())
def test_cat_stack(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    arrays = []
    for i, k in enumerate(sizes):
        s = list(shape)
        s[dim] = k
        arrays.append(_rand(tuple(s), i))
    compare(lambda m, *xs: m.cat(xs, dim), *arrays)
    compare(lambda m, *xs: m.concat(list(xs), dim=dim), *arrays)
    same = [_rand(shape, i) for i in range(len(sizes))]
    sdim = data.draw(st.integers(-nd - 1, nd))
    compare(lambda m, *xs: m.stack(xs, sdim), *same)
    compare(lambda m, *xs: m.hstack(xs), *same)
    compare(lambda m, *xs: m.vstack(xs), *same)


def test_cat_dtype_promotion_and_errors():
    for m in (npgrad, torch):
        out = m.cat([m.ones(2, dtype=m.int32), m.ones(1, dtype=m.float64), m.tensor([True])])
        assert str(out.dtype).endswith("float64")
        assert str(m.cat([m.ones(2, dtype=m.uint8), m.ones(1, dtype=m.int8)]).dtype).endswith("int16")
        assert str(m.stack([m.ones(2, dtype=m.int64), m.ones(2)]).dtype).endswith("float32")
    x, y = _rand((2, 3)), _rand((3,))
    raises_like(lambda m, a, b: m.cat([a, b]), x, y)
    raises_like(lambda m, a, b: m.cat([a, b.reshape(3, 1)]), x, y)
    raises_like(lambda m, a, b: m.cat([a, a], 2), x, y)
    raises_like(lambda m, a, b: m.stack([a, b]), x, y)
    raises_like(lambda m, a, b: m.cat([]), x, y)
    compare(lambda m, a: m.cat([a, m.zeros(0, dtype=m.float64)]), x)  # legacy: 1-d empty tensors are skipped
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        npgrad.cat([npgrad.ones(2), [1.0, 2.0]])


@settings(max_examples=30, deadline=None)
@given(nonempty_shapes, st.data())
def test_split_chunk_unbind_narrow(shape, data):
    arr = _rand(shape)
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    size = shape[dim]
    step = data.draw(st.integers(1, size + 1))
    compare(lambda m, x: x.split(step, dim), arr, views=True)
    parts, left = [], size
    while left:
        k = data.draw(st.integers(0, left))
        parts.append(k)
        left -= k
        if len(parts) > 4:
            parts.append(left)
            break
    parts = parts or [0]
    if sum(parts) == size:
        compare(lambda m, x: m.split(x, parts, dim), arr, views=True)
    chunks = data.draw(st.integers(1, 5))
    compare(lambda m, x: x.chunk(chunks, dim), arr, views=True)
    compare(lambda m, x: x.unbind(dim), arr, views=True)
    start = data.draw(st.integers(-size, size - 1))
    length = data.draw(st.integers(0, size - (start % size)))
    compare(lambda m, x: x.narrow(dim, start, length), arr, views=True)


def test_split_chunk_edge_cases_and_errors():
    arr, empty = _rand((5, 2)), _rand((0, 3))
    compare(lambda m, x: x.chunk(3), arr)
    compare(lambda m, x: x.chunk(3), empty)
    compare(lambda m, x: x.split(0), empty)
    compare(lambda m, x: x.split(2, dim=1), arr)
    raises_like(lambda m, x: x.split([2, 2]), arr)
    raises_like(lambda m, x: x.chunk(0), arr)
    raises_like(lambda m, x: x.narrow(0, 3, 3), arr)
    raises_like(lambda m, x: x.split(0), arr)


# ----------------------------------------------------------------------------- flip / roll / pad
@settings(max_examples=30, deadline=None)
@given(shapes, st.data())
def test_flip_roll(shape, data):
    arr = _rand(shape)
    nd = max(len(shape), 1)
    dims = tuple(sorted(set(data.draw(st.lists(st.integers(0, nd - 1), max_size=3)))))
    if len(shape):
        compare(lambda m, x: x.flip(dims), arr)
        compare(lambda m, x: m.flip(x, dims), arr)
    shift = data.draw(st.integers(-7, 7))
    compare(lambda m, x: x.roll(shift), arr)
    if len(shape):
        d = data.draw(st.integers(-len(shape), len(shape) - 1))
        compare(lambda m, x: x.roll(shift, d), arr)
        compare(lambda m, x: m.roll(x, (shift, 1), (d, 0)), arr)


def test_flip_returns_a_copy_like_torch():
    compare(lambda m, x: x.flip(0), _rand((3, 2)), views=True)
    x = npgrad.arange(4.0)
    f = x.flip(0)
    f[0] = 100
    assert x.tolist() == [0, 1, 2, 3]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["constant", "reflect", "replicate", "circular"]), st.integers(1, 3), st.data())
def test_pad_matches_torch(mode, npad, data):
    shape = (2,) + tuple(data.draw(st.integers(2, 5)) for _ in range(npad))
    if mode != "constant":
        shape = (1,) + shape  # torch's non-constant modes want a batch/channel layout
    arr = _rand(shape)
    pads = []
    for i in range(npad):
        size = shape[-1 - i]
        lo = -(size // 2) if mode == "constant" else 0
        hi = size - 1 if mode == "reflect" else size
        pads += [data.draw(st.integers(lo, hi)), data.draw(st.integers(lo, hi))]
    value = data.draw(st.floats(-2, 2)) if mode == "constant" else None
    kw = {"value": value} if value is not None else {}
    compare(lambda m, x: (TF.pad(x, pads, mode=mode, **kw) if m is torch else S.pad(x, pads, mode=mode, **kw)), arr)


def test_pad_errors():
    arr = _rand((2, 3))
    for bad in [((1,), "constant"), ((3, 0), "reflect"), ((1, 1, 1, 1, 1, 1), "constant")]:
        raises_like(lambda m, x: (TF.pad(x, bad[0], mode=bad[1]) if m is torch else S.pad(x, bad[0], mode=bad[1])),
                    arr)


# ----------------------------------------------------------------------------- misc
def test_contiguous_and_clone():
    compare(lambda m, x: x.t().contiguous(), _rand((2, 3)), views=True)
    compare(lambda m, x: x.contiguous(), _rand((2, 3)), views=True)
    compare(lambda m, x: m.clone(x), _rand((2, 3)), views=True)


def test_views_share_version_and_memory_and_write_through():
    x = npgrad.zeros(2, 3)
    for v in (x.view(6), x.t(), x[1], x.unsqueeze(0), x.expand(2, 2, 3), x.narrow(1, 0, 2), x.unbind(0)[0],
              x.split(1)[1], x.chunk(3, 1)[2], x.movedim(0, 1), x.squeeze(), x.flatten()):
        assert _shares(v, x) and v._version_ref is x._version_ref
    x.view(6)[4] = 7.0
    x.t()[0, 1].fill_(3.0)
    assert x.tolist() == [[0, 0, 0], [3, 7, 0]]
    assert not _shares(x.repeat(1, 1), x) and not _shares(x.roll(1), x) and not _shares(x.tile((1,)), x)


def test_shape_arguments_errors_like_torch():
    arr = _rand((2, 3))
    for f in (lambda m, x: x.view(5), lambda m, x: x.reshape(-1, -1), lambda m, x: x.reshape(7, -1),
              lambda m, x: x.view(-1, 0), lambda m, x: x.expand(3, 3), lambda m, x: x.expand(2),
              lambda m, x: x.repeat(2), lambda m, x: x.permute(0, 0), lambda m, x: x.permute(0),
              lambda m, x: x.movedim((0, 0), (1, 0)), lambda m, x: x.unflatten(1, (2, 2)),
              lambda m, x: x.flatten(1, 0), lambda m, x: x.roll((1, 2), (0,)), lambda m, x: x.squeeze(3),
              lambda m, x: x.unsqueeze(3), lambda m, x: x.transpose(0, -3), lambda m, x: x.t().t().t().view(6)):
        raises_like(f, arr)
    raises_like(lambda m, x: x.reshape(-1, 0), _rand((0, 3)))
    raises_like(lambda m, x: x.t(), _rand((2, 2, 2)))


def test_gradcheck_and_gradgradcheck_on_shape_ops():
    x = npgrad.tensor(_rand((2, 3, 2)), requires_grad=True)
    y = npgrad.tensor(_rand((2, 1, 2)), requires_grad=True)
    fns = [
        lambda a, b: (a.permute(2, 0, 1).reshape(2, 6) * 2).sum(0),
        lambda a, b: npgrad.cat([a, b.expand(2, 2, 2)], 1).flip(0).roll(1, 2),
        lambda a, b: npgrad.stack(a.unbind(1), -1).narrow(0, 1, 1) * b.squeeze(1).unsqueeze(-1),
        lambda a, b: S.pad(a, (1, 1, 2, 1), mode="reflect") * S.pad(a, (1, 1, 2, 1), mode="circular"),
        lambda a, b: S.pad(a * a, (1, -1, 0, 2), value=0.5).repeat(1, 2, 1).split([1, 1])[1],
    ]
    for f in fns:
        assert gradcheck(f, (x, y))
        assert gradgradcheck(f, (x, y))


def test_view_as_other_dtype_reinterprets_bytes():
    for src, dst in (("float32", "int32"), ("float64", "uint8"), ("int64", "float64"), ("float32", "float32")):
        a = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=src)
        n = npgrad.tensor(a).view(getattr(npgrad, dst))
        t = torch.tensor(a).view(getattr(torch, dst))
        assert n.shape == t.shape
        np.testing.assert_array_equal(n.numpy(), t.numpy())  # NaN bit patterns compare equal here
    x = npgrad.zeros(2, dtype=npgrad.float32)
    v = x.view(npgrad.int32)
    v.fill_(1065353216)
    assert x.tolist() == [1.0, 1.0] and x._version == 1
