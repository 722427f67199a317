"""Write your own differentiable op: a ``Function`` with forward and backward side by side,
checked against finite differences with ``gradcheck``.

    python examples/custom_function.py
"""
import npgrad
from npgrad.autograd import Function, gradcheck


class Cube(Function):
    """y = x^3, dy/dx = 3 x^2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)  # keep what backward needs
        return x * x * x  # runs without recording a graph

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x  # Tensor ops: differentiable again


x = npgrad.randn(5, dtype=npgrad.float64, requires_grad=True)
y = Cube.apply(x).sum()
y.backward()
print("x      ", x.detach())
print("x.grad ", x.grad)
print("3x^2   ", 3 * x.detach() ** 2)
print("gradcheck:", gradcheck(Cube.apply, (x,)))
