"""``check_against_torch``: run one function on npgrad and on torch and compare outputs and gradients.

``fn(lib, *args)`` is written against a framework namespace (``lib.matmul``, ``x.relu()``, ...).
It is called once with ``lib=npgrad`` and npgrad tensors and once with ``lib=torch`` and torch
tensors built from the same data (``requires_grad`` copied). With ``grad=True`` both sides then
differentiate ``L = sum_k sum(output_k * W_k)`` with fixed random weights ``W_k`` (the same for
both; one per floating output) with respect to every input that requires grad, so
``dL/dx = J^T W`` exercises the full vector-Jacobian product rather than a sum of rows.
torch is imported only when the function is called.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ._comparison import assert_close, is_tensor_like, to_numpy

__all__ = ["check_against_torch", "TorchCheckReport", "CheckEntry"]


@dataclass
class CheckEntry:
    """One compared value: which (``output[0]``, ``grad inputs[1]``), its shape/dtype and the differences."""

    name: str
    shape: tuple
    dtype: str
    max_abs_diff: float
    max_rel_diff: float


@dataclass
class TorchCheckReport:
    """What ``check_against_torch`` compared; ``str(report)`` is a small table."""

    function: str
    entries: list = field(default_factory=list)

    @property
    def max_abs_diff(self) -> float:
        return max((e.max_abs_diff for e in self.entries), default=0.0)

    @property
    def max_rel_diff(self) -> float:
        return max((e.max_rel_diff for e in self.entries), default=0.0)

    def __str__(self) -> str:
        rows = [(e.name, str(tuple(e.shape)), e.dtype, f"{e.max_abs_diff:.3g}", f"{e.max_rel_diff:.3g}")
                for e in self.entries]
        head = ("compared", "shape", "dtype", "max abs diff", "max rel diff")
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
        lines = [f"check_against_torch({self.function}): {len(self.entries)} values match"]
        for r in [head] + rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        return "\n".join(lines)


def _diffs(a: Any, e: Any) -> tuple[tuple, str, float, float]:
    x, name = to_numpy(a)
    y, _ = to_numpy(e)
    if x.size == 0 or x.shape != y.shape:
        return x.shape, name, 0.0, 0.0
    x64 = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
    y64 = y.astype(x64.dtype)
    with np.errstate(all="ignore"):
        d = np.abs(x64 - y64)
        both_same = (x64 == y64) | (np.isnan(x64) & np.isnan(y64))
        d[both_same] = 0.0
        rel = np.where(y64 != 0, d / np.abs(y64), np.where(d == 0, 0.0, np.inf))
    return x.shape, name, float(np.nanmax(d)), float(np.nanmax(rel))


def _convert(value: Any, lib: Any, torch: Any, grads: list, path: str, side: str) -> Any:
    """Fresh leaf copy of every tensor-like (for ``side`` 'npgrad' or 'torch'), recursing into lists/tuples/dicts."""
    if is_tensor_like(value):
        arr, _ = to_numpy(value)
        req = bool(getattr(value, "requires_grad", False))
        arr = np.array(arr, copy=True)
        t = lib.from_numpy(arr) if side == "npgrad" else torch.from_numpy(arr)
        if req:
            t.requires_grad_(True)
            grads.append((path, t))
        return t
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_convert(v, lib, torch, grads, f"{path}[{i}]", side) for i, v in enumerate(value))
    if isinstance(value, dict):
        return {k: _convert(v, lib, torch, grads, f"{path}[{k!r}]", side) for k, v in value.items()}
    return value


def _flatten(value: Any, path: str, out: list) -> list:
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{i}]", out)
    elif isinstance(value, dict):
        for k in value:
            _flatten(value[k], f"{path}[{k!r}]", out)
    else:
        out.append((path, value))
    return out


def _structure(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return (len(value), tuple(_structure(v) for v in value))
    if isinstance(value, dict):
        return tuple((k, _structure(v)) for k, v in value.items())
    return "value"


def _describe(x: Any) -> str:
    if is_tensor_like(x):
        arr, name = to_numpy(x)
        return f"shape {tuple(arr.shape)}, dtype {name}"
    return f"{type(x).__name__} {x!r}"


def _compare(label: str, fname: str, mine: Any, ref: Any, rtol: Any, atol: Any, report: TorchCheckReport) -> None:
    head = f"check_against_torch({fname}): {label} differs (npgrad: {_describe(mine)}; torch: {_describe(ref)})\n"
    assert_close(mine, ref, rtol=rtol, atol=atol, msg=lambda m: head + m)
    if is_tensor_like(mine):
        report.entries.append(CheckEntry(label, *_diffs(mine, ref)))


def check_against_torch(fn: Callable[..., Any], *inputs: Any, rtol: float | None = None, atol: float | None = None,
                        grad: bool = True) -> TorchCheckReport:
    """Run ``fn(npgrad, *inputs)`` and ``fn(torch, *inputs_as_torch)``; assert outputs and gradients match.

    Tensor-like inputs (npgrad tensors, arrays) are copied into fresh leaves of each framework with
    the same ``requires_grad``; lists/tuples/dicts are converted recursively and other values are
    passed unchanged. Outputs (tensors, numbers, nested tuples/lists/dicts) are compared with
    ``assert_close`` (``rtol``/``atol`` or the dtype defaults). With ``grad``, the gradients of
    ``sum_k sum(output_k * W_k)`` (``W_k`` fixed standard-normal weights, seed 0) with respect to
    every input requiring grad are compared too; a gradient npgrad or torch leaves as None counts as
    zeros. Raises ``AssertionError`` naming the output or gradient, both shapes/dtypes and the
    greatest absolute/relative differences with their index. Returns a ``TorchCheckReport``.
    """
    import torch

    import npgrad

    fname = getattr(fn, "__name__", repr(fn))
    np_grads: list = []
    t_grads: list = []
    np_args = [_convert(v, npgrad, torch, np_grads, f"inputs[{i}]", "npgrad") for i, v in enumerate(inputs)]
    t_args = [_convert(v, npgrad, torch, t_grads, f"inputs[{i}]", "torch") for i, v in enumerate(inputs)]
    out_np = fn(npgrad, *np_args)
    out_t = fn(torch, *t_args)
    report = TorchCheckReport(fname)
    if _structure(out_np) != _structure(out_t):
        raise AssertionError(f"check_against_torch({fname}): the outputs' structure differs: npgrad returned "
                             f"{_structure(out_np)}, torch returned {_structure(out_t)}")
    flat_np, flat_t = _flatten(out_np, "output", []), _flatten(out_t, "output", [])
    for (label, a), (_, b) in zip(flat_np, flat_t):
        _compare(label, fname, a, b, rtol, atol, report)
    if not grad or not t_grads:
        return report
    rng = np.random.default_rng(0)
    loss_np: Any = None
    loss_t: Any = None
    for (label, a), (_, b) in zip(flat_np, flat_t):
        if not isinstance(b, torch.Tensor) or not (b.is_floating_point() or b.is_complex()):
            continue
        if bool(a.requires_grad) != bool(b.requires_grad):
            raise AssertionError(f"check_against_torch({fname}): {label}.requires_grad differs: "
                                 f"npgrad {a.requires_grad}, torch {b.requires_grad}")
        if not b.requires_grad:
            continue
        arr, _ = to_numpy(b)
        w = rng.standard_normal(arr.shape).astype(arr.dtype)
        term_np = (a * npgrad.from_numpy(w.copy())).sum()
        term_t = (b * torch.from_numpy(w.copy())).sum()
        loss_np = term_np if loss_np is None else loss_np + term_np
        loss_t = term_t if loss_t is None else loss_t + term_t
    ins_np = [t for _, t in np_grads]
    ins_t = [t for _, t in t_grads]
    g_np = npgrad.autograd.grad(loss_np, ins_np, allow_unused=True) if loss_np is not None else [None] * len(ins_np)
    g_t = torch.autograd.grad(loss_t, ins_t, allow_unused=True) if loss_t is not None else [None] * len(ins_t)
    for (path, x_np), x_t, ga, gb in zip(np_grads, ins_t, g_np, g_t):
        ga = npgrad.zeros_like(x_np) if ga is None else ga
        gb = torch.zeros_like(x_t) if gb is None else gb
        _compare(f"grad of {path}", fname, ga, gb, rtol, atol, report)
    return report

