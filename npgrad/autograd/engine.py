"""The backward engine: Kahn's topological sort over the graph of ``Function`` nodes, no recursion.

1. Walk the graph from the roots with an explicit stack and count, for every node, how many
   edges point into it (its dependencies).
2. Start from the roots. A node runs once every node that feeds it a gradient has run (its count
   reached zero); its ``backward`` turns the summed output gradients into input gradients, which
   are summed into the buffers of the next nodes. A node that received no gradient at all is not
   run; it only releases its children.
3. ``AccumulateGrad`` sinks add the gradient into the leaf's ``.grad`` (or, for
   ``autograd.grad``, hand it back instead).

Broadcasting is undone here, in one place: a gradient whose shape differs from the input's
recorded shape is summed back to it (``sum_to``), and cast to the input's dtype.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import function as _fn
from .grad_mode import _state

if TYPE_CHECKING:
    from ..tensor import Tensor


def _root_grads(outputs: Sequence["Tensor"], grad_outputs: Sequence[Any]) -> list:
    """The starting gradients: ones for one-element outputs, else the given ``grad_outputs`` (checked)."""
    T = _fn.Tensor
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, T):
            raise TypeError(f"backward/grad expected Tensors as outputs, got {type(out).__name__}")
        if out._base is not None:
            out._sync_view()
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        d = out.data
        if g is None:
            if d.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            arr = np.empty(d.shape, d.dtype)
            arr.fill(1)
            grads.append(T._make(arr))
            continue
        if not isinstance(g, T):
            g = T._make(np.asarray(g, dtype=d.dtype))
        if g.data.shape != d.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {list(g.data.shape)} and output[{i}] "
                f"has a shape of {list(d.shape)}."
            )
        if g.data.dtype != d.dtype:
            g = g.to(out.dtype)
        grads.append(g)
    return grads


def _dependencies(roots: list) -> dict:
    """Number of graph edges pointing into each node reachable from ``roots`` (iterative DFS)."""
    deps: dict = {}
    seen = set(roots)
    stack = list(roots)
    pop, push, add = stack.pop, stack.append, seen.add
    while stack:
        for e in pop()._edges:
            if e is None:
                continue
            child = e[0]
            if child in seen:
                deps[child] += 1
            else:
                deps[child] = 1
                add(child)
                push(child)
    return deps


def _needed(roots: list, targets: set) -> set:
    """For ``autograd.grad``: the nodes from which a requested input can be reached (iterative post-order)."""
    needed: set = set()
    done: set = set()
    stack = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((e[0], False) for e in node._edges if e is not None and e[0] not in done)
            continue
        done.add(node)
        if node in targets or any(e is not None and e[0] in needed for e in node._edges):
            needed.add(node)
    return needed


def run_backward(
    outputs: Sequence["Tensor"],
    grad_outputs: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence["Tensor"] | None = None,
    allow_unused: bool = False,
    accumulate: bool = False,
) -> tuple | None:
    """Backpropagate from ``outputs``.

    Without ``inputs`` every reachable leaf accumulates its gradient into ``.grad``. With ``inputs``
    only the nodes leading to them run and their gradients are returned (``autograd.grad``), or,
    with ``accumulate=True``, accumulated into their ``.grad`` (``backward(inputs=...)``).
    """
    T = _fn.Tensor
    root_grads = _root_grads(outputs, grad_outputs)
    buffers: dict = {}  # node -> list of summed output grads
    roots: list = []
    for out, g in zip(outputs, root_grads):
        node, nr = out._edge()
        buf = buffers.get(node)
        if buf is None:
            roots.append(node)
            buf = buffers[node] = [None] * len(node._out_meta)
        buf[nr] = g if buf[nr] is None else _add(buf[nr], g, create_graph)

    capture: dict | None = None
    needed = None
    if inputs is not None:
        capture = {}
        for k, t in enumerate(inputs):
            if not isinstance(t, T):
                raise TypeError(f"grad: expected inputs to be Tensors, got {type(t).__name__}")
            if not t.requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            node, nr = t._edge()
            capture.setdefault(node, []).append((k, nr))
        needed = _needed(roots, set(capture))

    deps = _dependencies(roots)
    # Kahn's algorithm. ``ready`` holds (node, grads) pairs whose every producer has run; a node fed
    # by a single edge skips the shared ``buffers`` dict.
    ready = [(r, buffers.pop(r)) for r in roots if r not in deps]
    pop, push = ready.pop, ready.append
    handed_out = {id(g.data) for g in root_grads}
    captured: dict = {}
    state = _state
    prev_mode = state.enabled
    state.enabled = create_graph
    quiet = np.errstate(all="ignore")  # like torch, inf / NaN gradients arrive without NumPy warnings
    quiet.__enter__()
    try:
        while ready:
            node, grads = pop()
            if grads is not None:
                if node._is_sink:
                    var = node.variable
                    g = grads[0]
                    if var._hooks:
                        g0, g = g, _run_hooks(var._hooks, g)
                        if g is not g0:
                            handed_out.add(id(g.data))
                    if capture is None:
                        _accumulate(var, g, create_graph, handed_out)
                    elif node in capture:
                        for k, _ in capture[node]:
                            captured[k] = g
                    continue
                if node._any_hooks:
                    grads = _pre_hooks(node, grads, handed_out)
                if capture is not None:
                    if node in capture:
                        for k, nr in capture[node]:
                            captured[k] = grads[nr]
                    if node not in needed:
                        grads = None
            if grads is None:  # no gradient reached this node: just release its children
                for e in node._edges:
                    if e is not None:
                        child = e[0]
                        left = deps[child] - 1
                        deps[child] = left
                        if left == 0:
                            push((child, buffers.pop(child, None)))
                continue
            in_grads = _call_backward(node, grads, create_graph)
            if not retain_graph:
                node._saved = None
            for e, g in zip(node._edges, in_grads):
                if e is None:
                    continue
                child, nr, shape, dtype = e
                left = deps[child] - 1
                if g is not None:
                    if type(g) is not T:
                        g = g if isinstance(g, T) else T._make(np.asarray(g))
                    gd = g.data
                    if gd.shape != shape or gd.dtype != dtype:
                        g = _fit(g, shape, dtype, node)
                    if left == 0:
                        buf = buffers.pop(child, None)
                        if buf is None:
                            buf = [None] * len(child._out_meta)
                        old = buf[nr]
                        buf[nr] = g if old is None else _add(old, g, create_graph)
                        push((child, buf))
                        continue
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * len(child._out_meta)
                    old = buf[nr]
                    buf[nr] = g if old is None else _add(old, g, create_graph)
                deps[child] = left
                if left == 0:
                    push((child, buffers.pop(child, None)))
    finally:
        state.enabled = prev_mode
        quiet.__exit__(None, None, None)

    if inputs is None:
        return None
    if accumulate:
        for k, t in enumerate(inputs):
            g = captured.get(k)
            if g is not None:
                _accumulate(t, g, create_graph, handed_out)
        return None
    result = []
    for k, t in enumerate(inputs):
        g = captured.get(k)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {k} appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        if g is not None and not create_graph and g._grad_fn is not None:
            g = g.detach()
        result.append(g)
    return tuple(result)


def _add(a: "Tensor", b: "Tensor", create_graph: bool) -> "Tensor":
    if create_graph:
        return a + b
    return _fn.Tensor._make(a.data + b.data)


def _fit(grad: "Tensor", shape: tuple, dtype: np.dtype, node: Any) -> "Tensor":
    """Reduce a broadcast gradient to the input's shape and cast it to the input's dtype."""
    if grad.data.shape != shape:
        gs = grad.data.shape
        lead = len(gs) - len(shape)
        if lead < 0 or any(s != 1 and s != g for s, g in zip(shape, gs[lead:])):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient - got {list(gs)} but expected shape "
                f"compatible with {list(shape)}"
            )
        from ..ops.shape import sum_to

        grad = sum_to(grad, shape)
    if grad.data.dtype != dtype:
        from ..ops.shape import cast

        grad = cast(grad, dtype)
    return grad


def _call_backward(node: Any, grads: list, create_graph: bool) -> tuple:
    """Run ``node.backward`` on its output gradients; one gradient (or None) per forward argument."""
    if node.materialize_grads:
        for g in grads:
            if g is None:
                T = _fn.Tensor
                grads = [T._make(np.zeros(m[0], m[1])) if g is None and m is not None else g
                         for g, m in zip(grads, node._out_meta)]
                break
    if _state.anomaly:
        from .anomaly import call_with_trace

        result = call_with_trace(node, grads)
    else:
        result = type(node).backward(node, *grads)
    if type(result) is not tuple:
        result = tuple(result) if isinstance(result, list) else (result,)
    n_in = len(node._edges)
    if len(result) != n_in:
        if len(result) < n_in or any(g is not None for g in result[n_in:]):
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients (expected {n_in}, got {len(result)})"
            )
        result = result[:n_in]
    if node._any_hooks and node._post_hooks:
        for hook in list(node._post_hooks.values()):
            new = hook(result, tuple(grads))
            if new is not None:
                result = tuple(new)
    if _state.anomaly:
        from .anomaly import check_gradients

        check_gradients(node, result)
    if create_graph and node.once_differentiable:
        result = tuple(None if g is None else _delayed_error(g, node.name()) for g in result)
    return result


def _delayed_error(g: "Tensor", name: str) -> "Tensor":
    """torch's DelayedError: the gradient of a once-differentiable op, which raises if differentiated."""
    if g.data.dtype.kind != "f":
        return g
    fake = _fn.Tensor._make(g.data, True)
    return _NoDoubleBackward.apply(fake, name)


