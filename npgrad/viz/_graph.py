"""Walking the backward graph into a ``Graph`` of op and tensor nodes grouped by module.

``draw_graph`` starts at ``output.grad_fn`` and follows ``next_functions`` breadth-first (an explicit
queue, so deep graphs need no recursion). Every ``Function`` becomes an op node labelled with its
name and, per output, shape and dtype (``_out_meta``); every ``AccumulateGrad`` sink becomes a
tensor node for its leaf (parameter name from ``params``, matched by identity, and shape). Edges
point the way data flows in the forward pass: from an input's node to the op that consumed it.

Grouping: a node belongs to a module path, drawn as a DOT ``subgraph cluster_...``. By default
the grouping comes from the parameters alone: a parameter belongs to the module of its name
(``features.0.weight`` -> ``features.0``), an op to the module whose parameter it consumes
directly, and ops that consume no parameter (activations, pooling, residual additions) stay outside
the (flat) clusters. When the forward pass ran inside ``record_modules(model)``, whose forward hooks
tag every node created during each module call with that module's path (the innermost module
wins), every op is grouped and the clusters nest by path (``layer1`` > ``layer1.0`` > ``layer1.0.conv1``).
"""
from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from ..autograd.function import accumulator_for
from ..tensor import Tensor

__all__ = ["GraphNode", "collect", "record_modules"]

#: node -> module path, filled by ``record_modules``; weak so graphs are freed as usual.
_MODULE_TAGS: "weakref.WeakKeyDictionary[Any, str]" = weakref.WeakKeyDictionary()


@dataclass
class GraphNode:
    """One node of a drawn graph. ``kind`` is 'op', 'param' (a named leaf) or 'tensor' (an unnamed leaf)."""

    id: str
    kind: str
    lines: list
    module: str
    tooltip: str
    root: bool = False


def fmt_shape(shape: Iterable[int]) -> str:
    """torchviz's shape format: ``(4, 5)``, ``(5)``, ``()``."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _out_lines(node: Any) -> list[str]:
    metas = [m for m in getattr(node, "_out_meta", ()) if m is not None]
    if len(metas) == 1:
        return [f"{fmt_shape(metas[0][0])} {metas[0][1].name}"]
    lines = [f"{k}: {fmt_shape(s)} {d.name}" for k, (s, d) in enumerate(metas[:4])]
    if len(metas) > 4:
        lines.append(f"... {len(metas) - 4} more outputs")
    return lines


def _param_module(name: str) -> str:
    return name.rpartition(".")[0]


@contextlib.contextmanager
def record_modules(model: Any) -> Iterator[None]:
    """Within the block, tag each backward node created by a module call with the module's path.

    ``draw_graph`` then groups every op (activations and residual additions included) in the
    cluster of the innermost module whose forward created it. Forward hooks are registered on every
    submodule for the duration of the block and removed afterwards.
    """
    paths = {}
    for name, m in model.named_modules():
        paths.setdefault(id(m), name)
    stops: list[set] = []

    def pre_hook(module: Any, args: tuple) -> None:
        stops.append({id(a.grad_fn) for a in _tensors(args) if a.grad_fn is not None})

    def hook(module: Any, args: tuple, output: Any) -> None:
        stop = stops.pop()
        path = paths.get(id(module), "")
        prefix = path + "." if path else ""
        queue = [t.grad_fn for t in _tensors(output) if t.grad_fn is not None]
        seen: set = set()
        while queue:
            node = queue.pop()
            if id(node) in seen or id(node) in stop or getattr(node, "_is_sink", False):
                continue
            seen.add(id(node))
            tag = _MODULE_TAGS.get(node)
            if tag is None:
                _MODULE_TAGS[node] = path
            elif tag != path and not tag.startswith(prefix):
                continue  # created by an unrelated module earlier: not part of this call
            queue.extend(n for n, _ in node.next_functions if n is not None)

    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(pre_hook))
        handles.append(m.register_forward_hook(hook))
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def _tensors(obj: Any) -> list:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o)]
    if isinstance(obj, Mapping):
        return [t for o in obj.values() for t in _tensors(o)]
    return []


def _roots(output: Any) -> list:
    tensors = _tensors(output)
    if not tensors:
        raise TypeError(f"draw_graph() expects a Tensor (or a tuple/list/dict of Tensors), got {type(output).__name__}")
    roots = []
    for t in tensors:
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
        elif t.requires_grad:
            roots.append(accumulator_for(t))
    if not roots:
        raise ValueError("draw_graph(): the output does not require grad, so it has no backward graph "
                         "(was it computed under no_grad, or from tensors that do not require grad?)")
    return roots


def collect(output: Any, params: Any, show_grad_shapes: bool) -> tuple[list[GraphNode], list[tuple[int, int]], bool]:
    """Breadth-first walk from the output's node(s): the nodes (in discovery order), the edges
    (input, consumer) and whether any node carries a ``record_modules`` tag."""
    names: dict[int, str] = {}
    if params is not None:
        items = params.items() if isinstance(params, Mapping) else params
        for name, p in items:
            if p is not None:
                names.setdefault(id(p), name)
    order: list = []
    index: dict[int, int] = {}
    for r in _roots(output):
        if id(r) not in index:
            index[id(r)] = len(order)
            order.append(r)
    root_count = len(order)
    edges: list[tuple[int, int]] = []
    i = 0
    while i < len(order):
        node = order[i]
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            j = index.get(id(nxt))
            if j is None:
                j = index[id(nxt)] = len(order)
                order.append(nxt)
            edges.append((j, i))
        i += 1
    nodes = [_make_node(k, n, names, show_grad_shapes, k < root_count) for k, n in enumerate(order)]
    tagged = _assign_modules(order, nodes, edges)
    return nodes, edges, tagged


def _make_node(k: int, node: Any, names: dict, show_grad_shapes: bool, root: bool) -> GraphNode:
    if getattr(node, "_is_sink", False):
        var = node.variable
        name = names.get(id(var))
        lines = ([name] if name else []) + [fmt_shape(var.shape)]
        if show_grad_shapes:
            lines.append("grad " + (fmt_shape(var.grad.shape) if var.grad is not None else "None"))
        tip = f"{name or 'leaf tensor'}: shape {fmt_shape(var.shape)}, {var.dtype}"
        module = _param_module(name) if name else ""
        return GraphNode(f"n{k}", "param" if name else "tensor", lines, module, tip, root)
    lines = [node.name()] + _out_lines(node)
    return GraphNode(f"n{k}", "op", lines, "", " | ".join(lines), root)


def _assign_modules(order: list, nodes: list[GraphNode], edges: list) -> bool:
    """Module of each op: a ``record_modules`` tag, else the module of the first named parameter it consumes."""
    tagged = False
    consumed: dict[int, list[int]] = {}
    for src, dst in edges:
        consumed.setdefault(dst, []).append(src)
    for k, (fn, gn) in enumerate(zip(order, nodes)):
        if gn.kind != "op":
            continue
        tag = _MODULE_TAGS.get(fn)
        if tag is not None:
            gn.module, tagged = tag, True
            continue
        for src in consumed.get(k, ()):
            if nodes[src].kind == "param":
                gn.module = nodes[src].module
                break
    return tagged
