"""nn.functional resampling: interpolate (nearest, nearest-exact, linear, bilinear, area), adaptive average
pooling, pixel_shuffle / pixel_unshuffle.

Every resampling here is separable and linear, ``y = A_h @ x @ A_w^T`` with small per-axis
matrices (interpolation weights, or 1/len averaging windows), computed once per geometry with
torch's source-index formulas and precision (nearest indices in float32, linear weights in the
input's dtype). Forward and backward are then two GEMMs each; the backward is the same op with the
transposed matrices, so it is differentiable again. Nearest modes gather exactly in the forward.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ...autograd.function import Function
from ...ops.shape import permute, reshape
from ...tensor import Tensor
from .pooling import adaptive_bounds, adaptive_rank_error, adaptive_size

__all__ = [
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "pixel_shuffle", "pixel_unshuffle",
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
def _nearest_index(in_size: int, out_size: int, scale: float | None, exact: bool) -> np.ndarray:
    """torch's nearest_idx / nearest-exact source indices (float32 arithmetic, as torch does)."""
    o = np.arange(out_size)
    if not exact and out_size == in_size:
        return o
    if not exact and out_size == 2 * in_size:
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
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        rows = None if nd == 1 else _nearest_index(h, out_hw[0], scales[0], exact)
        cols = _nearest_index(w, out_hw[1], scales[1], exact)
        mh = None if rows is None else _selection(rows, h, dt)
        return SeparableFn.apply(x4, mh, _selection(cols, w, dt), (rows, cols))
    if mode == "area":
        mh = None if nd == 1 else _area_matrix(h, out_hw[0], dt)
        return SeparableFn.apply(x4, mh, _area_matrix(w, out_hw[1], dt), None)
    mh = None if nd == 1 else _linear_matrix(h, out_hw[0], scales[0], align_corners, dt)
    return SeparableFn.apply(x4, mh, _linear_matrix(w, out_hw[1], scales[1], align_corners, dt), None)


def _as_4d(x: Tensor, nd: int) -> Tensor:
    return x if nd == 2 else reshape(x, x.data.shape[:2] + (1,) + x.data.shape[2:])


def _back(y: Tensor, lead: tuple, nd: int) -> Tensor:
    return reshape(y, lead + y.data.shape[4 - nd:])


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
    y = _resample(_as_4d(input, dim), mode, tuple(out), tuple(scales), bool(align_corners), dim)
    return _back(y, input.data.shape[:2], dim)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------- adaptive average pooling
def _adaptive_avg(x: Tensor, output_size: Any, nd: int) -> Tensor:
    if x.data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(adaptive_rank_error("adaptive_avg_pool", x, nd))
    lead = x.data.shape[:-nd]
    n, c = (1, lead[0]) if len(lead) == 1 else lead
    x4 = reshape(x, (n, c) + ((1,) if nd == 1 else ()) + x.data.shape[-nd:])
    out = adaptive_size(output_size, x.data.shape[-nd:], nd)
    if x.data.dtype.kind != "f":
        raise RuntimeError(f'"adaptive_avg_pool{nd}d" not implemented for \'{x.dtype}\'')
    y = _resample(x4, "area", out, (None, None), False, nd)
    return _back(y, lead, nd)


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
