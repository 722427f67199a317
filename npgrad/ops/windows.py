"""Sliding windows over the (H, W) plane of (N, C, H, W) arrays: the shared machinery of pooling,
``F.unfold`` (im2col) and ``F.fold`` (col2im).

``WindowPlan`` (cached per geometry by ``window_plan``) describes windows of a dilated ``kernel``
sliding with ``stride`` over the padded plane: for each of the kh*kw kernel offsets one strided
(Ho, Wo) view of the padded plane holds that offset of every window, so ops loop over kh*kw big
views instead of over pixels. ``unfold_array`` / ``fold_array`` are im2col and its adjoint col2im;
``UnfoldFn`` / ``FoldFn`` are their autograd Functions, each the other's backward.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor

__all__ = ["WindowPlan", "window_plan", "unfold_array", "fold_array", "UnfoldFn", "FoldFn"]


class WindowPlan:
    """Windows of ``kernel`` (dilated) sliding with ``stride`` over a padded ``(H, W)`` plane.

    ``slices[k]`` selects, for kernel offset ``k = i*kw + j``, the ``(Ho, Wo)`` strided view of the
    padded plane holding that offset of every window; ops loop over these kh*kw big views.
    """

    def __init__(self, hw: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple,
                 out_hw: tuple) -> None:
        (h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = hw, kernel, stride, padding, dilation, out_hw
        self.hw, self.kernel, self.stride, self.padding, self.dilation, self.out_hw = (
            hw, kernel, stride, padding, dilation, out_hw)
        self.hp = max(h + 2 * ph, (ho - 1) * sh + (kh - 1) * dh + 1)
        self.wp = max(w + 2 * pw, (wo - 1) * sw + (kw - 1) * dw + 1)
        self.padded = (self.hp, self.wp) != (h, w)
        self.slices = [
            (slice(i * dh, i * dh + (ho - 1) * sh + 1, sh), slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))
            for i in range(kh) for j in range(kw)
        ]
        self.disjoint = sh >= (kh - 1) * dh + 1 and sw >= (kw - 1) * dw + 1  # no element in two windows

    def pad(self, x: np.ndarray, value: Any) -> np.ndarray:
        """``x`` (..., H, W) on the padded (..., Hp, Wp) plane, the border filled with ``value``."""
        if not self.padded:
            return x
        (h, w), (ph, pw) = self.hw, self.padding
        xp = np.full(x.shape[:-2] + (self.hp, self.wp), value, dtype=x.dtype)
        xp[..., ph:ph + h, pw:pw + w] = x
        return xp

    def unpad(self, xp: np.ndarray) -> np.ndarray:
        """The inverse of ``pad``: the (..., H, W) interior of a padded plane (contiguous)."""
        if not self.padded:
            return xp
        (h, w), (ph, pw) = self.hw, self.padding
        return np.ascontiguousarray(xp[..., ph:ph + h, pw:pw + w])

    def zeros_padded(self, lead: tuple, dtype: np.dtype) -> np.ndarray:
        """A zero padded plane of shape ``lead + (Hp, Wp)`` (where adjoints scatter-add windows)."""
        return np.zeros(lead + (self.hp, self.wp), dtype=dtype)


@functools.lru_cache(maxsize=512)
def window_plan(hw: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, out_hw: tuple) -> WindowPlan:
    """The ``WindowPlan`` of one geometry, cached (pooling and unfold reuse it across calls)."""
    return WindowPlan(hw, kernel, stride, padding, dilation, out_hw)


def unfold_array(x: np.ndarray, wp: WindowPlan) -> np.ndarray:
    """im2col: (N, C, H, W) -> (N, C, kh, kw, Ho, Wo), zero padding."""
    xp = wp.pad(x, 0)
    out = np.empty(x.shape[:2] + wp.kernel + wp.out_hw, dtype=x.dtype)
    kw = wp.kernel[1]
    for k, (rs, cs) in enumerate(wp.slices):
        out[:, :, k // kw, k % kw] = xp[..., rs, cs]
    return out


def fold_array(cols: np.ndarray, wp: WindowPlan) -> np.ndarray:
    """col2im, the adjoint of ``unfold_array``: windows summed back onto the (N, C, H, W) plane."""
    gp = wp.zeros_padded(cols.shape[:2], cols.dtype)
    kw = wp.kernel[1]
    for k, (rs, cs) in enumerate(wp.slices):
        gp[..., rs, cs] += cols[:, :, k // kw, k % kw]
    return wp.unpad(gp)


class UnfoldFn(Function):
    """x (N, C, H, W) -> its sliding windows (N, C, kh, kw, Ho, Wo); backward is ``FoldFn``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, wp: WindowPlan) -> np.ndarray:
        ctx.wp = wp
        return unfold_array(x.data, wp)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return FoldFn.apply(g, ctx.wp), None


class FoldFn(Function):
    """Windows (N, C, kh, kw, Ho, Wo) summed onto (N, C, H, W); backward is ``UnfoldFn``."""

    @staticmethod
    def forward(ctx: Function, cols: Tensor, wp: WindowPlan) -> np.ndarray:
        ctx.wp = wp
        return fold_array(cols.data, wp)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return UnfoldFn.apply(g, ctx.wp), None
