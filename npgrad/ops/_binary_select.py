"""Differentiable element choice between two operands: maximum / minimum / fmax / fmin, where,
masked_fill and lerp (a weighted pick between two ends).

Promotion and operand handling are those of ``_binary_util``; gradients go to the side that was
chosen (split evenly on ties for maximum / minimum, as in torch) and are Tensor ops, so they
differentiate again. Casting a Python number that does not fit the dtype (``float16`` vs ``1e30``)
gives inf silently, as in torch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._binary_util import (
    _BOOL, TORCH_NAMES, _args, _as_tensor, _cast, _const, _data, check_broadcast, prepare, scalar_array, type_name,
    where_array,
)
from ._util import quiet_fp, restore_fp


# ----------------------------------------------------------------------------- maximum / minimum
class MaxMin(Function):
    """maximum/minimum (NaN propagates) and fmax/fmin (NaN ignored).

    maximum: the gradient goes to the larger input and is split in half on ties (torch's rule).
    """

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, op: str) -> np.ndarray:
        token = quiet_fp()
        try:
            ad, bd, _ = prepare(a, b)
            ctx.op = op
            ctx.save_for_backward(a, b)
            return getattr(np, op)(ad, bd)
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        token = quiet_fp()  # a number that overflows the dtype compares as inf, silently
        try:
            wa, wb = MaxMin._weights(ctx.op, grad.data.dtype, *ctx.saved_tensors)
        finally:
            restore_fp(token)
        ga = grad * _const(wa) if ctx.needs_input_grad[0] else None
        gb = grad * _const(wb) if ctx.needs_input_grad[1] else None
        return ga, gb, None

    @staticmethod
    def _weights(op: str, dt: np.dtype, a: Any, b: Any) -> tuple:
        """The share of the gradient each operand gets: 1 / 0.5 (tie) / 0 (NaN gives 1 to both) for
        maximum / minimum, 1 to the kept operand for fmax / fmin."""
        a, b, _ = prepare(a, b)
        if op in ("maximum", "minimum"):
            loses = (a < b) if op == "maximum" else (a > b)
            wins = (a > b) if op == "maximum" else (a < b)
            half_tie = (a == b) * np.asarray(0.5, dt)
            return (~loses) - half_tie, (~wins) - half_tie
        keep_a = ((a >= b) if op == "fmax" else (a <= b)) | np.isnan(b)
        return keep_a.astype(dt), (~keep_a).astype(dt)


def _maxmin_op(name: str, rule: str, grad_rule: str) -> Callable[[Any, Any], Tensor]:
    """The public function ``name(a, b)`` running ``MaxMin`` (maximum, minimum, fmax, fmin)."""
    def op(a: Any, b: Any) -> Tensor:
        if not isinstance(a, Tensor) or isinstance(b, np.ndarray):
            a, b = _as_tensor(a), _args(a, b)[1]
        return MaxMin.apply(a, b, name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""out = {rule}, element-wise.

    Args:
        a, b: Tensors or numbers of broadcastable shapes.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype; the gradient goes to {grad_rule}.
    """
    return op


maximum = _maxmin_op("maximum", "max(a, b); NaN in either operand gives NaN",
                     "the larger operand and is split in half on ties")
minimum = _maxmin_op("minimum", "min(a, b); NaN in either operand gives NaN",
                     "the smaller operand and is split in half on ties")
fmax = _maxmin_op("fmax", "max(a, b) ignoring NaN (NaN only where both are NaN)", "the operand kept")
fmin = _maxmin_op("fmin", "min(a, b) ignoring NaN (NaN only where both are NaN)", "the operand kept")


# ----------------------------------------------------------------------------- lerp
class Lerp(Function):
    """start + weight (end - start), evaluated from the nearer end like torch for accuracy."""

    @staticmethod
    def forward(ctx: Function, start: Tensor, end: Tensor, weight: Any) -> np.ndarray:
        s, e, w = start.data, end.data, _data(weight)
        for name, other in (("end", e), ("weight", w)):
            if isinstance(other, np.ndarray) and other.ndim and other.dtype != s.dtype:
                raise RuntimeError(
                    f"expected dtype {type_name(s.dtype)} for `{name}` but got dtype {type_name(other.dtype)}"
                )
        if isinstance(w, np.ndarray):
            check_broadcast(np.broadcast_shapes(s.shape, e.shape), w.shape)
        else:
            check_broadcast(s.shape, e.shape)
        ctx.save_for_backward(start, end, weight)
        token = quiet_fp()
        try:
            w = _cast(w, s.dtype)
            diff = e - s
            if w.ndim == 0:
                return s + w * diff if abs(w) < 0.5 else e - diff * (1 - w)
            return where_array(np.abs(w) < 0.5, s + w * diff, e - diff * (1 - w))
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        start, end, weight = ctx.saved_tensors
        gs = grad * (1 - weight) if ctx.needs_input_grad[0] else None
        ge = grad * weight if ctx.needs_input_grad[1] else None
        gw = grad * (end - start) if ctx.needs_input_grad[2] else None
        return gs, ge, gw


def lerp(start: Tensor, end: Tensor, weight: Any) -> Tensor:
    """out = start + weight * (end - start) element-wise (linear interpolation).

    Args:
        start, end: Tensors of one dtype and broadcastable shapes.
        weight: a number or a Tensor (of the same dtype when it has dims), broadcastable too.

    Returns:
        A Tensor of the broadcast shape; computed from the nearer end (``end - (end - start)(1 - w)``
        for |w| >= 0.5) for accuracy, as torch does.
    """
    return Lerp.apply(start, end, weight)


# ----------------------------------------------------------------------------- where / masked_fill
class Where(Function):
    """cond ? a : b; the gradient goes to the picked side."""

    @staticmethod
    def forward(ctx: Function, cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
        token = quiet_fp()
        try:
            ad, bd, dt = prepare(a, b)
            ctx.cond = cond
            return where_array(cond, _cast(ad, dt), _cast(bd, dt))
        finally:
            restore_fp(token)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        cond = ctx.cond
        ga = Where.apply(cond, grad, 0.0) if ctx.needs_input_grad[1] else None
        gb = Where.apply(cond, 0.0, grad) if ctx.needs_input_grad[2] else None
        return None, ga, gb


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """out = input where condition else other, element-wise; ``where(cond)`` alone is ``nonzero(cond, as_tuple=True)``.

    Args:
        condition: bool (or uint8) Tensor or array.
        input, other: Tensors or numbers; all three broadcast together.

    Returns:
        A Tensor of the broadcast shape and the promoted dtype of ``input`` and ``other``; the
        gradient goes to the side that was picked. With one argument, a tuple of index tensors.
    """
    cond = _data(condition)
    if input is None and other is None:
        from .index import nonzero

        return nonzero(_as_tensor(condition), as_tuple=True)
    cond = cond if isinstance(cond, np.ndarray) else np.asarray(cond)
    if cond.dtype != _BOOL:
        if cond.dtype != np.uint8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{TORCH_NAMES[cond.dtype]}"
            )
        cond = cond.astype(_BOOL)
    ad, bd = _data(input), _data(other)
    sa, sb = np.shape(ad), np.shape(bd)
    check_broadcast(cond.shape, sa)
    check_broadcast(np.broadcast_shapes(cond.shape, sa), sb)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _as_tensor(input)
    return Where.apply(cond, input, other)


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """out = value where mask else x, element-wise (``mask`` broadcast against ``x``).

    Args:
        x: the Tensor to fill; mask: a bool Tensor or array broadcastable to ``x``'s shape;
        value: a number or a 0-d Tensor, cast to ``x``'s dtype.

    Returns:
        A new Tensor of ``x``'s shape and dtype; the gradient reaches ``x`` where mask is False and
        a Tensor ``value`` where it is True.
    """
    m = _data(mask)
    m = m if isinstance(m, np.ndarray) else np.asarray(m)
    if m.dtype != _BOOL:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {type_name(m.dtype)}"
        )
    if isinstance(value, Tensor):
        if value.data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.data.ndim} dimension(s)."
            )
        value = value.to(x.dtype)
    else:
        token = quiet_fp()
        try:
            value = Tensor._make(scalar_array(value, x.data.dtype))
        finally:
            restore_fp(token)
    check_broadcast(m.shape, x.data.shape)
    return Where.apply(m, value, x)
