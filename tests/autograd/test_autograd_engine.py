"""The backward engine: accumulation, retain_grad, graph freeing, hooks, autograd.grad, long chains."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import npgrad
from npgrad.autograd import grad

from _ag_helpers import close, same_grads


def test_backward_accumulates_into_leaves():
    x = npgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 4, 6])
    g = x.grad
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4, 8, 12])
    assert x.grad is g  # accumulated in place, like torch


def test_same_tensor_twice_in_one_op():
    x = npgrad.tensor([1.0, -2.0], requires_grad=True)
    (x + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 2])
    a = npgrad.tensor([3.0], requires_grad=True)
    b = npgrad.tensor([4.0], requires_grad=True)
    (a + b).backward()
    assert a.grad is not b.grad and a.grad.data is not b.grad.data  # no aliasing between leaves
    a.grad.add_(1)
    assert b.grad.item() == 1.0


def test_user_gradient_is_not_aliased():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    v = npgrad.tensor([1.0, 1.0])
    x.backward(v)
    x.backward(v)
    np.testing.assert_allclose(v.numpy(), [1, 1])
    np.testing.assert_allclose(x.grad.numpy(), [2, 2])


@settings(max_examples=15, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-2, 2)))
def test_diamond_graph_matches_torch(arr):
    same_grads(lambda m, x: ((x * x).exp() + x.sin() * x) * (x + 1), arr)


def test_broadcast_gradients_are_summed_back():
    same_grads(lambda m, a, b: a * b + b, np.random.randn(3, 1, 4), np.random.randn(5, 1))


def test_mixed_dtype_leaf_gets_its_own_dtype():
    a = npgrad.ones(3, dtype=npgrad.float32, requires_grad=True)
    b = npgrad.ones(3, dtype=npgrad.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == npgrad.float32 and b.grad.dtype == npgrad.float64


def test_non_leaf_grad_is_none_with_warning_and_retain_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y * y
    z.sum().backward(retain_graph=True)
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    z.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), 2 * y.detach().numpy())
    x.retain_grad()  # no-op on leaves


def test_retain_grad_requires_grad():
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        npgrad.ones(2).retain_grad()


def test_backward_of_non_scalar_needs_gradient():
    x = npgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(npgrad.ones(2))


def test_backward_of_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        npgrad.ones(1).backward()


def test_graph_is_freed_after_backward():
    x = npgrad.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), [6, 6])
    w = (x + x).sum()  # nothing saved: a second backward works, as in torch
    w.backward()
    w.backward()


def test_saved_tensors_freed_message():
    x = npgrad.ones(2, requires_grad=True)
    y = x.exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="directly access saved tensors after they have already been freed"):
        y.grad_fn.saved_tensors


def test_backward_inputs_restricts_accumulation():
    a = npgrad.ones(2, requires_grad=True)
    b = npgrad.ones(2, requires_grad=True)
    h = a * 2
    (h * b).sum().backward(inputs=[b, h])
    assert a.grad is None
    np.testing.assert_allclose(b.grad.numpy(), [2, 2])
    np.testing.assert_allclose(h.grad.numpy(), [1, 1])
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (a * 1).sum().backward(inputs=[])


def test_autograd_grad_returns_without_touching_grad():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = npgrad.tensor([3.0, 4.0], requires_grad=True)
    (gx, gy) = grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.numpy(), [3, 4])
    np.testing.assert_allclose(gy.numpy(), [1, 2])
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad


def test_autograd_grad_multiple_outputs_and_grad_outputs():
    xs, xt = npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64, requires_grad=True), torch.tensor(
        [1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    v1, v2 = np.array([1.0, -1.0, 2.0]), np.array(0.5)
    ours = grad([xs * xs, (xs.sin()).sum()], xs, [npgrad.tensor(v1), npgrad.tensor(v2)])
    theirs = torch.autograd.grad([xt * xt, xt.sin().sum()], xt, [torch.tensor(v1), torch.tensor(v2)])
    close(ours[0], theirs[0])


def test_autograd_grad_unused_inputs():
    x = npgrad.ones(2, requires_grad=True)
    z = npgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used"):
        grad((x * 2).sum(), [x, z])
    gx, gz = grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None
    gx, gz = grad((x * 2).sum(), [x, z], materialize_grads=True)
    np.testing.assert_array_equal(gz.numpy(), [0, 0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad((x * 2).sum(), [npgrad.ones(2)])
    with pytest.raises(ValueError, match="allow_unused"):
        grad((x * 2).sum(), [x], allow_unused=False, materialize_grads=True)


def test_grad_of_intermediate():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    (gh,) = grad((h * 3).sum(), [h])
    np.testing.assert_allclose(gh.numpy(), [3, 3])


def test_multi_output_node_with_unused_outputs():
    same_grads(lambda m, x: x.split(2, dim=0)[1] * 3, np.random.randn(5, 2))
    same_grads(lambda m, x: x.unbind(1)[0] * x.unbind(1)[2], np.random.randn(2, 3))


def test_long_chain_has_no_recursion_error():
    x = npgrad.tensor([1.0], dtype=npgrad.float64, requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.00001 if i % 2 else y + 1.0
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.00001 ** 50_000], rtol=1e-9)
    del y  # freeing a 100k-node graph must not overflow the C stack either


def test_leaf_hook_can_modify_grad_and_be_removed():
    x = npgrad.ones(2, requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: g * 2)
    h2 = x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6, 6])
    np.testing.assert_allclose(seen[0], [6, 6])  # hooks run in order, each sees the previous result
    h.remove()
    h2.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3, 3])
    assert len(seen) == 1


def test_non_leaf_hook_changes_downstream_grads():
    xs, xt = npgrad.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    for m, x in ((npgrad, xs), (torch, xt)):
        h = x * x
        h.register_hook(lambda g: g + 1)
        (h * 2).sum().backward()
    close(xs.grad, xt.grad)


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        npgrad.ones(2).register_hook(lambda g: g)


def test_post_accumulate_grad_hook_and_node_hooks():
    x = npgrad.ones(2, requires_grad=True)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.numpy().copy()))
    y = x * 2
    y.grad_fn.register_prehook(lambda grads: (grads[0] * 10,))
    y.grad_fn.register_hook(lambda gin, gout: calls.append("post"))
    y.sum().backward()
    assert calls[0] == "post"
    np.testing.assert_allclose(calls[1], [20, 20])


def test_grad_setter_validation():
    x = npgrad.ones(3, requires_grad=True)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got grad of type int"):
        x.grad = 3
    with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[2\]' to a tensor of size"):
        x.grad = npgrad.ones(2)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype 'double'"):
        x.grad = npgrad.ones(3, dtype=npgrad.float64)
    x.grad = npgrad.zeros(3)
    del x.grad
    assert x.grad is None


def test_grad_fn_structure_like_torch():
    a = npgrad.ones(2, requires_grad=True)
    b = npgrad.ones(2)
    y = a * b + a
    assert y.grad_fn.name() == "AddBackward0"
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")
    nf = y.grad_fn.next_functions
    assert nf[0][0].name() == "MulBackward0" and nf[1][0].variable is a
    assert nf[0][0].next_functions[1] == (None, 0)
    assert a.is_leaf and not y.is_leaf and b.grad_fn is None


def test_requires_grad_flags():
    x = npgrad.ones(2)
    assert not x.requires_grad
    x.requires_grad_()
    assert x.requires_grad and x.is_leaf
    y = x * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        npgrad.ones(2, dtype=npgrad.int64).requires_grad_()
    assert not (npgrad.ones(2) * 2).requires_grad
    assert not (x > 0).requires_grad  # comparisons are not differentiable


def test_detach():
    x = npgrad.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.data, y.data) and d._version == y._version
    d.add_(1)
    assert y._version == 1
    z = y.detach_()
    assert z is y and y.grad_fn is None and not y.requires_grad


def test_backward_with_create_graph_keeps_graph():
    x = npgrad.tensor([2.0], requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0])


def test_accumulate_warns_nothing_for_leaves():
    x = npgrad.ones(1, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None
