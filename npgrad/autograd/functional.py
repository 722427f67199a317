"""Jacobians and Hessians of functions of tensors (``npgrad.autograd.functional``)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """J[i][j] = d out_i / d in_j with shape out_i.shape + in_j.shape (row by row, reverse mode)."""
    from . import grad
    from ..ops.shape import reshape, stack
    from ..tensor import Tensor
    from .grad_mode import enable_grad

    single_in = not isinstance(inputs, (tuple, list))
    ins = tuple(x.detach().requires_grad_(True) if not create_graph or not x.requires_grad else x
                for x in _as_tuple(inputs))
    with enable_grad():
        out = func(*ins)
    single_out = not isinstance(out, (tuple, list))
    outs = _as_tuple(out)
    result = []
    for o in outs:
        rows = [[] for _ in ins]
        for m in range(o.data.size):
            seed = np.zeros(o.data.size, dtype=o.data.dtype)
            seed[m] = 1
            if o.requires_grad:
                gs = grad([o], list(ins), [Tensor._make(seed.reshape(o.data.shape))], retain_graph=True,
                          create_graph=create_graph, allow_unused=True)
            else:
                gs = (None,) * len(ins)
            for k, (g, x) in enumerate(zip(gs, ins)):
                rows[k].append(g if g is not None else Tensor._make(np.zeros(x.data.shape, x.data.dtype)))
        per_in = []
        for k, x in enumerate(ins):
            if rows[k]:
                j = stack(rows[k], 0)
            else:
                j = Tensor._make(np.zeros((0,) + x.data.shape, x.data.dtype))
            per_in.append(reshape(j, tuple(o.shape) + tuple(x.shape)))
        result.append(per_in[0] if single_in else tuple(per_in))
    return result[0] if single_out else tuple(result)


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of a scalar function: the Jacobian of its gradient."""
    from . import grad

    single_in = not isinstance(inputs, (tuple, list))

    def gradient(*xs: Any) -> Any:
        out = func(*xs)
        if out.data.size != 1:
            raise RuntimeError("The function given to hessian should return a single element Tensor")
        gs = grad([out], list(xs), create_graph=True, allow_unused=True)
        from ..ops.creation import zeros_like

        gs = tuple(zeros_like(x) if g is None else g for g, x in zip(gs, xs))
        return gs[0] if single_in else gs

    return jacobian(gradient, inputs, create_graph=create_graph)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    from . import grad
    from .grad_mode import enable_grad

    ins = tuple(x.detach().requires_grad_(True) for x in _as_tuple(inputs))
    with enable_grad():
        out = func(*ins)
    gs = grad(_as_tuple(out), list(ins), None if v is None else _as_tuple(v), create_graph=create_graph, allow_unused=True)
    return out, (gs[0] if not isinstance(inputs, (tuple, list)) else gs)


def hvp(func: Callable, inputs: Any, v: Any, create_graph: bool = False, strict: bool = False) -> tuple:
    """Hessian-vector product by double backward: d/dx <grad f(x), v>."""
    from . import grad
    from .grad_mode import enable_grad

    ins = tuple(x.detach().requires_grad_(True) for x in _as_tuple(inputs))
    vs = _as_tuple(v)
    with enable_grad():
        out = func(*ins)
        gs = grad([out], list(ins), create_graph=True)
        dot = sum((g * vv).sum() for g, vv in zip(gs, vs))
    hv = grad([dot], list(ins), create_graph=create_graph, allow_unused=True)
    return out.detach(), (hv[0] if not isinstance(inputs, (tuple, list)) else hv)
