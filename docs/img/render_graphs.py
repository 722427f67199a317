"""Regenerate the README's graph pictures: ``python docs/img/render_graphs.py`` (from the repo root).

``lenet_graph.svg``/``.png`` are rendered by graphviz (``apt-get install graphviz``) from
``draw_graph``'s DOT text; ``lenet_graph_builtin.svg`` by npgrad's own layout (no graphviz needed).
"""
from pathlib import Path

import npgrad
from npgrad import viz
from npgrad.vision.models import lenet5

here = Path(__file__).resolve().parent
model = lenet5()
with viz.record_modules(model):  # group every op (ReLU, pooling, flatten too) under its module
    out = model(npgrad.randn(1, 1, 28, 28))
graph = viz.draw_graph(out, model=model)
written = graph.save(here / "lenet_graph", formats=("svg", "png"))
(here / "lenet_graph_builtin.svg").write_text(graph.svg(), encoding="utf-8")
print("wrote", *[p.name for p in written], "lenet_graph_builtin.svg")
