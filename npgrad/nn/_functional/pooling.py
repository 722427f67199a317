"""nn.functional pooling: max/avg (1d, 2d), adaptive avg/max, max_unpool, with torch's shapes and errors.

Kernels loop over the kh*kw kernel offsets, each a big strided view of the padded input
(``ops.windows.WindowPlan``); nothing loops over pixels. Max pooling keeps, per output, the offset of
the first maximum (torch's tie rule, NaN wins); its backward writes the gradient back through that
offset. (Adaptive pooling and max-unpooling live with the other resampling ops in upsampling.py.)
Every backward is again a Function of the same family, so double backward works.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ...autograd.function import Function
from ...ops.windows import WindowPlan, window_plan
from ...ops.shape import reshape
from ...tensor import Tensor
from .conv import ntuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d"]


# ----------------------------------------------------------------------------- max pooling
def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


@functools.lru_cache(maxsize=256)
def _first_valid_offset(wp: WindowPlan) -> np.ndarray:
    """(Ho, Wo) offset of each window's first row/column at or past the top/left padding.

    torch reports that element for a window whose values are all -inf (its running max never moves).
    """
    firsts = []
    for n, s, p, d in zip(wp.out_hw, wp.stride, wp.padding, wp.dilation):
        start = np.arange(n) * s - p
        firsts.append(np.where(start < 0, -(start // d), 0))
    return firsts[0][:, None] * wp.kernel[1] + firsts[1][None, :]


def _first_max(planes: list) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise max of equally shaped views and the position of the first maximum (strict >, like torch).

    Plain arithmetic (no masked writes): a later plane can only win with a larger position.
    """
    if len(planes) == 1:
        return planes[0].copy(), np.zeros(planes[0].shape, dtype=np.uint8)
    m = np.maximum(planes[0], planes[1])
    arg = np.greater(planes[1], planes[0]).view(np.uint8)
    if len(planes) > 255:
        arg = arg.astype(np.int32)
    for k in range(2, len(planes)):
        better = np.greater(planes[k], m)
        np.maximum(m, planes[k], out=m)
        np.maximum(arg, better.astype(arg.dtype) * arg.dtype.type(k), out=arg)
    return m, arg


def _axis_slices(wp: WindowPlan) -> tuple[list, list]:
    kh, kw = wp.kernel
    return [wp.slices[i * kw][0] for i in range(kh)], [wp.slices[j][1] for j in range(kw)]


def _max_offsets_exact(xp: np.ndarray, wp: WindowPlan, m: np.ndarray) -> np.ndarray:
    """Offsets by torch's exact loop rule, NaN included: the first strict maximum, or the last NaN."""
    views = [xp[..., rs, cs] for rs, cs in wp.slices]
    idx = np.zeros(m.shape, dtype=np.int32)
    for k in range(len(views) - 1, -1, -1):  # descending: the first offset holding the max is kept
        np.copyto(idx, k, where=views[k] == m)
    for k, v in enumerate(views):
        np.copyto(idx, k, where=np.isnan(v))
    return idx


class MaxChoice:
    """Where each window's maximum sits: row offset ``ih``, column offset ``jsel`` and, for the separable
    backward, the column choice ``jw`` of every padded row (None when the exact offset rule was needed)."""

    __slots__ = ("ih", "jsel", "jw", "kw")

    def __init__(self, ih: np.ndarray, jsel: np.ndarray, jw: np.ndarray | None, kw: int) -> None:
        self.ih, self.jsel, self.jw, self.kw = ih, jsel, jw, kw

    @classmethod
    def from_offsets(cls, idx: np.ndarray, kw: int) -> "MaxChoice":
        ih, jsel = np.divmod(idx, kw)
        return cls(ih, jsel, None, kw)

    @property
    def offsets(self) -> np.ndarray:
        """Kernel offset i*kw + j of each window's maximum (int32)."""
        return self.ih.astype(np.int32) * self.kw + self.jsel


