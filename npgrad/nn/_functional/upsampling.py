"""nn.functional resampling: interpolate (nearest, nearest-exact, linear, bilinear, area), adaptive average and
max pooling, max_unpool, pixel_shuffle / pixel_unshuffle.

Every resampling here is separable and linear, ``y = A_h @ x @ A_w^T`` with small per-axis
matrices (interpolation weights, or 1/len averaging windows), computed once per geometry with
torch's source-index formulas and precision (nearest indices in float32, linear weights in the
input's dtype). Forward and backward are then two GEMMs each; the backward is the same op with the
transposed matrices, so it is differentiable again. Nearest modes gather exactly in the forward.
Adaptive max pooling and max_unpool gather / scatter through flat per-plane indices.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ...autograd.function import Function
from ...ops.shape import permute, reshape
from ...tensor import Tensor
from .conv import ntuple
from .pooling import as_4d, from_4d

__all__ = [
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "max_unpool1d", "max_unpool2d", "pixel_shuffle", "pixel_unshuffle",
]


# ----------------------------------------------------------------------------- the separable linear map
def _apply(x: np.ndarray, mh: np.ndarray | None, mw: np.ndarray) -> np.ndarray:
    """mh @ x @ mw^T over the last two axes of (N, C, H, W) as two flat GEMMs (mh None: identity)."""
    n, c, h, w = x.shape
    t = np.matmul(x.reshape(-1, w), mw.T).reshape(n * c, h, mw.shape[0])
    if mh is None:
        return t.reshape(n, c, h, mw.shape[0])
    wo, ho = t.shape[2], mh.shape[0]
    y = np.matmul(t.swapaxes(1, 2).reshape(-1, h), mh.T)  # (N*C*Wo, Ho)
    return np.ascontiguousarray(y.reshape(n, c, wo, ho).swapaxes(2, 3))


class SeparableFn(Function):
    """y = A_h @ x @ A_w^T per plane; with ``take`` = (rows, cols) the forward is that exact gather."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, mh: np.ndarray | None, mw: np.ndarray, take: tuple | None) -> np.ndarray:
        ctx.mh, ctx.mw = mh, mw
        if take is not None:
            rows, cols = take
            out = x.data if rows is None else np.take(x.data, rows, axis=2)
            return np.take(out, cols, axis=3)
        return _apply(x.data, mh, mw)

    @staticmethod
    def backward(ctx: Function, g: Tensor) -> tuple:
        mh = None if ctx.mh is None else np.ascontiguousarray(ctx.mh.T)
        return SeparableFn.apply(g, mh, np.ascontiguousarray(ctx.mw.T), None), None, None, None


def _selection(index: np.ndarray, size: int, dtype: np.dtype) -> np.ndarray:
    m = np.zeros((len(index), size), dtype=dtype)
    m[np.arange(len(index)), index] = 1
    return m


@functools.lru_cache(maxsize=256)
def _nearest_index(in_size: int, out_size: int, scale: float | None, exact: bool, shortcuts: bool) -> np.ndarray:
    """torch's nearest_idx / nearest-exact source indices (float32 arithmetic, as torch does).

    ``shortcuts``: torch's 2-D nearest kernel copies a dim whose size is unchanged and halves the
    index of a doubled one, whatever the scale_factor; 1-D nearest and nearest-exact do not."""
    o = np.arange(out_size)
    if shortcuts and out_size == in_size:
        return o
    if shortcuts and out_size == 2 * in_size:
        return o >> 1
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(in_size) / np.float32(out_size)
    src = (o.astype(np.float32) + np.float32(0.5)) * s if exact else o.astype(np.float32) * s
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)


@functools.lru_cache(maxsize=256)
def _linear_matrix(in_size: int, out_size: int, scale: float | None, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """(out, in) linear-interpolation weights with torch's area_pixel_compute_source_index, in ``dtype``."""
    ft = dtype.type
    if align_corners:
        s = ft(in_size - 1) / ft(out_size - 1) if out_size > 1 else ft(0)
        src = np.arange(out_size, dtype=dtype) * s
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(in_size) / ft(out_size)
        src = np.maximum(s * (np.arange(out_size, dtype=dtype) + ft(0.5)) - ft(0.5), ft(0))
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < in_size - 1)
    l1 = src - i0.astype(dtype)
    m = np.zeros((out_size, in_size), dtype=dtype)
    rows = np.arange(out_size)
    np.add.at(m, (rows, i0), ft(1) - l1)
    np.add.at(m, (rows, i1), l1)
    return m


