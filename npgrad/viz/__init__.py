"""Drawing the backward graph: ``draw_graph(output, params)`` -> ``Graph`` (DOT text, SVG, HTML).

    out = model(x)
    g = npgrad.viz.draw_graph(out, params=dict(model.named_parameters()))
    g.source                 # DOT text, always available
    g.save("runs/graph")     # graph.dot, graph.html (self-contained), graph.svg/.png if graphviz's `dot` exists
    g                        # in a notebook: rendered inline by the built-in layout (no graphviz needed)

To group activations and residual additions with their modules too, run the forward pass inside
``with npgrad.viz.record_modules(model):`` (see ``_graph``).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import escape
from pathlib import Path
from typing import Any, Sequence

from ._graph import GraphNode, collect, record_modules
from ._layout import render_svg

__all__ = ["draw_graph", "Graph", "GraphNode", "record_modules"]

_FILL = {"op": "lightgrey", "param": "lightblue", "tensor": "lemonchiffon"}


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Graph:
    """A drawn backward graph: ``nodes`` (GraphNode, in breadth-first order from the output), ``edges``
    (``(input index, consumer index)``) and ``clusters`` (module path -> label)."""

    def __init__(self, nodes: list[GraphNode], edges: list[tuple[int, int]], clusters: dict[str, str],
                 total_nodes: int) -> None:
        self.nodes, self.edges, self.clusters, self.total_nodes = nodes, edges, clusters, total_nodes
        self._svg: str | None = None

    @property
    def caption(self) -> str:
        if self.total_nodes > len(self.nodes):
            return f"showing the {len(self.nodes)} nodes nearest the output, of {self.total_nodes}"
        return ""

    # ----------------------------------------------------------------- DOT
    def _node_stmt(self, node: GraphNode, indent: str) -> str:
        fill = "darkolivegreen1" if node.root and node.kind == "op" else _FILL[node.kind]
        attrs = f"label={_quote(chr(10).join(node.lines))}"
        if fill != "lightgrey":
            attrs += f" fillcolor={fill}"
        return f"{indent}{node.id} [{attrs}]"

    def _cluster_tree(self) -> tuple[dict[str, list[str]], dict[str, list[GraphNode]]]:
        """Children clusters and direct member nodes of each cluster ('' is the top level)."""
        kids: dict[str, list[str]] = {}
        members: dict[str, list[GraphNode]] = {}
        for node in self.nodes:
            path = node.module if node.module in self.clusters else ""
            members.setdefault(path, []).append(node)
            while path:
                parent = path.rpartition(".")[0]
                while parent and parent not in self.clusters:
                    parent = parent.rpartition(".")[0]
                siblings = kids.setdefault(parent, [])
                if path in siblings:
                    break
                siblings.append(path)
                path = parent
        return kids, members

    @property
    def source(self) -> str:
        """The graph in graphviz's DOT language (one ``subgraph cluster_*`` per module, nested by path)."""
        kids, members = self._cluster_tree()
        used: set = set()
        lines = [
            "digraph npgrad {",
            '  graph [fontname="monospace" fontsize=10 nodesep=0.2 ranksep=0.3]',
            '  node [shape=box style="filled,rounded" fillcolor=lightgrey fontname="monospace" fontsize=10 height=0.2]',
            "  edge [arrowsize=0.6]",
        ]

        def emit(path: str, indent: str) -> None:
            for node in members.get(path, ()):
                lines.append(self._node_stmt(node, indent))
            for child in kids.get(path, ()):
                name = "cluster_" + re.sub(r"\W", "_", child)
                while name in used:
                    name += "_"
                used.add(name)
                lines.append(f"{indent}subgraph {name} {{")
                lines.append(f'{indent}  label={_quote(self.clusters[child])} style="rounded,dashed" color=gray50')
                emit(child, indent + "  ")
                lines.append(f"{indent}}}")

        emit("", "  ")
        for src, dst in self.edges:
            lines.append(f"  {self.nodes[src].id} -> {self.nodes[dst].id}")
        if self.caption:
            lines.append(f"  label={_quote(self.caption)}")
        lines.append("}")
        return "\n".join(lines) + "\n"

    # ----------------------------------------------------------------- built-in rendering
    def svg(self) -> str:
        """The graph as an SVG document laid out by npgrad's own layered layout (no graphviz needed)."""
        if self._svg is None:
            self._svg = render_svg(self.nodes, self.edges, self.clusters, self.caption)
        return self._svg

    def html(self, title: str = "npgrad backward graph") -> str:
        """A self-contained HTML page with the SVG inline."""
        info = f"{len(self.nodes)} nodes, {len(self.edges)} edges"
        return (
            "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n"
            "<style>body{font-family:monospace;margin:16px;background:#fafafa}"
            "svg{background:white;border:1px solid #ddd}g.node:hover rect{stroke-width:2}</style>\n"
            f"</head>\n<body>\n<h3>{escape(title)}</h3>\n<p>{info}. Data flows downwards; "
            "blue boxes are parameters, grey boxes are backward ops (shape and dtype of their output), "
            "dashed boxes are modules. Hover a box for details.</p>\n"
            f"{self.svg()}\n</body>\n</html>\n"
        )

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        return f'<div style="overflow:auto;max-height:800px">{self.svg()}</div>'

    # ----------------------------------------------------------------- files
    def _render_dot(self, fmt: str) -> bytes | None:
        """``dot -T<fmt>`` output via the graphviz package (or the ``dot`` program); None if unavailable."""
        if shutil.which("dot") is None:
            return None
        try:
            import graphviz  # type: ignore[import-not-found]
        except ImportError:
            graphviz = None
        try:
            if graphviz is not None:
                return graphviz.Source(self.source).pipe(format=fmt)
            return subprocess.run(["dot", f"-T{fmt}"], input=self.source.encode(), capture_output=True,
                                  check=True, timeout=120).stdout
        except Exception:  # a broken graphviz install: the .dot and .html files are still written
            return None

    def save(self, path: str | os.PathLike, formats: Sequence[str] = ("dot", "html", "svg", "png")) -> list[Path]:
        """Write ``path.dot`` and the self-contained ``path.html`` (always), and ``path.svg``/``path.png``
        rendered by graphviz when its ``dot`` program is installed (skipped otherwise). ``path`` has no
        suffix; parent folders are created. Returns the paths written."""
        base = Path(path)
        base.parent.mkdir(parents=True, exist_ok=True)
        written = []
        for fmt in formats:
            target = base.with_name(base.name + "." + fmt)
            if fmt == "dot":
                target.write_text(self.source, encoding="utf-8")
            elif fmt == "html":
                target.write_text(self.html(), encoding="utf-8")
            else:
                data = self._render_dot(fmt)
                if data is None:
                    continue
                target.write_bytes(data)
            written.append(target)
        return written

    def __repr__(self) -> str:
        return f"<npgrad.viz.Graph: {len(self.nodes)} nodes, {len(self.edges)} edges, {len(self.clusters)} modules>"


