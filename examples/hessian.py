"""Second derivatives: Hessian of a small problem by double backward, then one Newton step.

Minimise f(w) = sum(log(1 + exp(-y * (X @ w)))) + 0.5 * lam * ||w||^2 (logistic regression).
Newton: w <- w - H^-1 g, with g and H from autograd (``create_graph=True`` makes the gradient
itself differentiable).

    python examples/hessian.py
"""
import numpy as np

import npgrad
from npgrad.autograd.functional import hessian

rs = np.random.default_rng(0)
X = npgrad.from_numpy(rs.standard_normal((50, 3)))
y = npgrad.from_numpy(np.sign(rs.standard_normal(50)))
lam = 0.1


def loss(w):
    return npgrad.nn.functional.softplus(-y * (X @ w)).sum() + 0.5 * lam * (w * w).sum()


w = npgrad.zeros(3, dtype=npgrad.float64, requires_grad=True)
for it in range(4):
    f = loss(w)
    (g,) = npgrad.autograd.grad(f, w, create_graph=True)
    H = hessian(loss, w.detach())
    step = np.linalg.solve(H.numpy(), g.detach().numpy())
    print(f"newton iter {it}: loss {f.item():.6f}  |grad| {np.linalg.norm(g.detach().numpy()):.2e}")
    w = (w.detach() - npgrad.from_numpy(step)).requires_grad_(True)