def max_windows(x: np.ndarray, wp: WindowPlan) -> tuple[np.ndarray, MaxChoice]:
    """Window maxima of (N, C, H, W) and where they are (first maximum in row-major order, last NaN).

    Separable: the max over the window's columns for every padded row, then over the window's rows.
    """
    low = _lowest(x.dtype)
    xp = wp.pad(x, low)
    rows, cols = _axis_slices(wp)
    kw = wp.kernel[1]
    mw, jw = _first_max([xp[..., :, cs] for cs in cols])
    m, ih = _first_max([mw[..., rs, :] for rs in rows])
    if len(rows) == 1:
        jsel = jw[..., rows[0], :]
    else:
        jsel = np.multiply(ih == 0, jw[..., rows[0], :])
        for i in range(1, len(rows)):
            jsel += (ih == i) * jw[..., rows[i], :]
    if x.dtype.kind == "f" and not np.isfinite(m.sum()) and np.isnan(m).any():
        return m, MaxChoice.from_offsets(_max_offsets_exact(xp, wp, m), kw)
    if wp.padded:
        stuck = m == low
        if stuck.any():
            idx = MaxChoice(ih, jsel, None, kw).offsets
            np.copyto(idx, np.broadcast_to(_first_valid_offset(wp), m.shape), where=stuck, casting="unsafe")
            return m, MaxChoice.from_offsets(idx, kw)
    return m, MaxChoice(ih, jsel, jw, kw)


def _tiles(size: int, k: int, s: int, d: int, n_out: int) -> tuple[bool, bool]:
    """(windows along this axis are disjoint, they also cover every padded position exactly once)."""
    disjoint = s >= d * (k - 1) + 1
    return disjoint, disjoint and (k == 1 or d == 1) and s == k and n_out * s == size


def _spread(dest: np.ndarray, src: np.ndarray, mask: np.ndarray | None, add: bool) -> None:
    """dest (+)= src where mask (src everywhere when mask is None); multiply by the mask (src is finite)."""
    part = src if mask is None else (src * mask if add else None)
    if add:
        dest += part
    elif mask is None:
        dest[...] = src
    else:
        np.multiply(src, mask, out=dest)


def _scatter_separable(g: np.ndarray, choice: MaxChoice, wp: WindowPlan) -> np.ndarray:
    """Gradient of ``max_windows``: g to each window's chosen row, then to that row's chosen column."""
    (kh, kw), (sh, sw), (dh, dw) = wp.kernel, wp.stride, wp.dilation
    rows, cols = _axis_slices(wp)
    n, c = g.shape[:2]
    disjoint, tiled = _tiles(wp.hp, kh, sh, dh, wp.out_hw[0])
    gh = (np.empty if tiled else np.zeros)((n, c, wp.hp, wp.out_hw[1]), dtype=g.dtype)
    for i, rs in enumerate(rows):
        _spread(gh[..., rs, :], g, None if kh == 1 else choice.ih == i, not disjoint)
    disjoint, tiled = _tiles(wp.wp, kw, sw, dw, wp.out_hw[1])
    gxp = (np.empty if tiled else np.zeros)((n, c, wp.hp, wp.wp), dtype=g.dtype)
    for j, cs in enumerate(cols):
        _spread(gxp[..., :, cs], gh, None if kw == 1 else choice.jw == j, not disjoint)
    return wp.unpad(gxp)


