"""npgrad.viz: the backward graph as DOT (exact on a small graph), HTML/SVG, clusters, files."""
from __future__ import annotations

import importlib.util
import re
import shutil
import sys

import numpy as np
import pytest

import npgrad
import npgrad.vision.models as models
from npgrad import nn, viz
from npgrad.viz._layout import Layout, node_size


def _small():
    x = npgrad.randn(4, 3)
    w = nn.Parameter(npgrad.randn(3, 5))
    b = nn.Parameter(npgrad.randn(5))
    return (x @ w + b).relu().sum(), w, b


def test_small_graph_dot_exact():
    out, w, b = _small()
    g = viz.draw_graph(out, params={"w": w, "b": b})
    assert g.source == (
        "digraph npgrad {\n"
        '  graph [fontname="monospace" fontsize=10 nodesep=0.2 ranksep=0.3]\n'
        '  node [shape=box style="filled,rounded" fillcolor=lightgrey fontname="monospace" fontsize=10 height=0.2]\n'
        "  edge [arrowsize=0.6]\n"
        '  n0 [label="SumBackward0\\n() float32" fillcolor=darkolivegreen1]\n'
        '  n1 [label="ReluBackward0\\n(4, 5) float32"]\n'
        '  n2 [label="AddBackward0\\n(4, 5) float32"]\n'
        '  n3 [label="MatMulBackward0\\n(4, 5) float32"]\n'
        '  n4 [label="b\\n(5)" fillcolor=lightblue]\n'
        '  n5 [label="w\\n(3, 5)" fillcolor=lightblue]\n'
        "  n1 -> n0\n"
        "  n2 -> n1\n"
        "  n3 -> n2\n"
        "  n4 -> n2\n"
        "  n5 -> n3\n"
        "}\n"
    )
    assert [n.kind for n in g.nodes] == ["op", "op", "op", "op", "param", "param"]
    assert g.edges == [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3)]
    assert g.clusters == {}


def test_unnamed_leaf_shared_input_and_grad_shapes():
    a = npgrad.randn(2, 3, requires_grad=True)
    out = (a * a).sum()
    out.backward()
    g = viz.draw_graph(out, show_grad_shapes=True)
    assert [n.lines for n in g.nodes] == [["SumBackward0", "() float32"], ["MulBackward0", "(2, 3) float32"],
                                          ["(2, 3)", "grad (2, 3)"]]
    assert g.edges == [(1, 0), (2, 1), (2, 1)]  # a feeds both operands of the product
    assert 'n2 [label="(2, 3)\\ngrad (2, 3)" fillcolor=lemonchiffon]' in g.source


def test_param_clusters_and_multi_output_labels():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    g = viz.draw_graph(model(npgrad.randn(5, 3)), model=model)
    assert g.clusters == {"3": "3 (Linear)", "1": "1 (BatchNorm1d)", "0": "0 (Linear)"}
    members = {}
    for n in g.nodes:
        members.setdefault(n.module, []).append((n.kind, n.lines[0]))
    assert members["0"] == [("op", "LinearBackward0"), ("param", "0.weight"), ("param", "0.bias")]
    assert members["3"] == [("op", "LinearBackward0"), ("param", "3.weight"), ("param", "3.bias")]
    assert members["1"] == [("op", "BatchNormFnBackward0"), ("param", "1.weight"), ("param", "1.bias")]
    assert ("op", "ReluBackward0") in members[""]  # consumes no parameter: outside the (flat) clusters
    src = g.source
    for path in ("0", "1", "3"):
        block = re.search(r"  subgraph cluster_%s \{\n(.*?)\n  \}" % path, src, re.S).group(1)
        assert block.splitlines()[0] == f'    label="{path} ({type(model[int(path)]).__name__})" ' \
                                        'style="rounded,dashed" color=gray50'
        assert re.findall(r"^    (n\d+) \[", block, re.M) == [n.id for n in g.nodes if n.module == path]
    bn = next(n for n in g.nodes if n.lines[0] == "BatchNormFnBackward0")  # one label line per output
    assert bn.lines[1:] == ["0: (5, 4, 1) float32", "1: (4) float32", "2: (4) float32"]


def test_record_modules_nests_clusters():
    model = models.lenet5()
    with viz.record_modules(model):
        out = model(npgrad.randn(2, 1, 28, 28))
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    g = viz.draw_graph(out, model=model)
    ops = {n.lines[0] + "@" + n.module for n in g.nodes if n.kind == "op"}
    assert {"ReluBackward0@features.1", "ReluBackward0@features.4", "ReluBackward0@classifier.2",
            "MaxPool2dFnBackward0@features.2", "ViewBackward0@classifier.0"} <= {o for o in ops}
    assert "features" in g.clusters and "features.0" in g.clusters
    features = re.search(r"\n  subgraph cluster_features \{\n(.*?)\n  \}\n", g.source, re.S).group(1)
    for i in range(6):
        assert f"\n    subgraph cluster_features_{i} {{\n      label=\"features.{i} (" in "\n" + features
    assert "classifier" not in features
    # without record_modules the same model groups only parameter consumers
    plain = viz.draw_graph(model(npgrad.randn(2, 1, 28, 28)), model=model)
    assert set(plain.clusters) == {"features.0", "features.3", "classifier.1", "classifier.3", "classifier.5"}


