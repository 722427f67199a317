"""Views and in-place autograd: how a view is recorded, replayed, and how writing through a view
rewrites its base's history (torch's CopySlices).

A view ``v`` of a base ``b`` (reshape, permute, basic slicing, expand, split/unbind outputs...)
shares ``b``'s memory and version counter and records ``v._base = b`` and ``v._view_steps``, the
steps that recreate ``v`` from ``b``. An in-place op through ``v`` that must be recorded makes
``b``'s new value ``CopySlices(b_old, src)``: ``b_old`` with the view's region replaced by ``src``
(the op's out-of-place result). Its backward sends the gradient outside the region to ``b_old``
and the region itself to ``src``. ``v`` then gets its history by replaying its steps on the new
``b``; other views of ``b`` notice the change lazily (``Tensor._sync_view``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd import function as _fn
from ..autograd.function import Function, _SavedInput, _SavedOutput

if TYPE_CHECKING:
    from ..tensor import Tensor


def make_view(out: "Tensor", base: "Tensor", step: tuple) -> "Tensor":
    """Record ``out`` (an op result) as a view of ``base`` when it shares ``base``'s memory.

    ``step`` is ``(kind, arg)``, kind one of ``reshape``, ``permute``, ``slice``, ``expand``.
    """
    if out is base or not np.may_share_memory(out.data, base.data):
        return out
    out._version_ref = base._version_ref
    root = base._base
    d = out.__dict__
    if root is None:
        d["_base"] = base
        d["_view_steps"] = (step,)
    else:
        d["_base"] = root
        d["_view_steps"] = base._view_steps + (step,)
    d["_view_base_fn"] = d["_base"]._grad_fn
    return out


def replay(t: "Tensor", steps: tuple) -> "Tensor":
    """Recreate a view from its base with Tensor ops (differentiable)."""
    from . import shape as S

    for kind, arg in steps:
        if kind == "reshape":
            t = S.reshape(t, arg)
        elif kind == "permute":
            t = S.permute(t, arg)
        elif kind == "slice":
            t = S.slice_view(t, arg)
        elif kind == "expand":
            t = S.expand(t, arg)
        else:  # pragma: no cover - guarded by make_view's callers
            raise AssertionError(f"unknown view step {kind}")
    return t


def adopt_replayed_history(view: "Tensor", base: "Tensor", steps: tuple) -> None:
    """Give ``view`` the history of ``steps`` replayed on ``base`` (recorded even under no_grad)."""
    from ..autograd.grad_mode import _state

    prev = _state.enabled
    _state.enabled = True
    try:
        fresh = replay(base, steps)
    finally:
        _state.enabled = prev
    view._grad_fn, view._output_nr, view._requires_grad = fresh._grad_fn, fresh._output_nr, fresh._requires_grad


def replay_array(a: np.ndarray, steps: tuple) -> np.ndarray:
    """The same steps on a raw array (used to locate a view's elements inside its base)."""
    for kind, arg in steps:
        if kind == "reshape":
            a = a.reshape(arg)
        elif kind == "permute":
            a = a.transpose(arg)
        elif kind == "slice":
            a = a[arg]
        else:
            a = np.broadcast_to(a, arg)
    return a


class ZeroRegion(Function):
    """``g`` with the elements of the view region (given by ``steps``) set to zero. Self-adjoint."""

    node_name = "CopySlicesZeroRegionBackward0"

    @staticmethod
    def forward(ctx: Function, g: "Tensor", steps: tuple) -> np.ndarray:
        ctx.steps = steps
        out = g.data.copy()
        idx = replay_array(np.arange(out.size).reshape(out.shape), steps)
        out.reshape(-1)[idx.reshape(-1)] = 0
        return out

    @staticmethod
    def backward(ctx: Function, gg: "Tensor") -> tuple:
        return ZeroRegion.apply(gg, ctx.steps), None


class CopySlices(Function):
    """The base after an in-place op wrote ``src`` into its view region (data is already written)."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Function, base: "Tensor", src: "Tensor", steps: tuple) -> np.ndarray:
        ctx.steps = steps
        return base.data

    @staticmethod
    def backward(ctx: Function, grad: "Tensor") -> tuple:
        g_base = ZeroRegion.apply(grad, ctx.steps) if ctx.needs_input_grad[0] else None
        g_src = replay(grad, ctx.steps) if ctx.needs_input_grad[1] else None
        return g_base, g_src, None


def rebase(view: "Tensor", out: "Tensor") -> None:
    """After ``out`` was written through ``view``: new history for the base, then for the view."""
    base = view._base
    T = _fn.Tensor
    old = T._make(base.data, base._requires_grad, base._grad_fn, base._output_nr)
    old._version_ref = base._version_ref
    new = CopySlices.apply(old, out, view._view_steps)
    base._grad_fn, base._output_nr, base._requires_grad = new._grad_fn, new._output_nr, new._requires_grad
    adopt_replayed_history(view, base, view._view_steps)
    view.__dict__["_view_base_fn"] = base._grad_fn


def snapshot_saved(out: "Tensor", old: "Tensor", args: tuple) -> None:
    """Nodes made by an in-place op that saved the pre-op alias ``old`` get a copy of its data
    (the op is about to overwrite it); the walk stays within the nodes the op created."""
    node = out._grad_fn
    if node is None or node is old._grad_fn:
        return
    T = _fn.Tensor
    stop = {id(old._grad_fn)} | {id(a._grad_fn) for a in args if isinstance(a, T)}
    stack, seen, snap = [node], set(), None
    while stack:
        n = stack.pop()
        if id(n) in seen or id(n) in stop or n._is_sink:
            continue
        seen.add(id(n))
        saved = n._saved
        if saved:
            for i, s in enumerate(saved):
                if type(s) is _SavedInput and s.tensor is old:
                    if snap is None:
                        snap = T._make(old.data.copy(), old._requires_grad, old._grad_fn, old._output_nr)
                        if old._accumulator is not None:
                            snap.__dict__["_accumulator"] = old._accumulator
                    saved[i] = _SavedInput(snap)
        stack.extend(e[0] for e in n._edges if e is not None)


def repoint_saved_output(out: "Tensor", target: "Tensor") -> None:
    """A node that saved its own output ``out`` now checks ``target``'s version (same values)."""
    node = out._grad_fn
    if node is None or not node._saved:
        return
    for s in node._saved:
        if type(s) is _SavedOutput and s.data is out.data:
            s.data, s.version_ref, s.version = target.data, target._version_ref, target._version_ref[0]


__all__ = ["make_view", "replay", "replay_array", "rebase", "snapshot_saved", "repoint_saved_output",
           "CopySlices", "ZeroRegion"]
