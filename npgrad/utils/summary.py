"""``summary(model, input_size)``: a torchinfo-style table of a model's layers, parameters and cost.

One forward pass runs under ``no_grad`` (in ``eval()`` mode, restored afterwards, so BatchNorm
running statistics are untouched) on zeros of ``input_size`` (batch dimension included) or on
``input_data``. Forward pre-hooks and hooks on every submodule record each call: its depth in the
call tree, input/output shapes, output bytes and multiply-accumulates (MACs).

MACs convention (the weight multiplications of one forward pass, whole batch; bias additions,
normalisation, activations and pooling count 0):

- ``Conv1d/2d`` (also grouped/dilated/strided): ``output.numel() * (C_in / groups) * prod(kernel_size)``;
- ``ConvTranspose1d/2d``: ``input.numel() * (C_out / groups) * prod(kernel_size)``;
- ``Linear``: ``output.numel() * in_features``; ``Bilinear``: ``output.numel() * in1 * in2``;
- ``RNN``/``LSTM``/``GRU``: ``steps * batch * sum(numel of every weight_ih/weight_hh/weight_hr)``;
- every other layer (BatchNorm, ReLU, pooling, Dropout, containers, ...): 0.

This is torchinfo's convention for these layers except that torchinfo also adds the bias (and
BatchNorm's affine parameters) times the batch size; here a layer's MACs are exactly the
multiplications of its weight products.

Totals (as torchinfo): parameters are counted once each (shared ones once), trainable = those with
``requires_grad``; "Forward/backward pass size" is 2 x the output bytes of every leaf layer that has
parameters (outputs kept for backward plus their gradients); sizes are in MB = 1e6 bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ..autograd.grad_mode import no_grad
from ..nn.modules.conv import _ConvNd
from ..nn.modules.linear import Bilinear, Linear
from ..nn.modules.module import Module
from ..nn.modules.rnn import RNNBase
from ..tensor import Tensor

__all__ = ["summary", "ModelStatistics", "LayerRow", "layer_macs"]


@dataclass
class LayerRow:
    """One module call. ``num_params``/``trainable_params`` count the module's parameters including its
    children's; ``own_params`` only those it registers itself; ``macs`` and ``output_bytes`` are this
    call's own (children excluded); ``parent`` is the index of the enclosing call's row (-1 for the root)."""

    name: str
    class_name: str
    depth: int
    parent: int
    input_shape: list
    output_shape: list
    num_params: int
    trainable_params: int
    own_params: int
    macs: int
    output_bytes: int
    is_leaf: bool
    is_recursive: bool
    children: list = field(default_factory=list)
    subtree_macs: int = 0

    @property
    def trainable(self) -> str:
        """torchinfo's Trainable column: True, False, Partial, or -- without parameters."""
        if self.num_params == 0:
            return "--"
        if self.trainable_params == 0:
            return "False"
        return "True" if self.trainable_params == self.num_params else "Partial"


def _tensors(obj: Any) -> list:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors(o)]
    return []


def _shape(obj: Any) -> list:
    """The shape of a tensor as a list; of several tensors, a list of their shapes."""
    ts = _tensors(obj)
    if len(ts) == 1:
        return list(ts[0].shape)
    return [list(t.shape) for t in ts]


def _prod(xs: Sequence[int]) -> int:
    n = 1
    for x in xs:
        n *= int(x)
    return n