def _reachable(output):
    """Independent count: distinct Function nodes, distinct leaves and edges reachable from the output."""
    fns, leaves, stack, edges = set(), set(), [output.grad_fn], 0
    while stack:
        fn = stack.pop()
        if hasattr(fn, "variable"):
            leaves.add(id(fn.variable))
            continue
        if id(fn) in fns:
            continue
        fns.add(id(fn))
        nexts = [nxt for nxt, _ in fn.next_functions if nxt is not None]
        edges += len(nexts)
        stack.extend(nexts)
    return len(fns), len(leaves), edges


def test_resnet20_graph_renders():
    model = models.resnet20()
    out = model(npgrad.randn(2, 3, 32, 32))
    g = viz.draw_graph(out, params=dict(model.named_parameters()))
    n_fns, n_leaves, n_edges = _reachable(out)
    assert n_leaves == len(list(model.parameters())) == 65
    assert len(g.nodes) == n_fns + n_leaves and len(g.edges) == n_edges
    src = g.source
    assert len(re.findall(r"^\s+n\d+ \[label=", src, re.M)) == len(g.nodes)
    assert len(re.findall(r"^\s+n\d+ -> n\d+$", src, re.M)) == len(g.edges)
    # one flat cluster per module owning parameters: stem conv + BN, 9 blocks x (2 convs + 2 BNs),
    # 2 projection shortcuts x (conv + BN), fc
    assert src.count("subgraph cluster_") == len(g.clusters) == 2 + 9 * 4 + 2 * 2 + 1
    html = g.html()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert html.count('<g class="node"') == len(g.nodes)
    assert html.count('<path class="edge"') == len(g.edges)
    assert html.count('<g class="cluster"') == len(g.clusters)


def test_layout_is_layered_and_non_overlapping():
    model = models.resnet20()
    g = viz.draw_graph(model(npgrad.randn(1, 3, 32, 32)), model=model)
    lay = Layout([node_size(n.lines) for n in g.nodes], g.edges)
    for src, dst in g.edges:  # data flows downwards: every input sits above its consumer
        assert lay.y[src] + lay.h[src] / 2 < lay.y[dst] - lay.h[dst] / 2
    boxes = [lay.box(v) for v in range(len(g.nodes))]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (g.nodes[i], g.nodes[j])
    long_edges = [c for c in lay.chains if len(c) > 2]  # residual connections bend through dummy nodes
    assert long_edges and all(lay.y[a] < lay.y[b] for c in long_edges for a, b in zip(c, c[1:]))


def test_save_files(tmp_path, monkeypatch):
    out, w, b = _small()
    g = viz.draw_graph(out, params={"w": w, "b": b})
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no graphviz: .dot and .html only
    paths = g.save(tmp_path / "sub" / "graph.v1")
    assert paths == [tmp_path / "sub" / "graph.v1.dot", tmp_path / "sub" / "graph.v1.html"]
    assert paths[0].read_text() == g.source
    assert paths[1].read_text().count('<g class="node"') == 6
    assert g.save(tmp_path / "only", formats=("svg",)) == []


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot program is not installed")
@pytest.mark.parametrize("package", [True, False])
def test_save_renders_with_graphviz(tmp_path, monkeypatch, package):
    if not package:
        monkeypatch.setitem(sys.modules, "graphviz", None)  # the `dot` subprocess fallback
    elif importlib.util.find_spec("graphviz") is None:
        pytest.skip("the graphviz Python package is not installed")
    out, w, b = _small()
    paths = viz.draw_graph(out, params={"w": w, "b": b}).save(tmp_path / "g")
    assert [p.name for p in paths] == ["g.dot", "g.html", "g.svg", "g.png"]
    svg = paths[2].read_text()
    assert svg.lstrip().startswith("<?xml") and svg.count('class="node"') == 6 and "MatMulBackward0" in svg
    assert paths[3].read_bytes()[:4] == b"\x89PNG"


def test_notebook_reprs_and_truncation():
    out, w, b = _small()
    g = viz.draw_graph(out, params={"w": w, "b": b}, max_nodes=3)
    assert len(g.nodes) == 3 and g.total_nodes == 6
    assert g.edges == [(1, 0), (2, 1)]
    assert 'label="showing the 3 nodes nearest the output, of 6"' in g.source
    assert g._repr_svg_().startswith("<svg") and "<svg" in g._repr_html_()
    assert "3 nodes" in repr(g)


def test_bad_outputs():
    with pytest.raises(ValueError, match="does not require grad"):
        viz.draw_graph(npgrad.ones(3) * 2)
    with pytest.raises(TypeError, match="expects a Tensor"):
        viz.draw_graph(3.0)
    leaf = nn.Parameter(npgrad.ones(2))
    g = viz.draw_graph(leaf, params={"p": leaf})
    assert [n.lines for n in g.nodes] == [["p", "(2)"]] and g.edges == []
    a = npgrad.randn(3, requires_grad=True)
    g = viz.draw_graph((a.exp(), a.sin()))
    assert [n.root for n in g.nodes] == [True, True, False]
    assert np.array_equal([n.kind for n in g.nodes], ["op", "op", "tensor"])
