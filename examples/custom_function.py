"""Write your own differentiable op: a ``Function`` with forward and backward side by side,
checked against finite differences with ``gradcheck``.

    python examples/custom_function.py [--tiny]
"""
import argparse

import npgrad
from npgrad.autograd import Function, gradcheck


class Cube(Function):
    """y = x^3, dy/dx = 3 x^2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)  # keep what backward needs
        return x.data ** 3  # forward works on the raw NumPy array and returns one

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x  # written with Tensor ops, so it is differentiable again


parser = argparse.ArgumentParser()
parser.add_argument("--tiny", action="store_true")  # the example is already tiny: accepted for CI
parser.parse_args()
npgrad.manual_seed(0)
x = npgrad.randn(5, dtype=npgrad.float64, requires_grad=True)
y = Cube.apply(x).sum()
y.backward()
print("x      ", x.detach())
print("x.grad ", x.grad)
print("3x^2   ", 3 * x.detach() ** 2)
print("gradcheck:", gradcheck(Cube.apply, (x,)))  # analytic vs finite-difference Jacobian
# backward used Tensor ops, so the gradient is differentiable again: d2y/dx2 = 6x
(g,) = npgrad.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
(g2,) = npgrad.autograd.grad(g.sum(), x)
print("second derivative matches 6x:", bool(npgrad.allclose(g2, 6 * x.detach())))
