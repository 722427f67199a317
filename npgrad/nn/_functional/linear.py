"""``F.linear`` (one fused Function with GEMM backward) and ``F.bilinear``.

linear: y = x W^T + b for x of shape (*, in), W (out, in), b (out,). With X = x flattened to
(M, in) and G = dL/dy flattened to (M, out):

    dL/dx = G W,     dL/dW = G^T X,     dL/db = sum_rows G.

The backward uses raw BLAS GEMMs when no graph is recorded and the same formulas as Tensor ops
under ``create_graph=True``, so double backward works.
"""
from __future__ import annotations


import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import _state
from ...tensor import Tensor
from ...ops import linalg as _L

__all__ = ["linear", "bilinear"]

_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long", "int32": "int"}


def _check_linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> None:
    if w.ndim != 2:
        raise RuntimeError(f"linear(): expected weight to be a 2-D tensor, but got {w.ndim}-D weight")
    if x.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
    if x.shape[-1] != w.shape[1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and {w.shape[1]}x{w.shape[0]})"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_NAMES.get(x.dtype.name, x.dtype.name)} != "
            f"{_NAMES.get(w.dtype.name, w.dtype.name)}"
        )
    if b is not None:
        out_shape = list(x.shape[:-1]) + [w.shape[0]]
        try:
            np.broadcast_shapes(b.shape, tuple(out_shape))
        except ValueError:
            raise RuntimeError(
                f"The expanded size of the tensor ({w.shape[0]}) must match the existing size ({b.shape[-1] if b.ndim else 1}) "
                f"at non-singleton dimension {len(out_shape) - 1}.  Target sizes: {out_shape}.  "
                f"Tensor sizes: {list(b.shape)}"
            ) from None


class Linear(Function):
    """y = x W^T + b (see the module docstring for the backward)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, w: Tensor, b: Tensor | None) -> np.ndarray:
        xa, wa = x.data, w.data
        ba = None if b is None else b.data
        _check_linear(xa, wa, ba)
        if xa.ndim == 2:
            out = xa @ wa.T
        else:
            out = (xa.reshape(-1, xa.shape[-1]) @ wa.T).reshape(xa.shape[:-1] + (wa.shape[0],))
        if ba is not None:
            out += ba
        ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        n_in, n_out = w.data.shape[1], w.data.shape[0]
        if not _state.enabled:  # plain backward: raw GEMMs
            g2 = grad.data.reshape(-1, n_out)
            gx = Tensor._make((g2 @ w.data).reshape(x.data.shape)) if need_x else None
            gw = Tensor._make(g2.T @ x.data.reshape(-1, n_in)) if need_w else None
            gb = Tensor._make(g2.sum(0)) if need_b else None
            return gx, gw, gb
        g2 = grad.reshape(-1, n_out)
        gx = (g2 @ w).reshape(x.shape) if need_x else None
        gw = g2.T @ x.reshape(-1, n_in) if need_w else None
        gb = g2.sum(0) if need_b else None
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = input @ weight^T + bias, one fused op (input (*, in), weight (out, in), bias (out,))."""
    return Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k for weight A of shape (out, in1, in2); inputs (*, in1) and (*, in2)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
            f"{list(input2.shape[:-1])}"
        )
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input sizes {list(input1.shape)} and {list(input2.shape)} do not match weight "
            f"{list(weight.shape)}"
        )
    out = _L.einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias
