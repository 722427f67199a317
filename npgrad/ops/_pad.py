"""``pad``: constant, reflect, replicate and circular padding (negative widths crop), with a
differentiable backward: the gradient of padding folds the padded border back onto the elements it
copied (``PadBackward``), and the gradient of that is padding again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..autograd.function import Function

if TYPE_CHECKING:
    from ..tensor import Tensor

_NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _crop_key(widths: tuple, shape: tuple) -> tuple:
    """The part of the input kept after negative widths crop it."""
    return tuple(slice(-a if a < 0 else 0, n + b if b < 0 else n) for (a, b), n in zip(widths, shape))


class Pad(Function):
    """``widths[i] = (before, after)`` for every dim (negative = crop)."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: Function, x: "Tensor", widths: tuple, mode: str, value: float) -> np.ndarray:
        ctx.widths, ctx.mode, ctx.in_shape = widths, mode, x.data.shape
        data = x.data[_crop_key(widths, x.data.shape)]
        pos = tuple((max(a, 0), max(b, 0)) for a, b in widths)
        if mode == "constant":
            return np.pad(data, pos, mode="constant", constant_values=value)
        return np.pad(data, pos, mode=_NP_MODE[mode])

    @staticmethod
    def backward(ctx: Function, grad: "Tensor") -> tuple:
        return PadBackward.apply(grad, ctx.widths, ctx.mode, ctx.in_shape), None, None, None


def _fold_axis(g: np.ndarray, axis: int, a: int, b: int, mode: str) -> np.ndarray:
    """Sum the ``a`` leading / ``b`` trailing padded slices along ``axis`` back onto their sources."""
    m = np.moveaxis(g, axis, 0)
    n = m.shape[0] - a - b
    acc = m[a : a + n].copy()
    left, right = m[:a], m[a + n :]
    if mode == "reflect":
        if a:
            acc[1 : a + 1] += left[::-1]
        if b:
            acc[n - 1 - b : n - 1] += right[::-1]
    elif mode == "replicate":
        if a:
            acc[0] += left.sum(0)
        if b:
            acc[n - 1] += right.sum(0)
    elif mode == "circular":
        if a:
            acc[n - a :] += left
        if b:
            acc[:b] += right
    return np.moveaxis(acc, 0, axis)


class PadBackward(Function):
    """The adjoint of ``Pad``: crop the border (constant) or fold it back (other modes)."""

    node_name = "PadBackwardBackward0"

    @staticmethod
    def forward(ctx: Function, grad: "Tensor", widths: tuple, mode: str, in_shape: tuple) -> np.ndarray:
        ctx.widths, ctx.mode = widths, mode
        g = grad.data
        if mode == "constant":
            g = g[tuple(slice(max(a, 0), g.shape[i] - max(b, 0)) for i, (a, b) in enumerate(widths))]
        else:
            for axis, (a, b) in enumerate(widths):
                if a > 0 or b > 0:
                    g = _fold_axis(g, axis, max(a, 0), max(b, 0), mode)
        out = np.zeros(in_shape, dtype=g.dtype)
        out[_crop_key(widths, in_shape)] = g
        return out

    @staticmethod
    def backward(ctx: Function, gg: "Tensor") -> tuple:
        return Pad.apply(gg, ctx.widths, ctx.mode, 0.0), None, None, None


def pad(x: "Tensor", pad: Sequence[int], mode: str = "constant", value: float | None = None) -> "Tensor":
    """Pad the last ``len(pad) // 2`` dims: ``pad = (last_before, last_after, 2nd_last_before, ...)``."""
    pad = [int(p) for p in pad]
    nd = x.data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but got padding "
            f"length {len(pad)} and input of dimension {nd}"
        )
    if mode not in _NP_MODE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    for axis, (a, b) in enumerate(widths):
        size = x.data.shape[axis]
        if size + a + b < 0 or (size + min(a, 0) + min(b, 0)) < 0:
            raise RuntimeError(
                f"The input size {size}, plus negative padding {min(a, 0)} and {min(b, 0)} resulted in a negative "
                f"output size, which is invalid. Check dimension {axis} of your input."
            )
        if mode == "reflect" and (a >= size or b >= size):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                f"padding ({a}, {b}) at dimension {axis} of input {list(x.data.shape)}"
            )
        kept = size + min(a, 0) + min(b, 0)
        if mode == "circular" and (a > kept or b > kept):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and size == 0 and (a > 0 or b > 0):
            raise RuntimeError(f"Expected a non-empty dimension {axis} to replicate-pad")
    if mode != "constant" and value not in (None, 0, 0.0):
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    return Pad.apply(x, tuple(widths), mode, 0.0 if value is None else value)


__all__ = ["pad", "Pad", "PadBackward"]
