"""nn.functional pooling: max/avg (1d, 2d), adaptive avg/max, max_unpool, with torch's shapes and errors.

Kernels loop over the kh*kw kernel offsets, each a big strided view of the padded input
(``ops.conv.WindowPlan``); nothing loops over pixels. Max pooling keeps, per output, the offset of
the first maximum (torch's tie rule, NaN wins); its backward writes the gradient back through that
offset. (Adaptive average pooling, a separable linear map, lives with interpolation in upsampling.py.)
Every backward is again a Function of the same family, so double backward works.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ...autograd.function import Function
from ...ops.conv import WindowPlan, window_plan
from ...ops.shape import reshape
from ...tensor import Tensor
from .conv import ntuple

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d",
]


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


def max_windows(x: np.ndarray, wp: WindowPlan) -> tuple[np.ndarray, np.ndarray]:
    """Window maxima of (N, C, H, W) and the kernel offset of each (first max; last NaN, like torch)."""
    low = _lowest(x.dtype)
    xp = wp.pad(x, low)
    views = [xp[..., rs, cs] for rs, cs in wp.slices]
    m = views[0].copy()
    for v in views[1:]:
        np.maximum(m, v, out=m)
    idx = np.zeros(m.shape, dtype=np.uint8 if len(views) < 256 else np.int32)
    for k in range(len(views) - 1, -1, -1):  # descending: the first offset holding the max is kept
        np.copyto(idx, k, where=views[k] == m)
    if x.dtype.kind == "f" and np.isnan(m).any():
        for k, v in enumerate(views):
            np.copyto(idx, k, where=np.isnan(v))
    if wp.padded:
        stuck = m == low
        if stuck.any():
            np.copyto(idx, np.broadcast_to(_first_valid_offset(wp), m.shape).astype(idx.dtype), where=stuck)
    return m, idx


def offsets_to_indices(idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
    """Kernel offsets -> torch's indices (flat position h*W + w in the unpadded input plane), int64."""
    (sh, sw), (ph, pw), (dh, dw), (kw, w) = wp.stride, wp.padding, wp.dilation, (wp.kernel[1], wp.hw[1])
    ho, wo = wp.out_hw
    i, j = np.divmod(idx.astype(np.int64), kw)
    rows = np.arange(ho)[:, None] * sh - ph + i * dh
    cols = np.arange(wo)[None, :] * sw - pw + j * dw
    return rows * w + cols


def _scatter_offsets(g: np.ndarray, idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
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
        m, ctx.idx = max_windows(x.data, wp)
        ctx.wp = wp
        if not indices:
            return m
        ctx.set_materialize_grads(False)
        return m, offsets_to_indices(ctx.idx, wp)

    @staticmethod
    def backward(ctx: Function, g: Tensor, *unused: Any) -> tuple:
        return OffsetScatterFn.apply(g, ctx.idx, ctx.wp), None, None


class OffsetScatterFn(Function):
    """Write each window's gradient to the element at its stored kernel offset (adjoint of the gather)."""

    @staticmethod
    def forward(ctx: Function, g: Tensor, idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
        ctx.idx, ctx.wp = idx, wp
        return _scatter_offsets(g.data, idx, wp)

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        return OffsetGatherFn.apply(gg, ctx.idx, ctx.wp), None, None


class OffsetGatherFn(Function):
    """Pick, per window, the element at its stored kernel offset."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, idx: np.ndarray, wp: WindowPlan) -> np.ndarray:
        ctx.idx, ctx.wp = idx, wp
        return _gather_offsets(x.data, idx, wp)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return OffsetScatterFn.apply(g, ctx.idx, ctx.wp), None, None


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


def _to_4d(x: Tensor, nd: int, error: str) -> tuple[Tensor, tuple]:
    """(N, C, H, W) view of a 1-D/2-D pooling input (batched or not) and the output's leading shape."""
    shape = x.data.shape
    if x.data.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in shape[-nd - 1:]):
        raise RuntimeError(error.format(shape=list(shape)))
    lead = shape[:-nd]
    n, c = (1, shape[0]) if x.data.ndim == nd + 1 else shape[:2]
    spatial = shape[-nd:] if nd == 2 else (1,) + shape[-1:]
    return reshape(x, (n, c) + spatial), lead


def _from_4d(y: Tensor, lead: tuple, nd: int) -> Tensor:
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
    x4, lead = _to_4d(x, nd, _MAX_ERR[nd])
    kind = "max1d" if nd == 1 and not return_indices else "max"
    wp = _pool_plan(x4, kernel_size, stride, padding, dilation, ceil_mode, nd, kind)
    if not return_indices:
        return _from_4d(MaxPool2dFn.apply(x4, wp, False), lead, nd)
    y, ind = MaxPool2dFn.apply(x4, wp, True)
    return _from_4d(y, lead, nd), _from_4d(ind, lead, nd)


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
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 1)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = True) -> Any:
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 2)