def offsets_to_indices(idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
    """Kernel offsets -> torch's indices (flat position h*W + w in the unpadded input plane), int64."""
    (sh, sw), (ph, pw), (dh, dw), (kw, w) = wp.stride, wp.padding, wp.dilation, (wp.kernel[1], wp.hw[1])
    ho, wo = wp.out_hw
    i, j = np.divmod(idx.astype(np.int64), kw)
    rows = np.arange(ho)[:, None] * sh - ph + i * dh
    cols = np.arange(wo)[None, :] * sw - pw + j * dw
    return rows * w + cols


def _scatter_offsets(g: np.ndarray, idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
    """Gradient to each window's element at kernel offset ``idx`` (exact masked writes)."""
    gp = wp.zeros_padded(g.shape[:2], g.dtype)
    for k, (rs, cs) in enumerate(wp.slices):
        mask = idx == k
        if wp.disjoint:
            np.copyto(gp[..., rs, cs], g, where=mask)
        else:
            gp[..., rs, cs] += g * mask
    return wp.unpad(gp)


def _gather_offsets(x: np.ndarray, idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
    xp = wp.pad(x, 0)
    out = np.zeros(idx.shape, dtype=x.dtype)
    for k, (rs, cs) in enumerate(wp.slices):
        np.copyto(out, xp[..., rs, cs], where=idx == k)
    return out


class MaxPool2dFn(Function):
    """y = max over each window; the gradient flows to the (first) maximum of each window.

    With ``indices`` the op also returns torch's int64 argmax indices (not differentiable).
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, wp: WindowPlan, indices: bool) -> Any:
        m, ctx.choice = max_windows(x.data, wp)
        ctx.wp = wp
        if not indices:
            return m
        ctx.set_materialize_grads(False)
        return m, offsets_to_indices(ctx.choice.offsets, wp)

    @staticmethod
    def backward(ctx: Function, g: Tensor, *unused: Any) -> tuple:
        return MaxScatterFn.apply(g, ctx.choice, ctx.wp), None, None


class MaxScatterFn(Function):
    """Each window's gradient written to its maximum (the adjoint of ``MaxGatherFn``)."""

    @staticmethod
    def forward(ctx: Function, g: Tensor, choice: MaxChoice, wp: WindowPlan) -> np.ndarray:
        ctx.choice, ctx.wp = choice, wp
        if choice.jw is not None and np.isfinite(g.data.sum()):
            return _scatter_separable(g.data, choice, wp)
        return _scatter_offsets(g.data, choice.offsets, wp)

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return MaxGatherFn.apply(gg, ctx.choice, ctx.wp), None, None


class MaxGatherFn(Function):
    """Each window's element at its stored maximum position."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, choice: MaxChoice, wp: WindowPlan) -> np.ndarray:
        ctx.choice, ctx.wp = choice, wp
        return _gather_offsets(x.data, choice.offsets, wp)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return MaxScatterFn.apply(g, ctx.choice, ctx.wp), None, None


# ----------------------------------------------------------------------------- average pooling
def _axis_counts(size: int, k: int, s: int, p: int, out: int, include_pad: bool) -> np.ndarray:
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if not include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


@functools.lru_cache(maxsize=256)
def _avg_divisor(wp: WindowPlan, include_pad: bool, override: int | None) -> Any:
    """The divisor of each window sum: an int, or an (Ho, Wo) array where windows differ."""
    if override is not None:
        return override
    counts = [_axis_counts(n, k, s, p, o, include_pad)
              for n, k, s, p, o in zip(wp.hw, wp.kernel, wp.stride, wp.padding, wp.out_hw)]
    div = counts[0][:, None] * counts[1][None, :]
    return int(div.flat[0]) if div.size and (div == div.flat[0]).all() else div


def _avg_windows(x: np.ndarray, wp: WindowPlan, div: Any) -> np.ndarray:
    xp = wp.pad(x, 0)
    acc_dtype = x.dtype if x.dtype.kind == "f" else np.int64
    out = xp[..., wp.slices[0][0], wp.slices[0][1]].astype(acc_dtype, copy=True)
    for rs, cs in wp.slices[1:]:
        out += xp[..., rs, cs]
    if x.dtype.kind != "f":
        return np.trunc(out / div).astype(x.dtype)
    out /= np.asarray(div, dtype=x.dtype)
    return out


def _avg_adjoint(g: np.ndarray, wp: WindowPlan, div: Any) -> np.ndarray:
    share = g / np.asarray(div, dtype=g.dtype)
    gp = wp.zeros_padded(g.shape[:2], g.dtype)
    for rs, cs in wp.slices:
        if wp.disjoint:
            gp[..., rs, cs] = share
        else:
            gp[..., rs, cs] += share
    return wp.unpad(gp)


class AvgPool2dFn(Function):
    """y = (sum of each window) / divisor; backward spreads g/divisor over the window (``AvgPoolAdjointFn``)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, wp: WindowPlan, div: Any) -> np.ndarray:
        ctx.wp, ctx.div = wp, div
        return _avg_windows(x.data, wp, div)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return AvgPoolAdjointFn.apply(g, ctx.wp, ctx.div), None, None


class AvgPoolAdjointFn(Function):
    @staticmethod
    def forward(ctx: Function, g: Tensor, wp: WindowPlan, div: Any) -> np.ndarray:
        ctx.wp, ctx.div = wp, div
        return _avg_adjoint(g.data, wp, div)

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return AvgPool2dFn.apply(gg, ctx.wp, ctx.div), None, None


# ----------------------------------------------------------------------------- argument handling
def pool_out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: floor (or ceil) division; a ceil window must start inside input+pad."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def as_4d(x: Tensor, nd: int, error: str | None = None) -> tuple[Tensor, tuple]:
    """(N, C, H, W) view of a 1-D/2-D input (batched or not; 1-D gets H = 1) and the output's leading shape.

    With ``error``, a wrong rank or an empty non-batch dim raises RuntimeError(error).
    """
    shape = x.data.shape
    if error is not None and (x.data.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in shape[-nd - 1:])):
        raise RuntimeError(error.format(shape=list(shape)))
    lead = shape[:-nd]
    n, c = (1, shape[0]) if x.data.ndim == nd + 1 else shape[:2]
    spatial = shape[-nd:] if nd == 2 else (1,) + shape[-1:]
    return reshape(x, (n, c) + spatial), lead


def from_4d(y: Tensor, lead: tuple, nd: int) -> Tensor:
    """Undo ``as_4d``: the leading shape back in front of the 1 or 2 spatial dims."""
    return reshape(y, lead + y.data.shape[4 - nd:])


def _pool_plan(x4: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
               nd: int, kind: str) -> WindowPlan:
    """Checked window geometry; ``kind`` selects torch's messages: 'max', 'max1d' (no indices) or 'avg'."""
    def expand(v: Any, name: str, fill: int) -> tuple:
        t = ntuple(v, nd, name)
        return t if nd == 2 else (fill,) + t

    k = expand(kernel_size, "kernel_size", 1)
    s = expand(stride if stride not in (None, [], ()) else kernel_size, "stride", 1)
    p, d = expand(padding, "padding", 0), expand(dilation, "dilation", 1)
    if kind == "max1d":
        for v, what in ((k[1], "kernel_size"), (s[1], "stride")):
            if v <= 0:
                raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {v}")
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}")
    if kind == "max1d":
        if p[1] > k[1] // 2 or p[1] < 0:
            raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p[1]} "
                               f"and kernel_size={k[1]}")
    for kk, pp, dd in zip(k, p, d):
        if pp > (dd * (kk - 1) + 1) // 2 or pp < 0:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    if kind == "max" and (p[1] > k[1] // 2 or p[0] > k[0] // 2):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {p[1]}, "
                           f"padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
    c, h, w = x4.data.shape[1:]
    out = tuple(pool_out_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip((h, w), k, s, p, d))
    if any(o <= 0 for o in out):
        if kind == "max1d":
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {out[1]}")
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out[0]}x{out[1]}). Output size is too small"
        )
    return window_plan((h, w), k, s, p, d, out)


