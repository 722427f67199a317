"""Higher-level differentiation of functions of tensors (``npgrad.autograd.functional``), as in torch.

For ``f: inputs -> outputs``: ``vjp`` = v^T J, ``jvp`` = J v (by the double-vjp trick),
``jacobian`` = J (one reverse pass per output element), ``hessian`` = the Jacobian of the gradient,
``hvp`` = H v and ``vhp`` = v^T H (double backward). Inputs and outputs may be a Tensor or a tuple
of Tensors; results follow torch's nesting (a tuple per tuple level). Results are detached unless
``create_graph=True``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .grad_mode import enable_grad


def _as_tuple(x: Any, name: str = "inputs", fn: str = "") -> tuple:
    from ..tensor import Tensor

    tup = tuple(x) if isinstance(x, (tuple, list)) else (x,)
    for i, t in enumerate(tup):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"The {name} given to {fn} must be either a Tensor or a tuple of Tensors but the value at index {i} "
                f"has type {type(t).__name__}."
            )
    return tup


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad, connected to the caller's graph only with ``create_graph``."""
    from ..ops.shape import slice_view

    out = []
    for x in inputs:
        if create_graph and x.requires_grad:
            out.append(slice_view(x, (Ellipsis,)))
        else:
            out.append(x.detach().requires_grad_(x.data.dtype.kind == "f"))
    return tuple(out)


def _finish(ts: tuple, create_graph: bool) -> tuple:
    return tuple(t if t is None or create_graph else t.detach() for t in ts)


