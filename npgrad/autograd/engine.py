"""The backward engine: Kahn's topological sort over the graph of ``Function`` nodes, no recursion.

1. Walk the graph from the roots with an explicit stack and count, for every node, how many
   edges point into it (its dependencies).
2. Start from the roots. A node runs once every node that feeds it a gradient has run (its count
   reached zero); its ``backward`` turns the summed output gradients into input gradients, which
   are summed into the buffers of the next nodes.
3. ``AccumulateGrad`` sinks add the gradient into the leaf's ``.grad`` (or, for
   ``autograd.grad``, hand it back instead).

Broadcasting is undone here, in one place: a gradient whose shape differs from the input's
recorded shape is summed back to it (``sum_to``), and cast to the input's dtype.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .function import AccumulateGrad, Function, accumulator_for
from .grad_mode import _state

if TYPE_CHECKING:
    from ..tensor import Tensor


def _make_root_grads(outputs: Sequence["Tensor"], grad_outputs: Sequence[Any]) -> list["Tensor"]:
    from ..tensor import Tensor

    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._make(np.ones_like(out.data))
        elif not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g, dtype=out.data.dtype))
        if g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and output[{i}] "
                f"has a shape of {tuple(out.shape)}."
            )
        grads.append(g)
    return grads


def _dependencies(roots: list) -> dict:
    deps: dict = {}
    stack = list(roots)
    seen = {id(r) for r in roots}
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            deps[child] = deps.get(child, 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return deps


def _add(a: "Tensor | None", b: "Tensor") -> "Tensor":
    return b if a is None else a + b


def _fit(grad: "Tensor", meta: tuple) -> "Tensor":
    """Reduce a broadcast gradient to the input's shape and cast it to the input's dtype."""
    shape, dtype = meta
    if grad.data.shape != shape:
        from ..ops.shape import sum_to

        grad = sum_to(grad, shape)
    if grad.data.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def run_backward(
    outputs: Sequence["Tensor"],
    grad_outputs: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence["Tensor"] | None = None,
    allow_unused: bool = False,
) -> tuple | None:
    """Backpropagate from ``outputs``. With ``inputs`` the gradients are returned, not accumulated."""
    from ..tensor import Tensor

    root_grads = _make_root_grads(outputs, grad_outputs)
    buffers: dict = {}  # node -> list of summed output grads
    roots = []
    captured: dict = {}
    capture_nodes: dict = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            if not t.requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors does not require grad")
            node, nr = t._edge()
            capture_nodes.setdefault(id(node), []).append((k, nr))
    for out, g in zip(outputs, root_grads):
        node, nr = out._edge()
        if id(node) not in {id(r) for r in roots}:
            roots.append(node)
            buffers[node] = [None] * _num_outputs(node)
        buffers[node][nr] = _add(buffers[node][nr], g)

    deps = _dependencies(roots)
    needed = _needed(roots, capture_nodes) if inputs is not None else None
    ready = deque(r for r in roots if deps.get(r, 0) == 0)
    handed_out: set = {id(g.data) for g in root_grads}
    prev_mode = _state.enabled
    _state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if id(node) in capture_nodes:
                for k, nr in capture_nodes[id(node)]:
                    captured[k] = grads[nr]
            if isinstance(node, AccumulateGrad):
                if inputs is None and grads[0] is not None:
                    _accumulate(node.variable, grads[0], create_graph, handed_out)
                continue
            grads = _apply_tensor_hooks(node, grads)
            if needed is not None and id(node) not in needed:
                continue
            in_grads = _call_backward(node, grads, create_graph)
            if not retain_graph:
                node._saved = None
            for edge, g, meta in zip(node.next_functions, in_grads, node._input_meta):
                if edge is None:
                    continue
                child, nr = edge
                if g is not None:
                    g = _fit(g, meta)
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * _num_outputs(child)
                    buf[nr] = _add(buf[nr], g)
                deps[child] -= 1
                if deps[child] == 0:
                    if child in buffers:
                        ready.append(child)
                    else:
                        _skip(child, deps, ready, buffers)
    finally:
        _state.enabled = prev_mode

    if inputs is None:
        return None
    result = []
    for k, t in enumerate(inputs):
        g = captured.get(k)
        if g is None and not allow_unused:
            raise RuntimeError(
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        if g is not None and not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


def _skip(node: Any, deps: dict, ready: deque, buffers: dict) -> None:
    """A node that received no gradient at all: release its children's dependency counts."""
    stack = [node]
    while stack:
        n = stack.pop()
        for edge in n.next_functions:
            if edge is None:
                continue
            child = edge[0]
            deps[child] -= 1
            if deps[child] == 0:
                if child in buffers:
                    ready.append(child)
                else:
                    stack.append(child)


