"""Second derivatives: the Hessian of a small problem by double backward, then Newton's method.

Minimise f(w) = sum(softplus(-y * (X @ w))) + 0.5 * lam * ||w||^2 (L2-regularised logistic
regression). Newton: w <- w - H^-1 g. ``create_graph=True`` records the backward pass itself as a
graph, so the gradient g can be differentiated again: row i of H is d(g_i)/dw.

    python examples/hessian.py
    python examples/hessian.py --tiny     # 2 iterations (CI)
"""
import argparse

import numpy as np

import npgrad
import npgrad.nn.functional as F
from npgrad.autograd.functional import hessian

parser = argparse.ArgumentParser()
parser.add_argument("--tiny", action="store_true")
args = parser.parse_args()

rs = np.random.default_rng(0)
X = npgrad.from_numpy(rs.standard_normal((50, 3)))  # float64 throughout
y = npgrad.from_numpy(np.sign(rs.standard_normal(50)))
lam = 0.1


def loss(w):
    return F.softplus(-y * (X @ w)).sum() + 0.5 * lam * (w * w).sum()


w = npgrad.zeros(3, dtype=npgrad.float64, requires_grad=True)
for it in range(2 if args.tiny else 6):
    f = loss(w)
    (g,) = npgrad.autograd.grad(f, w, create_graph=True)  # g is itself a differentiable Tensor
    # double backward, one row at a time: H[i] = d g[i] / dw
    H = np.stack([npgrad.autograd.grad(g[i], w, retain_graph=True)[0].numpy() for i in range(3)])
    assert np.allclose(H, hessian(loss, w.detach()).numpy())  # the library's helper agrees
    gn = g.detach().numpy()
    print(f"newton iter {it}: loss {f.item():.10f}  |grad| {np.linalg.norm(gn):.2e}")
    w = (w.detach() - npgrad.from_numpy(np.linalg.solve(H, gn))).requires_grad_(True)  # Newton step
print("Newton converges quadratically: |grad| roughly squares at each step")