def _avg_pool(x: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool, count_include_pad: bool,
              divisor_override: int | None, nd: int) -> Tensor:
    err = ("Expected 2 to 3 dimensions, but got {n}-dimensional tensor for argument #1 'self' (while checking "
           "arguments for avg_pool1d)") if nd == 1 else "non-empty 3D or 4D (batch mode) tensor expected for input"
    x4, lead = _to_4d(x, nd, err.replace("{n}", str(x.data.ndim)))
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    wp = _pool_plan(x4, kernel_size, stride, padding, 1, ceil_mode, nd, "avg")
    div = _avg_divisor(wp, bool(count_include_pad), None if divisor_override is None else int(divisor_override))
    return _from_4d(AvgPool2dFn.apply(x4, wp, div), lead, nd)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of (N, C, L) (zero padding counted unless ``count_include_pad=False``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Window sums of (N, C, H, W) divided by the window size (or ``divisor_override``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)




# ----------------------------------------------------------------------------- flat-index ops (adaptive max, unpool)
class IndexScatterFn(Function):
    """(N, C, L) values written (or, with ``accumulate``, summed) at flat positions of (N, C, plane) zeros."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, ind: np.ndarray, plane: int, accumulate: bool) -> np.ndarray:
        ctx.ind = ind
        n, c = ind.shape[:2]
        out = np.zeros((n, c, plane), dtype=x.data.dtype)
        if accumulate:
            base = (np.arange(n * c, dtype=np.int64) * plane).reshape(n, c, 1)
            np.add.at(out.reshape(-1), (ind + base).reshape(-1), x.data.reshape(-1))
        else:
            np.put_along_axis(out, ind, x.data, axis=2)
        return out

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return IndexGatherFn.apply(g, ctx.ind), None, None, None


class IndexGatherFn(Function):
    """out[n, c, l] = x[n, c, ind[n, c, l]] over a flattened plane; backward scatter-adds."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, ind: np.ndarray) -> np.ndarray:
        ctx.ind, ctx.plane = ind, x.data.shape[2]
        return np.take_along_axis(x.data, ind, axis=2)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        return IndexScatterFn.apply(g, ctx.ind, ctx.plane, True), None


def adaptive_rank_error(name: str, x: Tensor, nd: int) -> str:
    if nd == 1:
        return (f"Expected 2 to 3 dimensions, but got {x.data.ndim}-dimensional tensor for argument #1 'self' (while "
                f"checking arguments for {name}1d)")
    sep = ": " if name == "adaptive_max_pool" else " "
    return f"{name}2d(): Expected 3D or 4D tensor, but got{sep}{list(x.shape)}"


def adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Window i covers [floor(i*size/out), ceil((i+1)*size/out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def adaptive_size(output_size: Any, in_size: tuple, nd: int) -> tuple:
    """``output_size`` as an (H, W) pair (1-D: (1, L)); None entries keep the input's size."""
    if not isinstance(output_size, (list, tuple)):
        output_size = (output_size,) * nd
    elif len(output_size) == 1:
        output_size = tuple(output_size) * nd
    if len(output_size) != nd:
        raise ValueError(f"adaptive pool expects an output_size of {nd} values, got {list(output_size)}")
    sizes = tuple(in_size[i] if v is None else int(v) for i, v in enumerate(output_size))
    return sizes if nd == 2 else (1,) + sizes


def _adaptive_max(x: Tensor, output_size: Any, return_indices: bool, nd: int) -> Any:
    if x.data.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in x.data.shape[-nd:]):
        raise RuntimeError(adaptive_rank_error("adaptive_max_pool", x, nd))
    x4, lead = _to_4d(x, nd, "")
    n, c, h, w = x4.data.shape
    ho, wo = adaptive_size(output_size, x.data.shape[-nd:], nd)
    (hs, he), (ws, we) = adaptive_bounds(h, ho), adaptive_bounds(w, wo)
    rows = np.minimum(hs[:, None] + np.arange(int((he - hs).max(initial=1))), he[:, None] - 1)  # (Ho, kh), clipped
    cols = np.minimum(ws[:, None] + np.arange(int((we - ws).max(initial=1))), we[:, None] - 1)
    flat = (rows[:, None, :, None] * w + cols[None, :, None, :]).reshape(ho, wo, -1)  # (Ho, Wo, kh*kw)
    cand = x4.data.reshape(n, c, h * w)[:, :, flat]  # (N, C, Ho, Wo, K): first max wins
    pick = cand.argmax(-1)[..., None]
    if cand.dtype.kind == "f":
        nan = np.isnan(cand)
        if nan.any():  # torch keeps the last NaN of a window
            last = nan.shape[-1] - 1 - nan[..., ::-1].argmax(-1)[..., None]
            pick = np.where(nan.any(-1, keepdims=True), last, pick)
    ind = np.take_along_axis(np.broadcast_to(flat, cand.shape), pick, -1)[..., 0].reshape(n, c, -1)
    y = IndexGatherFn.apply(reshape(x4, (n, c, h * w)), ind)
    out = reshape(y, lead + ((wo,) if nd == 1 else (ho, wo)))
    if not return_indices:
        return out
    return out, Tensor._make(ind.reshape(out.data.shape))


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max over ``output_size`` adaptive windows [floor(i*L/out), ceil((i+1)*L/out)) of (N, C, L)."""
    return _adaptive_max(input, output_size, return_indices, 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max over adaptive windows of (N, C, H, W); ``output_size`` entries may be None (keep that size)."""
    return _adaptive_max(input, output_size, return_indices, 2)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any, return_indices: bool = True) -> Any:  # noqa: A002
    return _adaptive_max(input, output_size, True, 1)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any, return_indices: bool = True) -> Any:  # noqa: A002
    return _adaptive_max(input, output_size, True, 2)


