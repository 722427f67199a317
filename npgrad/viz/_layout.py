"""A small layered (Sugiyama-style) layout and its SVG rendering, so graphs draw without graphviz.

1. Layering by longest path to the sinks: ``rank(v) = 0`` for the output nodes and
   ``rank(u) = 1 + max(rank(v) for consumers v of u)``; rank 0 is drawn at the bottom, so data
   flows downwards and each parameter sits directly above the op that consumes it.
2. Edges spanning several ranks get one dummy node per skipped rank (they become bends).
3. Ordering within ranks: alternating downward/upward barycentric sweeps (each node moves to the
   mean position of its neighbours in the previous rank); the order with fewest crossings wins.
4. Coordinates: a few rounds pulling each node towards the mean x of its neighbours; the two ways
   of resolving overlaps (pushing right, pushing left) are averaged, which keeps every gap.
5. Rendering: boxes (``<rect>`` + ``<text>``), edges as cubic Bezier chains through the bends with
   an arrow head, and translucent rectangles behind the members of each module cluster.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

CHAR_W, LINE_H, PAD_X, PAD_Y = 6.2, 13.0, 8.0, 5.0
GAP_X, GAP_Y, MARGIN, CLUSTER_GAP = 18.0, 34.0, 20.0, 16.0
CLUSTER_PAD, CLUSTER_TOP = 7.0, 18.0  # cluster box padding: sides and bottom, top (room for the label)
FILL = {"op": "#d3d3d3", "param": "#add8e6", "tensor": "#fffacd", "root": "#caff70"}


def node_size(lines: Sequence[str]) -> tuple[float, float]:
    return max(len(s) for s in lines) * CHAR_W + 2 * PAD_X, len(lines) * LINE_H + 2 * PAD_Y


def _ranks(n: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Longest path from each node to a sink, by Kahn's algorithm on the reversed edges."""
    outs: list[list[int]] = [[] for _ in range(n)]
    pending = [0] * n
    for u, v in edges:
        outs[v].append(u)
        pending[u] += 1
    rank = [0] * n
    ready = [v for v in range(n) if pending[v] == 0]
    while ready:
        v = ready.pop()
        for u in outs[v]:
            rank[u] = max(rank[u], rank[v] + 1)
            pending[u] -= 1
            if pending[u] == 0:
                ready.append(u)
    return rank


def _crossings(layers: list[list[int]], up: list[list[int]], pos: list[float]) -> int:
    total = 0
    for layer in layers:
        segs = sorted((pos[v], pos[u]) for v in layer for u in up[v])
        for i in range(len(segs)):
            for j in range(i + 1, len(segs)):
                if segs[j][1] < segs[i][1] and segs[j][0] != segs[i][0]:
                    total += 1
    return total


