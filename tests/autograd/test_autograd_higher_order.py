"""create_graph=True, Hessian-vector products, gradient penalties, autograd.functional vs torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import npgrad
import npgrad.autograd.functional as F

from _ag_helpers import close

RNG = np.random.default_rng(7)


def test_second_and_third_derivatives_match_torch():
    v = np.array([0.3, -1.1, 2.0])
    for m, x in ((npgrad, npgrad.tensor(v, requires_grad=True)), (torch, torch.tensor(v, requires_grad=True))):
        y = (x ** 3 * x.sin()).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (h,) = m.autograd.grad(g.sum(), x, create_graph=True)
        (t,) = m.autograd.grad(h.sum(), x)
        if m is npgrad:
            ours = (g, h, t)
        else:
            theirs = (g, h, t)
    for a, b in zip(ours, theirs):
        close(a, b)


def test_hessian_vector_product_by_double_backward():
    A = RNG.standard_normal((4, 4))
    v = RNG.standard_normal(4)
    x0 = RNG.standard_normal(4)

    def f(m, x):
        M = m.tensor(A)
        return (x @ M @ x).tanh() + (x * x * x).sum()

    res = []
    for m in (npgrad, torch):
        x = m.tensor(x0, requires_grad=True)
        (g,) = m.autograd.grad(f(m, x), x, create_graph=True)
        (hv,) = m.autograd.grad((g * m.tensor(v)).sum(), x)
        res.append(hv)
    close(*res)
    _, hv2 = F.hvp(lambda x: f(npgrad, x), npgrad.tensor(x0), npgrad.tensor(v))
    _, hv_t = TF.hvp(lambda x: f(torch, x), torch.tensor(x0), torch.tensor(v))
    close(hv2, hv_t)


def test_gradient_penalty_matches_torch():
    x0 = RNG.standard_normal((5, 3))
    w0, w1 = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 1))
    grads = []
    for m in (npgrad, torch):
        x = m.tensor(x0, requires_grad=True)
        W0, W1 = m.tensor(w0, requires_grad=True), m.tensor(w1, requires_grad=True)
        d = ((x @ W0).tanh() @ W1).sum()
        (gx,) = m.autograd.grad(d, x, create_graph=True)
        penalty = ((((gx * gx).sum(1) + 1e-12) ** 0.5 - 1) ** 2).mean()
        penalty.backward()
        grads.append((W0.grad, W1.grad))
    close(grads[0][0], grads[1][0])
    close(grads[0][1], grads[1][1])


def _mlp_loss(m, W1, b1, W2, x, y):
    h = (x @ W1 + b1).tanh()
    return ((h @ W2 - y) ** 2).mean()


def test_hessian_of_two_layer_tanh_mlp_matches_torch():
    x, y = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 1))
    W1, b1, W2 = RNG.standard_normal((3, 4)), RNG.standard_normal(4), RNG.standard_normal((4, 1))
    ours = F.hessian(lambda a, b, c: _mlp_loss(npgrad, a, b, c, npgrad.tensor(x), npgrad.tensor(y)),
                     (npgrad.tensor(W1), npgrad.tensor(b1), npgrad.tensor(W2)))
    theirs = TF.hessian(lambda a, b, c: _mlp_loss(torch, a, b, c, torch.tensor(x), torch.tensor(y)),
                        (torch.tensor(W1), torch.tensor(b1), torch.tensor(W2)))
    for i in range(3):
        for j in range(3):
            close(ours[i][j], theirs[i][j], rtol=1e-9, atol=1e-12)


def test_jacobian_single_and_tuple():
    a0, b0 = RNG.standard_normal((2, 3)), RNG.standard_normal(3)
    close(F.jacobian(lambda a: a.exp() * 2, npgrad.tensor(a0)), TF.jacobian(lambda a: a.exp() * 2, torch.tensor(a0)))
    ours = F.jacobian(lambda a, b: (a * b, (a.sin() * b).sum(0)), (npgrad.tensor(a0), npgrad.tensor(b0)))
    theirs = TF.jacobian(lambda a, b: (a * b, (a.sin() * b).sum(0)), (torch.tensor(a0), torch.tensor(b0)))
    for i in range(2):
        for j in range(2):
            close(ours[i][j], theirs[i][j])
    z = F.jacobian(lambda a, b: a * 2, (npgrad.tensor(a0), npgrad.tensor(b0)))
    assert z[1].shape == (2, 3, 3) and not z[1].data.any()
    with pytest.raises(RuntimeError, match="independent of input 1"):
        F.jacobian(lambda a, b: a * 2, (npgrad.tensor(a0), npgrad.tensor(b0)), strict=True)


def test_vjp_jvp_vhp_match_torch():
    a0, v0, u0 = RNG.standard_normal(4), RNG.standard_normal(4), RNG.standard_normal(4)

    def f(x):
        return x.exp() * x.sin()

    o1, r1 = F.vjp(f, npgrad.tensor(a0), npgrad.tensor(v0))
    o2, r2 = TF.vjp(f, torch.tensor(a0), torch.tensor(v0))
    close(o1, o2)
    close(r1, r2)
    o1, r1 = F.jvp(f, npgrad.tensor(a0), npgrad.tensor(u0))
    o2, r2 = TF.jvp(f, torch.tensor(a0), torch.tensor(u0))
    close(r1, r2)

    def g(x):
        return (x.exp() * x.sin()).sum()

    _, r1 = F.vhp(g, npgrad.tensor(a0), npgrad.tensor(v0))
    _, r2 = TF.vhp(g, torch.tensor(a0), torch.tensor(v0))
    close(r1, r2)
    assert not r1.requires_grad


def test_functional_create_graph_keeps_connection():
    x = npgrad.tensor([1.0, 2.0], dtype=npgrad.float64, requires_grad=True)
    _, g = F.vjp(lambda t: (t ** 3).sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_builtin_op_without_double_backward_raises_clear_error():
    from npgrad.ops.linalg import svdvals

    x = npgrad.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    (g,) = npgrad.autograd.grad(svdvals(x).sum(), x, create_graph=True)  # first order still works
    with pytest.raises(RuntimeError, match=r"double backward \(create_graph=True\) is not implemented for SvdValsBackward0"):
        g.sum().backward()
