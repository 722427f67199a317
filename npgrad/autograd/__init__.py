"""npgrad.autograd: reverse-mode automatic differentiation (``backward``, ``grad``, ``Function``).

For a scalar ``L`` and leaf ``x``, ``backward`` sums dL/dx into ``x.grad``; ``grad`` returns
vector-Jacobian products ``v^T (d outputs / d inputs)`` without touching ``.grad``. With
``create_graph=True`` the backward pass is recorded too, so gradients can be differentiated again
(Hessian-vector products, gradient penalties).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from . import functional
from .anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import Function, once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

if TYPE_CHECKING:
    from ..tensor import Tensor


def _seq(x: Any) -> list:
    if x is None:
        return []
    from ..tensor import Tensor

    return [x] if isinstance(x, Tensor) else list(x)


def _grads_for(outs: list, grad_tensors: Any) -> list:
    if grad_tensors is None:
        return [None] * len(outs)
    grads = _seq(grad_tensors)
    if len(grads) != len(outs):
        raise RuntimeError(f"grad_tensors should have the same length as tensors ({len(grads)} vs {len(outs)})")
    return grads


def backward(
    tensors: "Tensor | Sequence[Tensor]",
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> None:
    """Sum the gradients of ``tensors`` w.r.t. graph leaves into their ``.grad``.

    ``grad_tensors`` is the "vector" of the vector-Jacobian product (needed for non-scalar
    outputs). ``retain_graph`` defaults to ``create_graph``; without it, saved tensors are freed and
    a second backward through the same graph raises. ``inputs`` restricts accumulation to the
    given tensors (leaves or not).
    """
    if grad_variables is not None:
        grad_tensors = grad_variables
    outs = _seq(tensors)
    grads = _grads_for(outs, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        ins = _seq(inputs)
        if not ins:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        run_backward(outs, grads, retain_graph, create_graph, inputs=ins, allow_unused=True, accumulate=True)
        return
    run_backward(outs, grads, retain_graph, create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Return ``v^T d(outputs)/d(inputs)`` (``v`` = ``grad_outputs``) as a tuple, one entry per input.

    An input the outputs do not depend on raises unless ``allow_unused=True`` (then its entry is
    None) or ``materialize_grads=True`` (then it is zeros).
    """
    if is_grads_batched:
        raise NotImplementedError("npgrad.autograd.grad does not support is_grads_batched=True")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False."
        )
    outs = _seq(outputs)
    ins = _seq(inputs)
    grads = _grads_for(outs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(outs, grads, retain_graph, create_graph, inputs=ins, allow_unused=allow_unused)
    if materialize_grads:
        from ..ops.creation import zeros_like

        result = tuple(zeros_like(t) if g is None else g for g, t in zip(result, ins))
    return result


def Variable(data: Any, requires_grad: bool = False) -> "Tensor":  # noqa: N802 - torch's legacy name
    """Legacy ``torch.autograd.Variable``: returns ``data`` as a tensor with ``requires_grad`` set."""
    from ..tensor import Tensor

    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


__all__ = [
    "Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
    "is_grad_enabled", "is_inference_mode_enabled", "gradcheck", "gradgradcheck", "functional",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "once_differentiable", "Variable",
]