class Layout:
    """Positions of the nodes (centre x, y), bend points of the edges and the drawing size."""

    def __init__(self, sizes: Sequence[tuple[float, float]], edges: Sequence[tuple[int, int]],
                 groups: Sequence[tuple] | None = None) -> None:
        """``groups[v]``: the clusters containing node ``v``, outermost first (spacing only)."""
        n = len(sizes)
        group: list[tuple] = [tuple(g) for g in groups] if groups is not None else [()] * n
        rank = _ranks(n, edges)
        w = [s[0] for s in sizes]
        h = [s[1] for s in sizes]
        # dummy nodes for long edges; chains[e] lists the node ids an edge passes through (src .. dst)
        up: list[list[int]] = [[] for _ in range(n)]  # neighbours one rank above (inputs)
        down: list[list[int]] = [[] for _ in range(n)]
        self.chains: list[list[int]] = []
        for u, v in edges:
            chain = [u]
            for r in range(rank[u] - 1, rank[v], -1):
                d = len(rank)
                rank.append(r)
                w.append(2.0)
                h.append(0.0)
                group.append(())
                up.append([])
                down.append([])
                chain.append(d)
            chain.append(v)
            for a, b in zip(chain, chain[1:]):
                down[a].append(b)
                up[b].append(a)
            self.chains.append(chain)
        total = len(rank)
        top = max(rank, default=0)
        layers: list[list[int]] = [[] for _ in range(top + 1)]
        for v in range(total):  # discovery order: real nodes first, then dummies
            layers[top - rank[v]].append(v)
        pos = [0.0] * total
        for layer in layers:
            for i, v in enumerate(layer):
                pos[v] = float(i)
        best, best_cross = [list(layer) for layer in layers], _crossings(layers, up, pos)
        for sweep in range(8):
            downward = sweep % 2 == 0
            seq = layers[1:] if downward else layers[-2::-1]
            for layer in seq:
                nb = up if downward else down
                key = {v: (sum(pos[u] for u in nb[v]) / len(nb[v]) if nb[v] else pos[v]) for v in layer}
                layer.sort(key=lambda v: key[v])
                for i, v in enumerate(layer):
                    pos[v] = float(i)
            cross = _crossings(layers, up, pos)
            if cross < best_cross:
                best, best_cross = [list(layer) for layer in layers], cross
        layers = best
        self.x = self._coordinates(layers, w, up, down, group)
        self.y = [0.0] * total
        y = MARGIN
        for k, layer in enumerate(layers):
            lh = max((h[v] for v in layer), default=0.0)
            for v in layer:
                self.y[v] = y + lh / 2
            gap = self._gap(layer, layers[k + 1], w, group) if k + 1 < len(layers) else GAP_Y
            y += lh + gap
        self.w, self.h, self.n = w, h, n
        self.width = max((self.x[v] + w[v] / 2 for v in range(total)), default=0.0) + MARGIN
        self.height = y - GAP_Y + MARGIN

    def _gap(self, upper: list[int], lower: list[int], w: list[float], group: list) -> float:
        """Vertical gap below ``upper``: room for the cluster borders closing under a node and opening
        above a node below it that overlaps it horizontally (CLUSTER_PAD below, CLUSTER_TOP above)."""
        gap = GAP_Y
        for u in upper:
            for v in lower:
                if not group[u] and not group[v]:
                    continue
                if abs(self.x[u] - self.x[v]) > (w[u] + w[v]) / 2 + 2 * CLUSTER_PAD:
                    continue
                closing = sum(1 for c in group[u] if c not in group[v])
                opening = sum(1 for c in group[v] if c not in group[u])
                gap = max(gap, 10.0 + closing * CLUSTER_PAD + opening * CLUSTER_TOP)
        return gap

    @staticmethod
    def _coordinates(layers: list[list[int]], w: list[float], up: list, down: list, group: list) -> list[float]:
        """x of each node; neighbours in different clusters are kept CLUSTER_GAP further apart."""
        x = [0.0] * len(w)

        def sep(a: int, b: int) -> float:
            return (w[a] + w[b]) / 2 + GAP_X + (CLUSTER_GAP if group[a][-1:] != group[b][-1:] else 0.0)

        for layer in layers:
            cur = 0.0
            for i, v in enumerate(layer):
                cur = cur + sep(layer[i - 1], v) if i else w[v] / 2
                x[v] = cur
        for it in range(12):
            seq = layers if it % 2 == 0 else layers[::-1]
            for layer in seq:
                want = []
                for v in layer:
                    nb = up[v] + down[v]
                    want.append(sum(x[u] for u in nb) / len(nb) if nb else x[v])
                right, left = list(want), list(want)
                for i in range(1, len(layer)):
                    right[i] = max(right[i], right[i - 1] + sep(layer[i - 1], layer[i]))
                for i in range(len(layer) - 2, -1, -1):
                    left[i] = min(left[i], left[i + 1] - sep(layer[i], layer[i + 1]))
                for i, v in enumerate(layer):
                    x[v] = (right[i] + left[i]) / 2
        shift = MARGIN - min((x[v] - w[v] / 2 for layer in layers for v in layer), default=0.0)
        return [xi + shift for xi in x]

    def box(self, v: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of node ``v``."""
        return (self.x[v] - self.w[v] / 2, self.y[v] - self.h[v] / 2, self.x[v] + self.w[v] / 2, self.y[v] + self.h[v] / 2)


def _edge_path(lay: Layout, chain: list[int], end_x: float) -> str:
    pts = [(lay.x[chain[0]], lay.y[chain[0]] + lay.h[chain[0]] / 2)]
    pts += [(lay.x[d], lay.y[d]) for d in chain[1:-1]]
    pts.append((end_x, lay.y[chain[-1]] - lay.h[chain[-1]] / 2 - 1.5))
    d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        my = (y0 + y1) / 2
        d += f" C{x0:.1f},{my:.1f} {x1:.1f},{my:.1f} {x1:.1f},{y1:.1f}"
    return d


def _owner(path: str, clusters: dict) -> str:
    """The innermost drawn cluster containing module ``path`` ('' when none)."""
    while path and path not in clusters:
        path = path.rpartition(".")[0]
    return path


def _chain(path: str, clusters: dict) -> tuple:
    """The drawn clusters containing module ``path``, outermost first."""
    out = []
    while path:
        if path in clusters:
            out.append(path)
        path = path.rpartition(".")[0]
    return tuple(reversed(out))


def _cluster_boxes(lay: Layout, nodes: Sequence, clusters: dict) -> dict[str, tuple[float, float, float, float]]:
    """Box of each cluster: its direct member nodes and its child clusters, padded, with room for the label."""
    def owner(path: str) -> str:
        return _owner(path, clusters)

    content: dict[str, list[tuple[float, float, float, float]]] = {}
    for v, node in enumerate(nodes):
        c = owner(node.module)
        if c:
            content.setdefault(c, []).append(lay.box(v))
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for path in sorted(content.keys() | {p for p in clusters if any(k.startswith(p + ".") for k in content)},
                       key=lambda p: -p.count(".")):  # innermost first
        inner = content.get(path, []) + [b for k, b in boxes.items() if owner(k.rpartition(".")[0]) == path]
        if not inner:
            continue
        boxes[path] = (min(b[0] for b in inner) - CLUSTER_PAD, min(b[1] for b in inner) - CLUSTER_TOP,
                       max(b[2] for b in inner) + CLUSTER_PAD, max(b[3] for b in inner) + CLUSTER_PAD)
    return boxes


def render_svg(nodes: Sequence, edges: Sequence[tuple[int, int]], clusters: dict, caption: str = "") -> str:
    """An SVG document of the graph: ``nodes`` are GraphNode-likes, ``clusters`` maps path -> label."""
    lay = Layout([node_size(n.lines) for n in nodes], edges, [_chain(n.module, clusters) for n in nodes])
    boxes = _cluster_boxes(lay, nodes, clusters)
    left = min([MARGIN] + [b[0] for b in boxes.values()])
    top = min([MARGIN] + [b[1] for b in boxes.values()])
    right = max([lay.width - MARGIN] + [b[2] for b in boxes.values()])
    bottom = max([lay.height - MARGIN] + [b[3] for b in boxes.values()])
    width, height = right - left + 2 * MARGIN, bottom - top + 2 * MARGIN + (18.0 if caption else 0.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="10">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<g transform="translate({MARGIN - left:.1f},{MARGIN - top:.1f})">']
    for path in sorted(boxes, key=lambda p: p.count(".")):  # outermost first, so inner ones paint on top
        x0, y0, x1, y1 = boxes[path]
        out.append(f'<g class="cluster"><title>{escape(clusters[path])}</title>'
                   f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" rx="6" '
                   f'fill="#6a8fc7" fill-opacity="0.07" stroke="#8899aa" stroke-dasharray="4 2"/>'
                   f'<text x="{x0 + 4:.1f}" y="{y0 + 10:.1f}" fill="#556677" font-size="9">'
                   f'{escape(clusters[path])}</text></g>')
    # edges: spread the arrow heads entering one node over its top side, ordered by source x
    incoming: dict[int, list[int]] = {}
    for e, chain in enumerate(lay.chains):
        incoming.setdefault(chain[-1], []).append(e)
    for v, es in incoming.items():
        es.sort(key=lambda e: lay.x[lay.chains[e][-2]])
        for k, e in enumerate(es):
            end_x = lay.x[v] - lay.w[v] / 2 + lay.w[v] * (k + 1) / (len(es) + 1)
            out.append(f'<path class="edge" d="{_edge_path(lay, lay.chains[e], end_x)}" fill="none" '
                       'stroke="#444" stroke-width="1" marker-end="url(#arrow)"/>')
    for v, node in enumerate(nodes):
        x0, y0, _, _ = lay.box(v)
        fill = FILL["root"] if node.root and node.kind == "op" else FILL[node.kind]
        out.append(f'<g class="node" id="{node.id}"><title>{escape(node.tooltip)}</title>'
                   f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{lay.w[v]:.1f}" height="{lay.h[v]:.1f}" rx="3" '
                   f'fill="{fill}" stroke="#333"/>')
        for i, line in enumerate(node.lines):
            ty = y0 + PAD_Y + LINE_H * (i + 0.78)
            weight = ' font-weight="bold"' if i == 0 and node.kind != "tensor" else ""
            out.append(f'<text x="{lay.x[v]:.1f}" y="{ty:.1f}" text-anchor="middle"{weight}>{escape(line)}</text>')
        out.append("</g>")
    out.append("</g>")
    if caption:
        out.append(f'<text x="{MARGIN:.0f}" y="{height - MARGIN + 4:.0f}" fill="#555">{escape(caption)}</text>')
    out.append("</svg>")
    return "\n".join(out)
