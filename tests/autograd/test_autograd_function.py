"""User-defined autograd Functions with torch's API, and gradcheck / gradgradcheck."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import npgrad
from npgrad.autograd import Function, gradcheck, gradgradcheck
from npgrad.autograd.function import once_differentiable
from npgrad.autograd.gradcheck import GradcheckError

from _ag_helpers import close


class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g * ctx.scale, None


class WrongCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * x * g  # deliberately wrong (should be 3 x^2)


class TorchCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g * ctx.scale, None


def test_custom_function_matches_torch_including_double_backward():
    v = np.array([0.5, -1.5, 2.0])
    xs, xt = npgrad.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    ys, yt = Cube.apply(xs, 2.0), TorchCube.apply(xt, 2.0)
    close(ys, yt)
    assert ys.grad_fn.name() == "CubeBackward" and yt.grad_fn.name() == "TorchCubeBackward"
    assert repr(ys).endswith("grad_fn=<CubeBackward>)")
    (gs,) = npgrad.autograd.grad(ys.sum(), xs, create_graph=True)
    (gt,) = torch.autograd.grad(yt.sum(), xt, create_graph=True)
    close(gs, gt)
    gs.sum().backward()
    gt.sum().backward()
    close(xs.grad, xt.grad)


def test_needs_input_grad_and_none_for_non_tensors():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen["fwd"] = ctx.needs_input_grad
            return a.data * b.data * k

        @staticmethod
        def backward(ctx, g):
            seen["bwd"] = ctx.needs_input_grad
            return g, None, None

    a = npgrad.ones(2, requires_grad=True)
    out = Probe.apply(a, npgrad.ones(2), 3)
    out.sum().backward()
    assert seen["fwd"] == (True, False, False) == seen["bwd"]
    with npgrad.no_grad():
        assert not Probe.apply(a, a, 1).requires_grad


def test_mark_non_differentiable_and_multiple_outputs():
    class SortWithIdx(Function):
        @staticmethod
        def forward(ctx, x):
            idx = np.argsort(x.data)
            vals = npgrad.tensor(x.data[idx])
            idx_t = npgrad.tensor(idx.astype(np.float64))
            ctx.mark_non_differentiable(idx_t)
            ctx.idx = idx
            return vals, idx_t

        @staticmethod
        def backward(ctx, g_vals, g_idx):
            assert g_idx is not None and not g_idx.data.any()  # materialized zeros
            out = np.zeros_like(g_vals.data)
            out[ctx.idx] = g_vals.data
            return npgrad.tensor(out)

    x = npgrad.tensor([3.0, 1.0, 2.0], requires_grad=True)
    vals, idx = SortWithIdx.apply(x)
    assert vals.requires_grad and not idx.requires_grad
    (vals * npgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3, 1, 2])


def test_set_materialize_grads_false_passes_none():
    got = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            got.append((g1 is None, g2 is None))
            return g1 if g2 is None else g1 + 2 * g2

    x = npgrad.ones(2, requires_grad=True)
    a, b = Two.apply(x)
    a.sum().backward()
    assert got == [(False, True)]


def test_setup_context_style():
    class Mul2(Function):
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    x = npgrad.tensor([2.0], requires_grad=True)
    y = npgrad.tensor([5.0], requires_grad=True)
    Mul2.apply(x, y).backward()
    assert x.grad.item() == 5.0 and y.grad.item() == 2.0


def test_mark_dirty_inplace_function():
    class AddOne_(Function):
        @staticmethod
        def forward(ctx, x):
            x.data += 1
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = npgrad.ones(2, requires_grad=True)
    h = a * 3
    out = AddOne_.apply(h)
    assert out is h and h.grad_fn.name() == "AddOne_Backward" and h._version == 1
    h.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3, 3])


def test_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x.data + y.data

        @staticmethod
        def backward(ctx, g):
            return g

    x = npgrad.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(x, x).backward()


def test_invalid_gradient_shape():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data.sum(keepdims=True)

        @staticmethod
        def backward(ctx, g):
            return npgrad.ones(7)

    with pytest.raises(RuntimeError, match="returned an invalid gradient"):
        BadShape.apply(npgrad.ones(3, requires_grad=True)).backward()


def test_once_differentiable_blocks_double_backward():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data ** 2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return npgrad.tensor(2 * x.data * g.data)

    x = npgrad.tensor([3.0], requires_grad=True)
    (g,) = npgrad.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert g.item() == 6.0
    with pytest.raises(RuntimeError, match="double backward.*not implemented for SquareBackward"):
        g.backward()


def test_gradcheck_accepts_correct_and_catches_wrong_function():
    x = npgrad.tensor(np.random.default_rng(0).standard_normal(4), requires_grad=True)
    assert gradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    assert gradgradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(WrongCube.apply, (x,))
    assert gradcheck(WrongCube.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_wrong_double_backward():
    class WrongSecond(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * (x * x).detach() * (1 + 0 * x)  # right value, wrong (missing) 2nd derivative

    x = npgrad.tensor(np.array([0.3, -1.2, 0.7]), requires_grad=True)
    assert gradcheck(WrongSecond.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(WrongSecond.apply, (x,))


def test_gradcheck_on_builtin_ops_and_strided_inputs():
    rng = np.random.default_rng(3)
    a = npgrad.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = npgrad.tensor(rng.standard_normal((4, 3)), requires_grad=True).T  # non-contiguous input
    b.retain_grad()
    assert gradcheck(lambda p, q: (p * q.exp()).tanh(), (a, b))
    assert gradgradcheck(lambda p, q: (p * q).sin(), (a, b))
