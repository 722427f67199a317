"""The Tensor API against torch: attributes, conversions, Python protocols, repr, copy/pickle, errors."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import npgrad


def both(arr, **kw):
    return npgrad.tensor(arr, **kw), torch.tensor(arr, **kw)


# ----------------------------------------------------------------------------- attributes
def test_metadata_like_torch():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    n, t = both(a)
    assert n.shape == t.shape and isinstance(n.shape, npgrad.Size) and isinstance(n.shape, tuple)
    assert repr(n.shape) == repr(t.shape).replace("torch", "npgrad")
    assert n.size() == t.size() and n.size(1) == t.size(1) == 3 and n.size(-1) == 4
    assert n.dim() == n.ndim == 3 and n.numel() == t.numel() == 24 and n.nelement() == 24
    assert str(n.dtype) == "npgrad.float32" and n.element_size() == 4 and n.nbytes == 96
    assert n.device == npgrad.device("cpu") and str(n.device) == "cpu" and n.device.type == "cpu"
    assert n.is_leaf and n.grad_fn is None and not n.requires_grad and n.grad is None
    assert n.stride() == t.stride() and n.is_contiguous()
    assert n.transpose(0, 2).stride() == t.transpose(0, 2).stride() and not n.transpose(0, 2).is_contiguous()
    assert n.shape[1:] == npgrad.Size([3, 4]) and isinstance(n.shape[1:], npgrad.Size)
    assert npgrad.Size([2, 3]).numel() == 6


def test_data_is_the_shared_numpy_array():
    x = npgrad.ones(3)
    assert isinstance(x.data, np.ndarray)
    x.data[0] = 5
    assert x[0].item() == 5
    x.data = np.zeros(2, np.float32)
    assert x.shape == (2,)


def test_item_tolist_numpy():
    n, t = both([[1.5, 2.0], [3.0, 4.0]])
    assert n.tolist() == t.tolist()
    assert n[1, 0].item() == 3.0 and isinstance(npgrad.tensor(3).item(), int)
    assert isinstance(npgrad.tensor(True).item(), bool)
    with pytest.raises(RuntimeError, match="a Tensor with 4 elements cannot be converted to Scalar"):
        n.item()
    arr = n.numpy()
    assert np.shares_memory(arr, n.data)
    r = npgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        r.numpy()
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(r)
    assert r.detach().numpy().tolist() == [1, 1]
    assert r.numpy(force=True).tolist() == [1, 1]


def test_numpy_interop():
    n = npgrad.tensor([1.0, 4.0])
    assert np.asarray(n).dtype == np.float32
    assert np.asarray(n, dtype=np.float64).dtype == np.float64
    e = np.sqrt(n)
    assert isinstance(e, npgrad.Tensor) and e.tolist() == [1.0, 2.0]
    assert (np.ones(2) + npgrad.ones(2)).__class__ is npgrad.Tensor  # the tensor's __radd__ wins


def test_python_protocols():
    n = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(n) == 2
    rows = list(n)
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]
    assert bool(npgrad.tensor([0.0])) is False and bool(npgrad.tensor(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(n)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(npgrad.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(npgrad.tensor(1.0))
    assert float(npgrad.tensor([2.5])) == 2.5 and int(npgrad.tensor(7.9)) == 7
    assert [10, 20, 30][npgrad.tensor(1)] == 20
    with pytest.raises(TypeError):
        [1, 2][npgrad.tensor(1.0)]
    assert f"{npgrad.tensor(3.14159):.2f}" == "3.14"
    assert hash(n) != hash(n.clone())
    assert 3.0 in n and 5 not in n and npgrad.tensor(4.0) in n
    assert reversed(n).tolist() == reversed(torch.tensor(n.numpy())).tolist()
    assert isinstance(n == n, npgrad.Tensor)


def test_iteration_keeps_autograd():
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    total = None
    for row in x:
        total = row * row if total is None else total + row * row
    total.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())


# ----------------------------------------------------------------------------- repr
REPR_CASES = [
    lambda m: m.tensor([1.0, 2.0, 3.0]),
    lambda m: m.tensor([1.5, -2.25, 1e-5]),
    lambda m: m.tensor([1e10, 1.0]),
    lambda m: m.tensor([123456789.0, 1.0]),
    lambda m: m.tensor(3.14159),
    lambda m: m.tensor(-0.0),
    lambda m: m.tensor(7),
    lambda m: m.tensor([]),
    lambda m: m.zeros(0, 3),
    lambda m: m.zeros(2, 0, dtype=m.int64),
    lambda m: m.zeros(0, dtype=m.float64),
    lambda m: m.arange(2000.0),
    lambda m: m.arange(3000).reshape(30, 100),
    lambda m: m.arange(2000.0).reshape(20, 10, 10) / 7,
    lambda m: m.tensor([True, False, True]),
    lambda m: m.tensor([[True], [True]]),
    lambda m: m.tensor([1, -20, 300]),
    lambda m: m.tensor([1.0, float("nan"), float("inf"), -float("inf")]),
    lambda m: m.tensor([float("nan")]),
    lambda m: m.ones(2, 3, dtype=m.float64),
    lambda m: m.ones(2, 3, dtype=m.float16) / 3,
    lambda m: m.ones(3, dtype=m.int32),
    lambda m: m.ones(3, dtype=m.uint8),
    lambda m: m.ones(2, requires_grad=True),
    lambda m: m.ones(2, requires_grad=True) * 2,
    lambda m: m.ones(2, 2, requires_grad=True).t(),
    lambda m: m.arange(10.0).reshape(2, 5) * 1.5,
    lambda m: m.tensor([0.1, 0.25, 100.0]),
    lambda m: m.tensor([0.1, 0.25, 1000.0]),
    lambda m: m.zeros(3),
    lambda m: m.tensor([[1e-5, 1.0], [2.0, 3.0]]),
    lambda m: m.linspace(0, 1, 30),
    lambda m: m.arange(24.0).reshape(2, 3, 4) - 11.5,
    lambda m: m.arange(40.0).reshape(2, 20) * 1e-9,
    lambda m: m.tensor([[-1234.5678, 0.5]]),
]


@pytest.mark.parametrize("make", REPR_CASES)
def test_repr_matches_torch(make):
    t = make(torch)
    n = npgrad.tensor(t.detach().numpy(), requires_grad=t.requires_grad)
    if t.grad_fn is not None:  # rebuild through the same ops for the grad_fn name
        n = make(npgrad)
    assert repr(n) == repr(t).replace("torch", "npgrad")
    assert str(n) == repr(n)


def test_repr_with_print_options():
    for m in (npgrad, torch):
        m.set_printoptions(precision=2)
    try:
        assert repr(npgrad.tensor([1.12345, 2.0])) == repr(torch.tensor([1.12345, 2.0]))
    finally:
        for m in (npgrad, torch):
            m.set_printoptions(profile="default")
    for m in (npgrad, torch):
        m.set_printoptions(threshold=5)
    try:
        assert repr(npgrad.arange(10)) == repr(torch.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    finally:
        for m in (npgrad, torch):
            m.set_printoptions(profile="default")


def test_repr_of_default_float64_and_parameter():
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert repr(npgrad.tensor([1.5])) == "tensor([1.5000])"
        assert repr(npgrad.tensor([1.5], dtype=npgrad.float32)) == "tensor([1.5000], dtype=npgrad.float32)"
    finally:
        npgrad.set_default_dtype(npgrad.float32)
    from npgrad.nn import Parameter

    p = Parameter(npgrad.ones(2))
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2))).replace("torch", "npgrad")


# ----------------------------------------------------------------------------- conversions
@pytest.mark.parametrize("meth", ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"])
def test_dtype_methods_like_torch(meth):
    a = np.array([-1.5, 0.0, 2.7], dtype=np.float32)
    n, t = getattr(npgrad.tensor(a), meth)(), getattr(torch.tensor(a), meth)()
    assert str(n.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert n.tolist() == t.tolist()


def test_to_variants():
    x = npgrad.ones(2)
    assert x.to(npgrad.float32) is x and x.float() is x and x.to("cpu") is x and x.cpu() is x
    assert x.to(npgrad.float64).dtype == npgrad.float64
    assert x.to(npgrad.ones(1, dtype=npgrad.int32)).dtype == npgrad.int32
    assert x.to("cpu", npgrad.float16).dtype == npgrad.float16
    assert x.to(device="cpu", dtype=npgrad.int64).dtype == npgrad.int64
    y = x.to(npgrad.float32, copy=True)
    assert y is not x and not np.shares_memory(y.data, x.data)
    assert x.type() == "npgrad.FloatTensor" and x.double().type() == "npgrad.DoubleTensor"
    assert x.type("torch.LongTensor").dtype == npgrad.int64
    assert x.type_as(npgrad.ones(1, dtype=npgrad.float64)).dtype == npgrad.float64
    with pytest.raises(RuntimeError, match="CUDA"):
        x.cuda()
    with pytest.raises(RuntimeError):
        x.to("cuda")


def test_casts_and_clone_are_differentiable():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * x.clone()
    assert y.dtype == npgrad.float64
    y.sum().backward()
    assert x.grad.dtype == npgrad.float32
    np.testing.assert_allclose(x.grad.numpy(), [2, 4])
    assert x.long().grad_fn is None and not x.long().requires_grad


def test_clone_and_contiguous():
    x = npgrad.arange(6.0).reshape(2, 3)
    c = x.clone()
    assert not np.shares_memory(c.data, x.data) and c.tolist() == x.tolist()
    assert x.contiguous() is x
    tt = x.t().contiguous()
    assert tt.is_contiguous() and tt.tolist() == x.t().tolist()


def test_new_methods_like_torch():
    for m in (npgrad, torch):
        base = m.ones(2, dtype=m.int32)
        made = [base.new_zeros(2, 3), base.new_ones((1,)), base.new_full((2,), 7), base.new_empty(3),
                base.new_tensor([1.5]), base.new_zeros(2, dtype=m.float64)]
        if m is npgrad:
            ours = [(tuple(t.shape), str(t.dtype).split(".")[1]) for t in made]
        else:
            theirs = [(tuple(t.shape), str(t.dtype).split(".")[1]) for t in made]
    assert ours == theirs
    r = npgrad.ones(1).new_zeros(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf


def test_tensor_class_constructor():
    assert npgrad.Tensor([1, 2]).dtype == npgrad.float32
    assert npgrad.Tensor(np.array([1.0], dtype=np.float64)).dtype == npgrad.float32
    assert npgrad.Tensor(2, 3).shape == (2, 3)
    assert npgrad.Tensor().shape == (0,)
    assert isinstance(npgrad.tensor(1.0), npgrad.Tensor) and npgrad.is_tensor(npgrad.ones(1))


def test_extra_methods_match_torch_functions():
    a = np.array([[1.0, -2.0, float("nan")], [4.0, 0.0, 6.0], [7.0, 8.0, -9.0]])
    for name, args in [("diagonal", ()), ("trace", ()), ("nansum", ()), ("nanmean", (0,)), ("count_nonzero", ()),
                       ("diff", ()), ("fliplr", ()), ("msort", ()), ("argwhere", ()), ("diag", (1,)),
                       ("greater", (0.5,)), ("less_equal", (1.0,)), ("not_equal", (4.0,)), ("float_power", (2,))]:
        n, t = getattr(npgrad.tensor(a), name)(*args), getattr(torch.tensor(a), name)(*args)
        np.testing.assert_allclose(n.numpy().astype(float), t.numpy().astype(float), err_msg=name)
    for name, args in [("eq_", (4.0,)), ("tril_", ()), ("triu_", (1,)), ("cumsum_", (0,)), ("logical_not_", ()),
                       ("exp2_", ())]:
        n, t = npgrad.tensor(a), torch.tensor(a)
        getattr(n, name)(*args), getattr(t, name)(*args)
        np.testing.assert_allclose(n.numpy(), t.numpy(), err_msg=name)
        assert n._version == 1
    assert npgrad.tensor([0.0]).is_nonzero() is False


# ----------------------------------------------------------------------------- copy / pickle
def test_deepcopy():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    x.grad = npgrad.tensor([0.5, 0.5])
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.is_leaf and y.tolist() == x.tolist()
    assert y.grad.tolist() == [0.5, 0.5] and y.grad is not x.grad
    with npgrad.no_grad():
        y.add_(1)
    assert x.tolist() == [1.0, 2.0]
    lst = copy.deepcopy([x, x])
    assert lst[0] is lst[1]
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)


def test_pickle_roundtrip():
    for t in (npgrad.tensor([[1, 2], [3, 4]]), npgrad.ones(3, dtype=npgrad.float64, requires_grad=True),
              npgrad.tensor(True), npgrad.arange(6.0).reshape(2, 3).t()):
        u = pickle.loads(pickle.dumps(t))
        assert u.dtype == t.dtype and u.tolist() == t.tolist() and u.requires_grad == t.requires_grad
        assert u.is_leaf
    nonleaf = npgrad.ones(2, requires_grad=True) * 2
    assert pickle.loads(pickle.dumps(nonleaf)).requires_grad  # rebuilt as a leaf, like torch


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("mod", [npgrad, torch])
def test_broadcast_mismatch_names_both_sizes(mod):
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 1"):
        mod.ones(2, 3) + mod.ones(4)


@pytest.mark.parametrize("mod", [npgrad, torch])
def test_dim_out_of_range_is_index_error(mod):
    x = mod.ones(2, 3)
    msg = r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"
    for f in (lambda: x.size(2), lambda: x.transpose(0, 2), lambda: x.squeeze(2), lambda: x.flatten(2),
              lambda: x.unbind(2), lambda: mod.cat([x, x], 2)):
        with pytest.raises(IndexError, match=msg):
            f()


@pytest.mark.parametrize("mod", [npgrad, torch])
def test_wrong_index_dtype_raises(mod):
    x = mod.ones(3)
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        x[mod.tensor([0.0])]
    with pytest.raises(RuntimeError, match="index_select\\(\\): Expected dtype int"):
        x.index_select(0, mod.tensor([0.0]))


def test_ragged_and_bad_data():
    with pytest.raises((ValueError, TypeError)):
        npgrad.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        npgrad.tensor("abc")
    with pytest.raises(TypeError):
        npgrad.tensor(np.array([1 + 2j]))