def _max_unpool(x: Tensor, indices: Tensor, kernel_size: Any, stride: Any, padding: Any, output_size: Any,
                nd: int) -> Tensor:
    k = ntuple(kernel_size, nd, "kernel_size")
    s = ntuple(stride if stride not in (None, [], ()) else kernel_size, nd, "stride")
    p = ntuple(padding, nd, "padding")
    in_sp = x.data.shape[-nd:]
    default = tuple((i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(in_sp, s, p, k))
    if output_size is None:
        size = default
    else:
        size = tuple(int(v) for v in (list(output_size)[-nd:] if len(output_size) in (nd + 1, nd + 2) else output_size))
        if len(size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                             f"length of '{len(output_size)}'")
        for d in range(nd):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < size[d] < hi:
                raise ValueError(f'invalid output_size "{tuple(size)}" (dim {d} must be between {lo} and {hi})')
    if tuple(indices.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    plane = int(np.prod(size))
    lead = x.data.shape[:-nd]
    n, c = (1, lead[0]) if len(lead) == 1 else lead
    ind = np.asarray(indices.data, dtype=np.int64).reshape(n, c, -1)
    if ind.size and (ind.min() < 0 or ind.max() >= plane):
        bad = int(ind.max() if ind.max() >= plane else ind.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(str(v) for v in size)}")
    y = IndexScatterFn.apply(reshape(x, (n, c, -1)), ind, plane, False)
    return reshape(y, lead + size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                 output_size: Any = None) -> Tensor:
    """Partial inverse of max_pool1d: values placed at ``indices`` of a zero (N, C, L_out) tensor."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                 output_size: Any = None) -> Tensor:
    """Partial inverse of max_pool2d: values placed at flat ``indices`` of a zero (N, C, H_out, W_out) tensor.

    Default H_out = (H_in - 1)*stride - 2*padding + kernel_size.
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)
