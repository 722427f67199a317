"""npgrad.autograd: reverse-mode automatic differentiation (``backward``, ``grad``, ``Function``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from . import functional
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import Function
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


def backward(
    tensors: "Tensor | Sequence[Tensor]",
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Sum the gradients of ``tensors`` w.r.t. graph leaves into their ``.grad``.

    ``retain_graph`` defaults to ``create_graph``; without it, saved tensors are freed and a second
    backward through the same graph raises.
    """
    outs = _seq(tensors)
    grads = _seq(grad_tensors) if grad_tensors is not None else [None] * len(outs)
    if len(grads) != len(outs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        ins = _seq(inputs)
        got = run_backward(outs, grads, retain_graph, create_graph, inputs=ins, allow_unused=True)
        for t, g in zip(ins, got):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
        return
    run_backward(outs, grads, retain_graph, create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Return d(outputs)/d(inputs) (vector-Jacobian product with ``grad_outputs``) without touching ``.grad``."""
    outs = _seq(outputs)
    ins = _seq(inputs)
    grads = _seq(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(outs, grads, retain_graph, create_graph, inputs=ins, allow_unused=allow_unused)
    if materialize_grads:
        from ..ops.creation import zeros_like

        result = tuple(zeros_like(t) if g is None else g for g, t in zip(result, ins))
    return result


__all__ = [
    "Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
    "is_grad_enabled", "is_inference_mode_enabled", "gradcheck", "gradgradcheck", "functional",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
]