_MAX_ERR = {2: "non-empty 3D or 4D (batch mode) tensor expected for input",
            1: "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:{shape}"}


def _max_pool(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
              return_indices: bool, nd: int) -> Any:
    x4, lead = as_4d(x, nd, _MAX_ERR[nd])
    kind = "max1d" if nd == 1 and not return_indices else "max"
    wp = _pool_plan(x4, kernel_size, stride, padding, dilation, ceil_mode, nd, kind)
    if not return_indices:
        return from_4d(MaxPool2dFn.apply(x4, wp, False), lead, nd)
    y, ind = MaxPool2dFn.apply(x4, wp, True)
    return from_4d(y, lead, nd), from_4d(ind, lead, nd)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding windows of (N, C, L); with ``return_indices`` also the argmax positions in L."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding (dilated) windows of (N, C, H, W), padding with -inf; indices are flat h*W + w."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = True) -> Any:
    """:func:`max_pool1d` that always returns ``(output, indices)``.

    ``input`` is (N, C, L) or (C, L); ``output`` and ``indices`` are (N, C, L_out) with
    L_out = floor((L + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1 (ceil with ``ceil_mode``),
    ``indices`` (int64) holding the position in L of each window's maximum (``return_indices`` is ignored).
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 1)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = True) -> Any:
    """:func:`max_pool2d` that always returns ``(output, indices)``.

    ``input`` is (N, C, H, W) or (C, H, W); ``output`` and ``indices`` are (N, C, H_out, W_out), each output
    size computed per axis as in :func:`max_pool1d_with_indices`. ``indices`` (int64) hold each window
    maximum's flat position h * W + w in the unpadded input plane, the form :func:`max_unpool2d` takes
    (``return_indices`` is ignored).
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 2)


def _avg_pool(x: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool, count_include_pad: bool,
              divisor_override: int | None, nd: int) -> Tensor:
    err = ("Expected 2 to 3 dimensions, but got {n}-dimensional tensor for argument #1 'self' (while checking "
           "arguments for avg_pool1d)") if nd == 1 else "non-empty 3D or 4D (batch mode) tensor expected for input"
    x4, lead = as_4d(x, nd, err.replace("{n}", str(x.data.ndim)))
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    wp = _pool_plan(x4, kernel_size, stride, padding, 1, ceil_mode, nd, "avg")
    div = _avg_divisor(wp, bool(count_include_pad), None if divisor_override is None else int(divisor_override))
    return from_4d(AvgPool2dFn.apply(x4, wp, div), lead, nd)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of (N, C, L) (zero padding counted unless ``count_include_pad=False``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Window sums of (N, C, H, W) divided by the window size (or ``divisor_override``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)