def layer_macs(module: Module, inputs: tuple, output: Any) -> int:
    """Multiply-accumulates of one call of ``module`` (see the module docstring for the convention)."""
    outs = _tensors(output)
    if not outs:
        return 0
    out = outs[0]
    if isinstance(module, _ConvNd):
        k = _prod(module.kernel_size)
        if module.transposed:
            ins = _tensors(inputs)
            return ins[0].numel() * (module.out_channels // module.groups) * k if ins else 0
        return out.numel() * (module.in_channels // module.groups) * k
    if isinstance(module, Linear):
        return out.numel() * module.in_features
    if isinstance(module, Bilinear):
        return out.numel() * module.in1_features * module.in2_features
    if isinstance(module, RNNBase):
        steps_batch = out.numel() // out.shape[-1] if out.ndim else 0
        weights = sum(p.numel() for n, p in module.named_parameters(recurse=False) if n.startswith("weight_"))
        return steps_batch * weights
    return 0


def _count(params: Any) -> tuple[int, int, int]:
    """(number, trainable number, bytes) of distinct parameters."""
    seen: set = set()
    n = t = b = 0
    for p in params:
        if p is None or id(p) in seen:
            continue
        seen.add(id(p))
        k = p.numel()
        n += k
        b += k * p.element_size()
        if p.requires_grad:
            t += k
    return n, t, b


def _size_mb(nbytes: float) -> str:
    return f"{nbytes / 1e6:0.2f}"


def _readable(num: float) -> tuple[str, float]:
    for unit, f in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if num >= f:
            return f" ({unit})", num / f
    return "", num


def _bytes(n: int) -> str:
    if n == 0:
        return "--"
    for unit, f in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= f:
            return f"{n / f:.2f} {unit}"
    return f"{n} B"


class ModelStatistics:
    """The result of ``summary``: the rows (``summary_list``), totals, and ``str()`` as a table."""

    def __init__(self, summary_list: list[LayerRow], input_size: Any, total_input: int, model: Module,
                 depth: int, show_input: bool = False) -> None:
        self.summary_list = summary_list
        self.input_size = input_size
        self.total_input = total_input
        self.depth = depth
        self.show_input = show_input
        self.total_params, self.trainable_params, self.total_param_bytes = _count(model.parameters())
        self.total_mult_adds = sum(r.macs for r in summary_list)
        self.total_output_bytes = 2 * sum(r.output_bytes for r in summary_list if r.is_leaf and r.num_params > 0)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def total_size_bytes(self) -> int:
        return self.total_input + self.total_output_bytes + self.total_param_bytes

    # ----------------------------------------------------------------- table
    def _prefix(self, i: int) -> str:
        """Tree glyphs for row ``i``: one column per ancestor (│ while it has later visible siblings)."""
        rows = self.summary_list
        parts: list[str] = []
        j = i
        while rows[j].parent >= 0:
            parent = rows[rows[j].parent]
            visible = [c for c in parent.children if rows[c].depth <= self.depth]
            last = visible[-1] == j
            parts.append(("└─" if last else "├─") if j == i else ("   " if last else "│  "))
            j = rows[j].parent
        return "".join(reversed(parts))

    def _cells(self, i: int) -> list[str]:
        r = self.summary_list[i]
        collapsed = r.depth == self.depth and not r.is_leaf
        label = r.class_name if r.parent < 0 else f"{r.name} ({r.class_name})"
        if r.is_recursive and r.num_params:
            params = "(recursive)"
        elif r.is_leaf or collapsed:
            params = f"{r.num_params:,}" if r.num_params else "--"
            if r.num_params and not r.trainable_params:
                params = f"({params})"
        else:
            params = f"{r.own_params:,}" if r.own_params else "--"
        macs = r.subtree_macs if collapsed else r.macs
        cells = [self._prefix(i) + label]
        if self.show_input:
            cells.append(str(r.input_shape))
        cells += [str(r.output_shape), params, r.trainable, f"{macs:,}" if macs else "--", _bytes(r.output_bytes)]
        return cells

    def __str__(self) -> str:
        head = ["Layer (type)"] + (["Input Shape"] if self.show_input else []) + [
            "Output Shape", "Param #", "Trainable", "Mult-Adds", "Activations"]
        body = [self._cells(i) for i, r in enumerate(self.summary_list) if r.depth <= self.depth]
        widths = [max(len(row[c]) for row in body + [head]) + 3 for c in range(len(head))]
        width = sum(widths) - 3
        divider = "=" * width

        def line(cells: list[str]) -> str:
            return "".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

        unit, macs = _readable(self.total_mult_adds)
        lines = [divider, line(head), divider] + [line(c) for c in body] + [
            divider,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            f"Total mult-adds{unit}: {macs:0.2f}" if unit else f"Total mult-adds: {macs:,}",
            divider,
            f"Input size (MB): {_size_mb(self.total_input)}",
            f"Forward/backward pass size (MB): {_size_mb(self.total_output_bytes)}",
            f"Params size (MB): {_size_mb(self.total_param_bytes)}",
            f"Estimated Total Size (MB): {_size_mb(self.total_size_bytes)}",
            divider,
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _make_inputs(input_size: Any, input_data: Any, dtypes: Any) -> tuple[tuple, dict]:
    from ..ops.creation import zeros

    if input_data is not None:
        if isinstance(input_data, dict):
            return (), dict(input_data)
        if isinstance(input_data, (list, tuple)):
            return tuple(input_data), {}
        return (input_data,), {}
    if input_size is None:
        raise ValueError("summary() needs input_size (batch dimension included) or input_data")
    sizes = [input_size] if all(isinstance(s, int) for s in input_size) else list(input_size)
    if dtypes is None:
        dtypes = [None] * len(sizes)
    if len(dtypes) != len(sizes):
        raise ValueError(f"summary(): got {len(dtypes)} dtypes for {len(sizes)} inputs")
    return tuple(zeros(*tuple(s), dtype=d) for s, d in zip(sizes, dtypes)), {}


def summary(model: Module, input_size: Any = None, *, input_data: Any = None, dtypes: Any = None, depth: int = 3,
            verbose: int = 1) -> ModelStatistics:
    """Summarise ``model`` by running one forward pass (see the module docstring for what is counted).

    ``input_size``: one shape (``(1, 1, 28, 28)``, batch included) or a list of shapes for several
    positional inputs, filled with zeros of ``dtypes`` (default: the default float dtype);
    ``input_data``: a tensor, a list/tuple of positional tensors or a dict of keyword tensors, used
    instead. ``depth``: the deepest call level shown (deeper layers are folded into their
    ancestor's row). ``verbose``: 0 prints nothing, 1 prints the table, 2 also shows every depth
    and an Input Shape column. Returns a ``ModelStatistics``.
    """
    args, kwargs = _make_inputs(input_size, input_data, dtypes)
    names = {}
    for name, m in model.named_modules():
        names.setdefault(id(m), name)
    rows: list[LayerRow] = []
    stack: list[int] = []
    seen: set = set()

    def pre_hook(module: Module, inputs: tuple) -> None:
        n, t, _ = _count(module.parameters())
        own, _, _ = _count(module.parameters(recurse=False))
        parent = stack[-1] if stack else -1
        row = LayerRow(names.get(id(module), ""), type(module).__name__, len(stack), parent, _shape(inputs), [], n, t,
                       own, 0, 0, not any(True for _ in module.children()), id(module) in seen)
        seen.add(id(module))
        if parent >= 0:
            rows[parent].children.append(len(rows))
        stack.append(len(rows))
        rows.append(row)

    def hook(module: Module, inputs: tuple, output: Any) -> None:
        row = rows[stack.pop()]
        row.output_shape = _shape(output)
        row.output_bytes = sum(t.numel() * t.element_size() for t in _tensors(output))
        row.macs = layer_macs(module, inputs, output)

    modes = [(m, m.training) for m in model.modules()]
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(pre_hook))
        handles.append(m.register_forward_hook(hook))
    try:
        model.eval()
        with no_grad():
            model(*args, **kwargs)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.training = mode
    for r in reversed(rows):
        r.subtree_macs += r.macs
        if r.parent >= 0:
            rows[r.parent].subtree_macs += r.subtree_macs
    total_input = sum(t.numel() * t.element_size() for t in _tensors([args, kwargs]))
    shown_depth = max((r.depth for r in rows), default=0) if verbose >= 2 else depth
    stats = ModelStatistics(rows, input_size, total_input, model, shown_depth, show_input=verbose >= 2)
    if verbose >= 1:
        print(stats)
    return stats