def draw_graph(output: Any, params: Any = None, *, model: Any = None, show_grad_shapes: bool = False,
               max_nodes: int | None = None) -> Graph:
    """Draw the backward graph that produced ``output`` (a tensor, or a tuple/list/dict of tensors).

    ``params``: a mapping (or iterable of pairs) name -> tensor used to label leaves, matched by
    identity (``dict(model.named_parameters())``); with ``model`` and no ``params`` the model's
    named parameters are used, and cluster labels also show each module's class. Ops are grouped
    with the module whose parameters they consume, in flat clusters; a forward pass run inside
    ``record_modules(model)`` groups every op, in clusters nested by module path.
    ``show_grad_shapes`` adds each leaf's ``.grad`` shape (after ``backward``). ``max_nodes`` keeps
    only the nodes nearest the output (breadth-first) and notes how many were left out.
    """
    if params is None and model is not None:
        params = dict(model.named_parameters())
    nodes, edges, nested = collect(output, params, show_grad_shapes)
    total = len(nodes)
    if max_nodes is not None and total > max_nodes:
        if max_nodes < 1:
            raise ValueError(f"max_nodes must be positive, got {max_nodes}")
        nodes = nodes[:max_nodes]
        edges = [(s, d) for s, d in edges if s < max_nodes and d < max_nodes]
    kinds = {}
    if model is not None:
        kinds = {name: type(m).__name__ for name, m in model.named_modules() if name}
    clusters: dict[str, str] = {}
    for node in nodes:
        path = node.module
        while path:
            if model is None or path in kinds:
                clusters[path] = f"{path} ({kinds[path]})" if path in kinds else path
            path = path.rpartition(".")[0] if nested else ""
    return Graph(nodes, edges, clusters, total)