def _needed(roots: list, capture_nodes: dict) -> set:
    """For autograd.grad: ids of the nodes from which a requested input can be reached.

    Iterative post-order walk; a node is needed if it is a capture point or feeds a needed node.
    """
    needed: set = set()
    done: set = set()
    stack = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        children = [e[0] for e in node.next_functions if e is not None]
        if not expanded:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in done)
            continue
        done.add(id(node))
        if id(node) in capture_nodes or any(id(c) in needed for c in children):
            needed.add(id(node))
    return needed


def _num_outputs(node: Any) -> int:
    return 1 if isinstance(node, AccumulateGrad) else len(node._out_meta)


def _call_backward(node: Function, grads: list, create_graph: bool) -> tuple:
    from ..tensor import Tensor

    if node.materialize_grads:
        grads = [
            Tensor._make(np.zeros(shape, dtype)) if g is None else g
            for g, (shape, dtype) in zip(grads, node._out_meta)
        ]
    result = type(node).backward(node, *grads)
    if not isinstance(result, tuple):
        result = (result,)
    n_in = len(node.next_functions)
    if len(result) < n_in:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected {n_in}, got {len(result)})"
        )
    result = tuple(
        Tensor._make(np.asarray(g)) if g is not None and not isinstance(g, Tensor) else g for g in result[:n_in]
    )
    if _state.anomaly:
        from .anomaly import check_gradients

        check_gradients(node, result)
    if create_graph and node.once_differentiable:
        from .function import Function as _F

        result = tuple(None if g is None else _NoDoubleBackward.apply(g, node.name()) for g in result)
    return result


class _NoDoubleBackward(Function):
    """Marks gradients produced by an op without double backward; differentiating them raises."""

    @staticmethod
    def forward(ctx: Function, g: "Tensor", name: str) -> np.ndarray:
        ctx.op_name = name
        return g.data

    @staticmethod
    def backward(ctx: Function, grad: "Tensor") -> tuple:
        raise RuntimeError(f"double backward (create_graph=True) is not implemented for {ctx.op_name}")


def _apply_tensor_hooks(node: Function, grads: list) -> list:
    if node._hooks:
        for nr, hooks in node._hooks.items():
            for hook in hooks:
                if grads[nr] is None:
                    continue
                new = hook(grads[nr])
                if new is not None:
                    grads[nr] = new
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                g = grads[nr] if _state.enabled else grads[nr].detach()
                t.grad = g if t.grad is None else t.grad + g
    return grads


def _accumulate(var: "Tensor", grad: "Tensor", create_graph: bool, handed_out: set) -> None:
    for hook in var._hooks or ():
        new = hook(grad)
        if new is not None:
            grad = new
    if var.grad is None:
        if create_graph:
            var.grad = grad
            return
        data = grad.data
        if id(data) in handed_out or not data.flags.writeable or data.base is not None:
            data = data.copy()
        handed_out.add(id(data))
        from ..tensor import Tensor

        var.grad = Tensor._make(data)
    elif create_graph or var.grad.requires_grad:
        var.grad = var.grad + grad
    else:
        np.add(var.grad.data, grad.data, out=var.grad.data)