class _NoDoubleBackward(_fn.Function):
    """Marks gradients produced by an op without double backward; differentiating them raises."""

    node_name = "NoDoubleBackward"

    @staticmethod
    def forward(ctx: Any, g: "Tensor", name: str) -> np.ndarray:
        ctx.op_name = name
        return g.data

    @staticmethod
    def backward(ctx: Any, grad: "Tensor") -> tuple:
        raise RuntimeError(
            f"double backward (create_graph=True) is not implemented for {ctx.op_name}: its backward is "
            "once_differentiable"
        )


def _run_hooks(hooks: dict, grad: "Tensor") -> "Tensor":
    for hook in list(hooks.values()):
        new = hook(grad)
        if new is not None:
            grad = new
    return grad


def _pre_hooks(node: Any, grads: list, handed_out: set) -> list:
    """Tensor hooks of the node's outputs, ``retain_grad`` stores, then the node's own pre-hooks."""
    grads = list(grads)
    if node._hooks:
        for nr, hooks in node._hooks.items():
            if grads[nr] is not None and hooks:
                grads[nr] = _run_hooks(hooks, grads[nr])
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            g = grads[nr]
            if t is not None and g is not None:
                if not _state.enabled:
                    g = g.detach()
                if t._grad is None:
                    handed_out.add(id(g.data))
                    t._grad = g
                else:
                    t._grad = t._grad + g
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads


def _accumulate(var: "Tensor", grad: "Tensor", create_graph: bool, handed_out: set) -> None:
    """AccumulateGrad: ``var.grad = grad`` the first time, ``var.grad += grad`` afterwards (torch's rules).

    A gradient array that may be referenced elsewhere (a root gradient, a view, or one already
    stored) is copied before it becomes ``.grad``, so accumulating in place later is safe.
    """
    old = var._grad
    if old is None:
        if create_graph:
            var._grad = grad
        else:
            data = grad.data
            if data.base is not None or id(data) in handed_out:
                data = data.copy()
            handed_out.add(id(data))
            var._grad = grad if data is grad.data and grad._grad_fn is None else _fn.Tensor._make(data)
    elif create_graph or old._requires_grad:
        var._grad = old + grad
    else:
        od = old.data
        gd = grad.data
        if od.shape == gd.shape and od.base is None:
            np.add(od, gd, out=od)
        else:
            var._grad = _fn.Tensor._make(od + gd)
    if var._post_acc_hooks:
        for hook in list(var._post_acc_hooks.values()):
            hook(var)
