"""In-place safety: version counters, saved-tensor checks, leaves, and writes through views (CopySlices)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import npgrad

from _ag_helpers import close


def test_version_counter_bumps_and_is_shared_by_views():
    x = npgrad.zeros(2, 3)
    v = x[0]
    r = x.reshape(6)
    d = x.detach()
    assert x._version == 0
    x.add_(1)
    x.mul_(2).sub_(1).div_(3)
    assert x._version == v._version == r._version == d._version == 4
    v.zero_()
    r.fill_(2.0)
    x.copy_(npgrad.ones(3))
    x.clamp_(0, 1)
    x.uniform_()
    x[0, 0] = 5.0
    assert x._version == v._version == 10
    y = x.clone()
    assert y._version == 0


def test_modified_saved_tensor_raises_torch_message():
    a = npgrad.ones(3, requires_grad=True)
    b = a * 2
    c = b * b
    b.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[npgrad.FloatTensor \[3\]\], which is "
                                           r"output 0 of Add, is at version 1; expected version 0 instead"):
        c.sum().backward()


def test_inplace_after_op_saving_its_output_raises_like_torch():
    for m in (npgrad, torch):
        x = m.ones(3, requires_grad=True)
        y = x * 2
        y.exp_()
        y.add_(1)
        with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 2; expected version 1 instead"):
            y.sum().backward()


def test_modified_saved_output_raises():
    a = npgrad.ones(3, requires_grad=True)
    b = a.exp()  # exp saves its output
    b.add_(1)
    with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 1; expected version 0"):
        b.sum().backward()


def test_modified_saved_leaf_input_raises():
    w = npgrad.ones(3, requires_grad=True)
    x = npgrad.ones(3)
    y = w * x
    x.add_(1)
    with pytest.raises(RuntimeError, match=r"\[npgrad.FloatTensor \[3\]\] is at version 1; expected version 0"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    x = npgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.uniform_()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:2].mul_(2)
    with npgrad.no_grad():  # optimizer-style updates are fine
        x.add_(1)
        x[0:2].mul_(2)
        x.normal_()
    assert x.is_leaf and x.requires_grad


def _run_both(fn, *arrays):
    out = []
    for m in (npgrad, torch):
        leaves = [m.tensor(a, requires_grad=True) for a in arrays]
        res = fn(m, *leaves)
        res.sum().backward()
        out.append((res, [t.grad for t in leaves]))
    close(out[0][0], out[1][0])
    for g1, g2 in zip(out[0][1], out[1][1]):
        close(g1, g2)


def test_inplace_on_non_leaf_matches_torch():
    def f(m, x, w):
        y = x * 2
        y.mul_(w)  # saves the old y: must be snapshotted, not overwritten
        y.add_(x, alpha=0.5)
        y.exp_()
        return y * 2

    _run_both(f, np.random.randn(4), np.random.randn(4))


def test_inplace_through_views_updates_base_history():
    def slice_mul(m, x):
        y = x * 1
        y[:2].mul_(3)
        return y * y

    def transposed_view(m, x):
        y = x * 1
        y.t()[1].add_(x[:, 0] * x[:, 1])
        return y.sin()

    def chained_views(m, x):
        y = x * 1
        y.view(-1)[2:5].view(3, 1).pow_(2)
        return y

    def base_changed_after_view(m, x):
        y = x * 1
        v = y[1]
        y.mul_(3)  # v now sees the new values and history
        return v * v

    _run_both(slice_mul, np.random.randn(4))
    _run_both(transposed_view, np.random.randn(3, 2))
    _run_both(chained_views, np.random.randn(2, 3))
    _run_both(base_changed_after_view, np.random.randn(2, 3))


def test_copy_into_view_of_constant_base():
    w0 = np.random.randn(3)
    res = []
    for m in (npgrad, torch):
        z = m.zeros(2, 3, dtype=m.float64)
        w = m.tensor(w0, requires_grad=True)
        z[1].copy_(w * 2)
        assert z.requires_grad and not z.is_leaf
        (z * z).sum().backward()
        res.append((z, w.grad))
    close(res[0][0], res[1][0])
    close(res[0][1], res[1][1])


def test_copy_broadcasts_casts_and_differentiates():
    dst = npgrad.zeros(2, 3, dtype=npgrad.float32)
    src = npgrad.tensor([1.0, 2.0, 3.0], dtype=npgrad.float64, requires_grad=True)
    h = dst * 1
    h.copy_(src)
    assert h.dtype == npgrad.float32
    np.testing.assert_allclose(h.detach().numpy(), [[1, 2, 3], [1, 2, 3]])
    h.sum().backward()
    assert src.grad.dtype == npgrad.float64
    np.testing.assert_allclose(src.grad.numpy(), [2, 2, 2])
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        npgrad.zeros(2, 3).copy_(npgrad.ones(2))
    ints = npgrad.zeros(2, dtype=npgrad.int64)
    ints.copy_(npgrad.tensor([1.7, -2.2]))
    assert ints.tolist() == [1, -2]


def test_fill_and_zero_on_non_leaf_give_zero_grad():
    res = []
    for m in (npgrad, torch):
        x = m.ones(3, requires_grad=True)
        y = x * 2
        y[1:].fill_(5.0)
        y2 = x * 3
        y2.zero_()
        (y * x + y2).sum().backward()
        res.append((y, x.grad))
    close(res[0][0], res[1][0])
    close(res[0][1], res[1][1])


def test_fill_with_tensor_value_is_differentiable():
    v = npgrad.tensor(2.0, requires_grad=True)
    y = npgrad.zeros(3)
    y.fill_(v)
    y.sum().backward()
    assert v.grad.item() == 3.0


@pytest.mark.parametrize("mod", [npgrad, torch])
def test_inplace_errors_match_torch(mod):
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        mod.ones(2, dtype=mod.int64).add_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        mod.ones(2, dtype=mod.int64).mul_(mod.ones(2))
    with pytest.raises(RuntimeError, match=r"output with shape \[2, 3\] doesn't match the broadcast shape \[4, 2, 3\]"):
        mod.ones(2, 3).add_(mod.ones(4, 2, 3))
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single memory"):
        mod.ones(2, 1).expand(2, 3).add_(1)


def test_inplace_dtype_rules():
    x = npgrad.ones(2, dtype=npgrad.float32)
    x.add_(npgrad.ones(2, dtype=npgrad.float64))
    x *= 2.5
    assert x.dtype == npgrad.float32 and x.tolist() == [5.0, 5.0]
    i = npgrad.ones(2, dtype=npgrad.int32)
    i += 3
    i //= 2
    assert i.dtype == npgrad.int32 and i.tolist() == [2, 2]


def test_optimizer_style_updates():
    p = npgrad.ones(3, requires_grad=True)
    g = npgrad.tensor([1.0, 2.0, 3.0])
    with npgrad.no_grad():
        p.add_(g, alpha=-0.5)
        p.sub_(g, alpha=2)
        p.mul_(2).div_(npgrad.tensor([1.0, 2.0, 0.0]))
    assert p._version == 4 and p.is_leaf and p.dtype == npgrad.float32
    np.testing.assert_allclose(p.detach().numpy()[:2], [-3.0, -4.0])
    assert np.isinf(p.detach().numpy()[2])
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired output type Bool"):
        npgrad.ones(2, dtype=npgrad.bool).mul_(2)
    with pytest.raises(RuntimeError, match="argument alpha must not be a floating point number"):
        npgrad.ones(2, dtype=npgrad.int64).add_(npgrad.ones(2, dtype=npgrad.int64), alpha=0.5)


def test_augmented_assignment_records_graph():
    x = npgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y += x
    y *= x
    y -= 1
    y /= 2
    y **= 2
    y.sum().backward()
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    yt = ((((xt * 1 + xt) * xt) - 1) / 2) ** 2
    yt.sum().backward()
    close(x.grad, xt.grad, rtol=1e-6)


def test_inplace_random_fills_keep_shape_and_dtype():
    x = npgrad.empty(100, dtype=npgrad.float64)
    x.uniform_(-2, 3)
    assert x.dtype == npgrad.float64 and -2 <= x.min().item() and x.max().item() < 3
    x.normal_(5, 0.1)
    assert abs(x.mean().item() - 5) < 0.1
    x.bernoulli_(0.5)
    assert set(np.unique(x.numpy())) <= {0.0, 1.0}
    x.exponential_(2.0)
    assert (x.numpy() >= 0).all()
    i = npgrad.zeros(50, dtype=npgrad.int64)
    i.random_(3, 7)
    assert set(np.unique(i.numpy())) <= {3, 4, 5, 6}