def _grads(outputs: tuple, inputs: tuple, grad_outputs: Any, create_graph: bool, strict: bool, fn: str) -> tuple:
    from . import grad
    from ..ops.creation import zeros_like

    diff = [o for o in outputs if o.requires_grad]
    if not diff:
        gs: tuple = (None,) * len(inputs)
    else:
        gos = None if grad_outputs is None else [g for g, o in zip(grad_outputs, outputs) if o.requires_grad]
        gs = grad(diff, list(inputs), gos, retain_graph=True, create_graph=create_graph, allow_unused=True)
    res = []
    for i, (g, x) in enumerate(zip(gs, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {i}. This is not allowed "
                    "in strict mode."
                )
            g = zeros_like(x)
        res.append(g)
    return tuple(res)


def _nest(values: tuple, single: bool) -> Any:
    return values[0] if single else values


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``; ``v`` may be omitted when the output has one element."""
    single_in = not isinstance(inputs, (tuple, list))
    ins = _prepare(_as_tuple(inputs, "inputs", "vjp"), create_graph)
    with enable_grad():
        out = func(*ins)
        single_out = not isinstance(out, (tuple, list))
        outs = _as_tuple(out, "outputs of the user-provided function", "vjp")
        vs = None if v is None else _as_tuple(v, "v", "vjp")
        if vs is None and any(o.data.size != 1 for o in outs):
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor "
                               "with a single element.")
        gs = _grads(outs, ins, vs, create_graph, strict, "vjp")
    return _nest(_finish(outs, create_graph), single_out), _nest(_finish(gs, create_graph), single_in)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), J v)`` via the double-vjp trick: J v = d/du (u^T J) v."""
    from . import grad
    from ..ops.creation import zeros_like

    single_in = not isinstance(inputs, (tuple, list))
    ins = _prepare(_as_tuple(inputs, "inputs", "jvp"), create_graph)
    vs = _as_tuple(v, "v", "jvp") if v is not None else None
    if vs is None and any(x.data.size != 1 for x in ins):
        raise RuntimeError("The vector v can only be None if the input to the user-provided function is a single "
                           "Tensor with a single element.")
    with enable_grad():
        out = func(*ins)
        single_out = not isinstance(out, (tuple, list))
        outs = _as_tuple(out, "outputs of the user-provided function", "jvp")
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        gs = _grads(outs, ins, us, True, strict, "jvp")
        vs = vs if vs is not None else tuple(zeros_like(x) + 1 for x in ins)
        live = [(g, vv) for g, vv in zip(gs, vs) if g.requires_grad]
        if live:
            jv = grad([g for g, _ in live], list(us), [vv for _, vv in live], create_graph=create_graph,
                      allow_unused=True)
        else:
            jv = (None,) * len(us)
    jv = tuple(zeros_like(o) if j is None else j for j, o in zip(jv, outs))
    return _nest(_finish(outs, create_graph), single_out), _nest(_finish(jv, create_graph), single_out)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """J[i][j] = d out_i / d in_j with shape out_i.shape + in_j.shape (one reverse pass per output element)."""
    from . import grad
    from ..ops.shape import reshape, stack
    from ..tensor import Tensor

    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    single_in = not isinstance(inputs, (tuple, list))
    ins = _prepare(_as_tuple(inputs, "inputs", "jacobian"), create_graph)
    with enable_grad():
        out = func(*ins)
        single_out = not isinstance(out, (tuple, list))
        outs = _as_tuple(out, "outputs of the user-provided function", "jacobian")
        result = []
        for i, o in enumerate(outs):
            rows: list = [[] for _ in ins]
            flat_seed = np.zeros(o.data.size, dtype=o.data.dtype)
            for m in range(o.data.size):
                if o.requires_grad:
                    flat_seed[m] = 1
                    seed = Tensor._make(flat_seed.reshape(o.data.shape).copy())
                    flat_seed[m] = 0
                    gs = grad([o], list(ins), [seed], retain_graph=True, create_graph=create_graph,
                              allow_unused=True)
                else:
                    gs = (None,) * len(ins)
                for k, (g, x) in enumerate(zip(gs, ins)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of input {k}. This is not "
                                "allowed in strict mode."
                            )
                        g = Tensor._make(np.zeros(x.data.shape, x.data.dtype))
                    rows[k].append(g)
            per_in = []
            for k, x in enumerate(ins):
                j = stack(rows[k], 0) if rows[k] else Tensor._make(np.zeros((0,) + x.data.shape, x.data.dtype))
                j = reshape(j, tuple(o.data.shape) + tuple(x.data.shape))
                per_in.append(j if create_graph else j.detach())
            result.append(_nest(tuple(per_in), single_in))
    return _nest(tuple(result), single_out)


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of a scalar function: the Jacobian of its gradient (H[i][j] for tuple inputs)."""
    from . import grad
    from ..ops.creation import zeros_like

    single_in = not isinstance(inputs, (tuple, list))
    ins = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs: Any) -> Any:
        out = func(*xs)
        outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if len(outs) != 1 or outs[0].data.size != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a single element")
        if not outs[0].requires_grad:
            gs: tuple = (None,) * len(xs)
        else:
            gs = grad([outs[0]], list(xs), create_graph=True, allow_unused=True)
        gs = tuple(zeros_like(x) if g is None else g for g, x in zip(gs, xs))
        return _nest(gs, single_in)

    return jacobian(gradient, ins[0] if single_in else ins, create_graph=create_graph, strict=strict)


def _second(func: Callable, inputs: Any, v: Any, create_graph: bool, strict: bool, fn: str) -> tuple:
    from . import grad
    from ..ops.creation import zeros_like

    single_in = not isinstance(inputs, (tuple, list))
    ins = _prepare(_as_tuple(inputs, "inputs", fn), create_graph)
    vs = _as_tuple(v, "v", fn) if v is not None else None
    if vs is None and any(x.data.size != 1 for x in ins):
        raise RuntimeError("The vector v can only be None if the input to the user-provided function is a single "
                           "Tensor with a single element.")
    vs = vs if vs is not None else tuple(zeros_like(x) + 1 for x in ins)
    with enable_grad():
        out = func(*ins)
        outs = _as_tuple(out, "outputs of the user-provided function", fn)
        if len(outs) != 1 or outs[0].data.size != 1:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor with a single element")
        gs = _grads(outs, ins, None, True, strict, fn)
        live = [(g, vv) for g, vv in zip(gs, vs) if g.requires_grad]
        if live:
            hv = grad([g for g, _ in live], list(ins), [vv for _, vv in live], create_graph=create_graph,
                      allow_unused=True)
        else:
            hv = (None,) * len(ins)
    hv = tuple(zeros_like(x) if h is None else h for h, x in zip(hv, ins))
    return _finish(outs, create_graph)[0], _nest(_finish(hv, create_graph), single_in)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T H)`` for a scalar function, by double backward."""
    return _second(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), H v)`` for a scalar function (H is symmetric, so this is ``vhp``)."""
    return _second(func, inputs, v, create_graph, strict, "hvp")


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