@functools.lru_cache(maxsize=256)
def _area_matrix(in_size: int, out_size: int, dtype: np.dtype) -> np.ndarray:
    """(out, in) adaptive-average weights: 1/len over [floor(i*in/out), ceil((i+1)*in/out))."""
    start, end = adaptive_bounds(in_size, out_size)
    cols = np.arange(in_size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _resample(x4: Tensor, mode: str, out_hw: tuple, scales: tuple, align_corners: bool, nd: int) -> Tensor:
    """Resample the (N, C, H, W) tensor (H == 1 for 1-D) to ``out_hw`` with ``mode``."""
    (h, w), dt = x4.data.shape[2:], x4.data.dtype
    if mode in ("linear", "bilinear"):  # torch copies a dim whose size is unchanged, whatever the scale_factor
        scales = tuple(None if o == i else s for o, i, s in zip(out_hw, (h, w), scales))
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        shortcuts = mode == "nearest" and nd == 2
        rows = None if nd == 1 else _nearest_index(h, out_hw[0], scales[0], exact, shortcuts)
        cols = _nearest_index(w, out_hw[1], scales[1], exact, shortcuts)
        mh = None if rows is None else _selection(rows, h, dt)
        return SeparableFn.apply(x4, mh, _selection(cols, w, dt), (rows, cols))
    if mode == "area":
        mh = None if nd == 1 else _area_matrix(h, out_hw[0], dt)
        return SeparableFn.apply(x4, mh, _area_matrix(w, out_hw[1], dt), None)
    mh = None if nd == 1 else _linear_matrix(h, out_hw[0], scales[0], align_corners, dt)
    return SeparableFn.apply(x4, mh, _linear_matrix(w, out_hw[1], scales[1], align_corners, dt), None)


# ----------------------------------------------------------------------------- interpolate
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor`` (out = floor(in * scale)).

    Modes: nearest, nearest-exact, linear (3-D input), bilinear (4-D input; ``align_corners``), area.
    """
    dim = input.data.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales: list = [None] * max(dim, 0)
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    f"Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input tensor in "
                    f"(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
                )
            out = [int(s) for s in size]
        else:
            out = [int(size)] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    f"Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. Please "
                    f"provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out = [math.floor(float(n) * s) for n, s in zip(input.data.shape[2:], scales)]
        if recompute_scale_factor or mode == "area":
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("Anti-alias option is not implemented in npgrad's interpolate")
    needs = {"linear": 1, "bilinear": 2}
    if mode not in ("nearest", "nearest-exact", "area", "linear", "bilinear") or dim not in (1, 2):
        if mode in _MODES and dim in (1, 2, 3):
            raise NotImplementedError(f"Got {dim + 2}D input, but {mode} mode is not implemented in npgrad")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.data.ndim}D) for the modes: nearest | "
            f"linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})"
        )
    if mode in needs and needs[mode] != dim:
        raise NotImplementedError(f"Got {dim + 2}D input, but {mode} mode needs {needs[mode] + 2}D input")
    if mode != "area" and any(o <= 0 for o in out):
        names = ("H", "W")[2 - dim:]
        ins = ", ".join(f"{a}: {b}" for a, b in zip(names, input.data.shape[2:]))
        outs = ", ".join(f"{a}: {b}" for a, b in zip(names, out))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}) output ({outs})")
    if dim == 1:
        out, scales = [1] + out, [None] + scales
    x4, lead = as_4d(input, dim)
    return from_4d(_resample(x4, mode, tuple(out), tuple(scales), bool(align_corners), dim), lead, dim)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated: ``interpolate(input, size, scale_factor, mode="nearest")``.

    ``input`` is (N, C, L) or (N, C, H, W); each output element copies the input element at
    floor(out_index * in_size / out_size) (the ratio is 1 / scale_factor when that is given). Give
    exactly one of ``size`` and ``scale_factor``.
    """
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated: ``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)``.

    ``input`` is (N, C, H, W); the corner pixels of input and output are aligned, so output pixel i
    samples input position i * (in_size - 1) / (out_size - 1), interpolated linearly along H and W.
    """
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


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
    x4, lead = as_4d(x, nd)
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
    """:func:`adaptive_max_pool1d` that always returns ``(output, indices)``.

    ``input`` is (N, C, L) or (C, L); window i covers [floor(i*L/out), ceil((i+1)*L/out)).
    ``output`` and the int64 ``indices`` (position in L of each maximum) are (N, C, out).
    """
    return _adaptive_max(input, output_size, True, 1)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any, return_indices: bool = True) -> Any:  # noqa: A002
    """:func:`adaptive_max_pool2d` that always returns ``(output, indices)``.

    ``input`` is (N, C, H, W) or (C, H, W); ``output_size`` is an int or an (H_out, W_out) pair (None keeps
    that size). ``output`` and the int64 ``indices`` (flat position h * W + w of each maximum in the
    input plane) are (N, C, H_out, W_out).
    """
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


# ----------------------------------------------------------------------------- adaptive average pooling
def _adaptive_avg(x: Tensor, output_size: Any, nd: int) -> Tensor:
    if x.data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(adaptive_rank_error("adaptive_avg_pool", x, nd))
    x4, lead = as_4d(x, nd)
    out = adaptive_size(output_size, x.data.shape[-nd:], nd)
    if x.data.dtype.kind != "f":
        raise RuntimeError(f'"adaptive_avg_pool{nd}d" not implemented for \'{x.dtype}\'')
    return from_4d(_resample(x4, "area", out, (None, None), False, nd), lead, nd)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Mean over ``output_size`` adaptive windows [floor(i*L/out), ceil((i+1)*L/out)) of (N, C, L)."""
    return _adaptive_avg(input, output_size, 1)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Mean over adaptive windows of (N, C, H, W); ``output_size`` entries may be None (keep that size)."""
    return _adaptive_avg(input, output_size, 2)


# ----------------------------------------------------------------------------- pixel shuffle
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): out[c, h*r + i, w*r + j] = in[c*r*r + i*r + j, h, w]."""
    r = int(upscale_factor)
    if input.data.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.data.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.data.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    x = reshape(input, tuple(lead) + (c // (r * r), r, r, h, w))
    x = permute(x, tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return reshape(x, tuple(lead) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), the inverse of ``pixel_shuffle``."""
    r = int(downscale_factor)
    if input.data.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.data.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.data.shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={h} "
                           f"is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={w} "
                           f"is not divisible by {r}")
    k = len(lead)
    x = reshape(input, tuple(lead) + (c, h // r, r, w // r, r))
    x = permute(x, tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return reshape(x, tuple(lead) + (c * r * r, h // r, w // r))
