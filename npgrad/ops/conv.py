"""Convolution kernels: 2-D convolution, its two adjoints and their autograd Functions.

Layout ("flat shifted GEMM"). The input is rewritten once into a channel-major buffer ``(C, L)``
in which each sample is a zero-framed ``(Hq, Wq)`` grid, flattened, and samples follow each other.
On that grid, kernel tap ``(i, j)`` is a constant *shift* ``s_ij`` of the flat index, so

    y[:, q] = sum_ij  W[:, :, i, j] @ buf[:, q + s_ij]           (one GEMM per tap, no im2col)

with every ``buf[:, s:s + M]`` a plain strided view that BLAS reads in place. The frame is shared
between neighbours (a row's right padding is the next row's left padding), so the wasted output
positions (ho >= Ho or wo >= Wo, dropped at the end) stay few. A stride ``s`` is handled by
splitting the padded input into ``s*s`` phase grids (polyphase): tap ``i*d`` reads phase
``i*d % s`` at offset ``i*d // s``, so every conv becomes shifted stride-1 GEMMs over one buffer.

The adjoints use the same shifts: the weight gradient is ``dW_ij = gy_grid @ buf[:, s_ij:+M].T``
and the input gradient (= transposed convolution) is ``dbuf[:, p] = sum_ij W_ij.T @ gy[:, p - s_ij]``.
1x1 convolutions without padding skip the buffer: they are one batched GEMM in NCHW.

Autograd: ``Conv2dFn`` (y = x * w), ``ConvTranspose2dFn`` (its input adjoint) and ``ConvWeightFn``
(its weight adjoint) differentiate into each other, so gradients of any order work.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .shape import reshape, sum_to


# ----------------------------------------------------------------------------- geometry
def conv_out_size(size: int, k: int, s: int, p_lo: int, p_hi: int, d: int) -> int:
    """Output length of a convolution: floor((size + p_lo + p_hi - d*(k-1) - 1) / s) + 1."""
    return (size + p_lo + p_hi - d * (k - 1) - 1) // s + 1


def _axis_plan(size: int, k: int, s: int, p_lo: int, d: int, out: int) -> tuple:
    """Per spatial axis: rows needed ``U``, taps ``[(phase, offset)]`` and per phase ``(u0, n, first)``.

    Phase ``a`` holds padded positions ``s*u + a``; its data (non-padding) rows are ``u0 <= u < u0 + n``,
    the first of which is input row ``first``. Rows past ``U`` are never read and are dropped.
    """
    taps = [((i * d) % s, (i * d) // s) for i in range(k)]
    big = out + max(q for _, q in taps)
    phases = {}
    for a in sorted({a for a, _ in taps}):
        u0 = min(max(0, -((a - p_lo) // s)), big)
        u1 = min(max(u0, -((a - p_lo - size) // s)), big)
        phases[a] = (u0, u1 - u0, s * u0 + a - p_lo)
    return big, taps, phases


class ConvPlan:
    """Everything shape-dependent about one convolution, computed once per geometry (cached)."""

    def __init__(self, xshape: tuple, wshape: tuple, stride: tuple, padding: tuple, dilation: tuple,
                 groups: int) -> None:
        n, c, h, w = xshape
        o, cg, kh, kw = wshape
        (sh, sw), (pt, pb, pl, pr), (dh, dw) = stride, padding, dilation
        self.xshape, self.wshape, self.groups = tuple(xshape), tuple(wshape), groups
        self.ho, self.wo = conv_out_size(h, kh, sh, pt, pb, dh), conv_out_size(w, kw, sw, pl, pr, dw)
        self.yshape = (n, o, self.ho, self.wo)
        self.kk = kh * kw
        self.pointwise = kh == kw == 1 and not any(padding)
        self.stride = (sh, sw)
        # few input channels per group: one GEMM over explicit columns beats kh*kw thin GEMMs
        self.im2col = cg <= 4 or 2 * cg <= o // groups
        if self.pointwise:
            return
        ubig, rtaps, rph = _axis_plan(h, kh, sh, pt, dh, self.ho)
        vbig, ctaps, cph = _axis_plan(w, kw, sw, pl, dw, self.wo)
        hq = max([self.ho] + [u0 + nu for u0, nu, _ in rph.values()] + [ubig - u0 for u0, _, _ in rph.values()])
        wq = max([self.wo] + [v0 + nv for v0, nv, _ in cph.values()] + [vbig - v0 for v0, _, _ in cph.values()])
        self.hq, self.wq, self.m = hq, wq, n * hq * wq
        # phases laid out one after another, each preceded by the zeros its first reads may reach
        self.phases: list = []  # (base, (h0, nu), (w0, nv))
        base_of, start = {}, 0
        for a, (u0, nu, h0) in rph.items():
            for b, (v0, nv, w0) in cph.items():
                base = start + u0 * wq + v0
                base_of[a, b] = (base, u0, v0)
                self.phases.append((base, (h0, nu), (w0, nv)))
                start = base + self.m
        self.shifts, self.tap_phase = [], []
        for a, qi in rtaps:
            for b, qj in ctaps:
                base, u0, v0 = base_of[a, b]
                self.shifts.append(base + (qi - u0) * wq + (qj - v0))
                self.tap_phase.append(list(base_of).index((a, b)))
        self.xlen = max(start, max(self.shifts) + self.m)
        # input adjoint: phase p's data at buffer position base + r reads gy at r + base - s_k
        rel = [self.phases[p][0] - s for s, p in zip(self.shifts, self.tap_phase)]
        self.gfront, gtail = max(0, -min(rel)), max(0, max(rel))
        self.glen = self.gfront + self.m + gtail
        self.covers = sum(v[1] for v in rph.values()) == h and sum(v[1] for v in cph.values()) == w


@functools.lru_cache(maxsize=512)
def conv_plan(xshape: tuple, wshape: tuple, stride: tuple, padding: tuple, dilation: tuple, groups: int) -> ConvPlan:
    return ConvPlan(xshape, wshape, stride, padding, dilation, groups)


# ----------------------------------------------------------------------------- buffers
def input_buffer(x: np.ndarray, plan: ConvPlan) -> np.ndarray:
    """The ``(C, L)`` zero-framed polyphase buffer of ``x`` (N, C, H, W)."""
    n, c = x.shape[:2]
    sh, sw = plan.stride
    buf = np.zeros((c, plan.xlen), dtype=x.dtype)
    for base, (h0, nu), (w0, nv) in plan.phases:
        if nu and nv:
            grid = buf[:, base:base + plan.m].reshape(c, n, plan.hq, plan.wq)
            grid[:, :, :nu, :nv] = x[:, :, h0:h0 + sh * (nu - 1) + 1:sh, w0:w0 + sw * (nv - 1) + 1:sw].transpose(1, 0, 2, 3)
    return buf


def grad_buffer(gy: np.ndarray, plan: ConvPlan) -> np.ndarray:
    """``gy`` (N, O, Ho, Wo) on the output grid, ``(O, glen)`` with zero margins for the input adjoint."""
    n, o = gy.shape[:2]
    buf = np.zeros((o, plan.glen), dtype=gy.dtype)
    grid = buf[:, plan.gfront:plan.gfront + plan.m].reshape(o, n, plan.hq, plan.wq)
    grid[:, :, :plan.ho, :plan.wo] = gy.transpose(1, 0, 2, 3)
    return buf


def prepare_input(x: np.ndarray, plan: ConvPlan) -> np.ndarray | None:
    """What forward and weight gradient read: the buffer, or its columns (kk*Cg rows) in im2col mode."""
    if plan.pointwise:
        return None
    buf = input_buffer(x, plan)
    if not plan.im2col:
        return buf
    g, c = plan.groups, x.shape[1]
    src = buf.reshape(g, c // g, -1)
    cols = np.empty((g, plan.kk, c // g, plan.m), dtype=buf.dtype)
    for k, s in enumerate(plan.shifts):
        cols[:, k] = src[:, :, s:s + plan.m]
    return cols.reshape(plan.kk * c, plan.m) if g == 1 else cols.reshape(g, -1, plan.m)


def _grouped(a: np.ndarray, groups: int) -> np.ndarray:
    return a if groups == 1 else a.reshape(groups, a.shape[0] // groups, a.shape[1])


def _tap_weights(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, Cg, kh, kw) -> (kh*kw, [groups,] O/g, Cg), one contiguous matrix per tap."""
    o, cg = w.shape[:2]
    taps = w.reshape(o, cg, -1).transpose(2, 0, 1)
    if groups > 1:
        taps = taps.reshape(taps.shape[0], groups, o // groups, cg)
    return np.ascontiguousarray(taps)


def _column_weights(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, Cg, kh, kw) -> ([groups,] O/g, kh*kw*Cg), matching the row order of the columns."""
    o, cg = w.shape[:2]
    cw = w.reshape(groups, o // groups, cg, -1).transpose(0, 1, 3, 2).reshape(groups, o // groups, -1)
    return cw[0] if groups == 1 else cw


def _shifted_gemm(mats: Any, src: np.ndarray, offsets: list, m: int) -> np.ndarray:
    """sum_k mats[k] @ src[..., off_k:off_k + m] (BLAS reads each shifted view in place)."""
    out = np.matmul(mats[0], src[..., offsets[0]:offsets[0] + m])
    tmp = np.empty_like(out)
    for k in range(1, len(offsets)):
        np.matmul(mats[k], src[..., offsets[k]:offsets[k] + m], out=tmp)
        out += tmp
    return out


def _pointwise_input(x: np.ndarray, plan: ConvPlan) -> np.ndarray:
    """1x1 conv input as (N, [g,] Cg, Ho*Wo) (a strided 1x1 conv subsamples first)."""
    sh, sw = plan.stride
    if sh != 1 or sw != 1:
        x = x[:, :, ::sh, ::sw][:, :, :plan.ho, :plan.wo]
    n, c = x.shape[:2]
    g = plan.groups
    shape = (n, c, -1) if g == 1 else (n, g, c // g, -1)
    return x.reshape(shape)


# ----------------------------------------------------------------------------- kernels
def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, plan: ConvPlan,
                 prepared: np.ndarray | None = None) -> np.ndarray:
    """y[n, o] = b[o] + sum_{c, i, j} w[o, c, i, j] * x_padded[n, g(o)*Cg + c, s*ho + d*i, s*wo + d*j]."""
    n, o, ho, wo = plan.yshape
    g = plan.groups
    if plan.pointwise:
        wm = w.reshape(o, -1) if g == 1 else w.reshape(g, o // g, -1)
        y = np.matmul(wm, _pointwise_input(x, plan)).reshape(plan.yshape)
        if b is not None:
            y += b.reshape(1, o, 1, 1)
        return y
    if prepared is None:
        prepared = prepare_input(x, plan)
    if plan.im2col:
        grid = np.matmul(_column_weights(w, g), prepared)
    else:
        grid = _shifted_gemm(_tap_weights(w, g), _grouped(prepared, g), plan.shifts, plan.m)
    grid = grid.reshape(o, n, plan.hq, plan.wq)[:, :, :ho, :wo].transpose(1, 0, 2, 3)
    y = np.empty(plan.yshape, dtype=grid.dtype)
    if b is None:
        np.copyto(y, grid)
    else:
        np.add(grid, b.reshape(1, o, 1, 1), out=y)
    return y


def conv_input_grad(gy: np.ndarray, w: np.ndarray, plan: ConvPlan, gbuf: np.ndarray | None = None) -> np.ndarray:
    """The adjoint of ``conv_forward`` in x (= transposed convolution of ``gy`` with ``w``)."""
    n, c, h, wd = plan.xshape
    g, o = plan.groups, plan.wshape[0]
    if plan.pointwise:
        wm = w.reshape(o, -1) if g == 1 else w.reshape(g, o // g, -1)
        gyv = gy.reshape(n, o, -1) if g == 1 else gy.reshape(n, g, o // g, -1)
        dxs = np.matmul(wm.swapaxes(-1, -2), gyv).reshape(n, c, plan.ho, plan.wo)
        sh, sw = plan.stride
        if sh == sw == 1 and (plan.ho, plan.wo) == (h, wd):
            return dxs
        dx = np.zeros(plan.xshape, dtype=dxs.dtype)
        dx[:, :, ::sh, ::sw][:, :, :plan.ho, :plan.wo] = dxs
        return dx
    if gbuf is None:
        gbuf = grad_buffer(gy, plan)
    taps_t = _tap_weights(w, g).swapaxes(-1, -2)
    src = _grouped(gbuf, g)
    sh, sw = plan.stride
    dx = (np.empty if plan.covers else np.zeros)(plan.xshape, dtype=gbuf.dtype)
    for p, (base, (h0, nu), (w0, nv)) in enumerate(plan.phases):
        ks = [k for k, tp in enumerate(plan.tap_phase) if tp == p]
        if not (nu and nv and ks):
            continue
        offs = [plan.gfront + base - plan.shifts[k] for k in ks]
        grid = _shifted_gemm(taps_t[ks], src, offs, plan.m).reshape(c, n, plan.hq, plan.wq)
        dx[:, :, h0:h0 + sh * (nu - 1) + 1:sh, w0:w0 + sw * (nv - 1) + 1:sw] = grid[:, :, :nu, :nv].transpose(1, 0, 2, 3)
    return dx


def conv_weight_grad(x: np.ndarray, gy: np.ndarray, plan: ConvPlan, prepared: np.ndarray | None = None,
                     gbuf: np.ndarray | None = None) -> np.ndarray:
    """The adjoint of ``conv_forward`` in w: dw[o, c, i, j] = sum_{n, ho, wo} gy[n, o, ho, wo] * x_window."""
    o, cg, kh, kw = plan.wshape
    g = plan.groups
    if plan.pointwise:
        n = gy.shape[0]
        gyv = gy.reshape(n, o, -1) if g == 1 else gy.reshape(n, g, o // g, -1)
        xv = _pointwise_input(x, plan)
        return np.matmul(gyv, xv.swapaxes(-1, -2)).sum(0).reshape(plan.wshape)
    if prepared is None:
        prepared = prepare_input(x, plan)
    if gbuf is None:
        gbuf = grad_buffer(gy, plan)
    gyg = _grouped(gbuf, g)[..., plan.gfront:plan.gfront + plan.m]
    if plan.im2col:
        dw = np.matmul(gyg, prepared.swapaxes(-1, -2)).reshape(o, plan.kk, cg)
        return dw.transpose(0, 2, 1).reshape(plan.wshape)
    src = _grouped(prepared, g)
    dw = np.empty((plan.kk,) + gyg.shape[:-1] + (cg,), dtype=gbuf.dtype)
    for k, s in enumerate(plan.shifts):
        np.matmul(gyg, src[..., s:s + plan.m].swapaxes(-1, -2), out=dw[k])
    return dw.reshape(plan.kk, o, cg).transpose(1, 2, 0).reshape(plan.wshape)


# ----------------------------------------------------------------------------- autograd
def _bias_grad(gy: Tensor) -> Tensor:
    """Gradient of a per-channel bias: gy summed over batch and space."""
    return reshape(sum_to(gy, (1, gy.data.shape[1], 1, 1)), (gy.data.shape[1],))


class Conv2dFn(Function):
    """y = conv2d(x, w) + b. Backward: dx = conv_transpose2d(gy, w), dw = weight adjoint, db = sum(gy)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, w: Tensor, b: Tensor | None, plan: ConvPlan,
                prepared: np.ndarray | None = None) -> np.ndarray:
        if prepared is None:
            prepared = prepare_input(x.data, plan)
        ctx.plan = plan
        ctx.prepared = prepared if ctx.needs_input_grad[1] else None
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, w if ctx.needs_input_grad[0] else None)
        return conv_forward(x.data, w.data, None if b is None else b.data, plan, prepared)

    @staticmethod
    def backward(ctx: Function, gy: Tensor) -> tuple:
        x, w = ctx.saved_tensors
        plan, needs = ctx.plan, ctx.needs_input_grad
        prepared, ctx.prepared = ctx.prepared, None  # used once; a retained graph recomputes it
        gbuf = None if plan.pointwise or not (needs[0] or needs[1]) else grad_buffer(gy.data, plan)
        gx = ConvTranspose2dFn.apply(gy, w, None, plan, gbuf) if needs[0] else None
        gw = ConvWeightFn.apply(x, gy, plan, prepared, gbuf) if needs[1] else None
        gb = _bias_grad(gy) if needs[2] else None
        return gx, gw, gb, None, None


class ConvTranspose2dFn(Function):
    """y = conv_transpose2d(g, w) + b: the adjoint of ``Conv2dFn`` in its input (planned as that conv)."""

    @staticmethod
    def forward(ctx: Function, g: Tensor, w: Tensor, b: Tensor | None, plan: ConvPlan,
                gbuf: np.ndarray | None = None) -> np.ndarray:
        ctx.plan = plan
        ctx.save_for_backward(g if ctx.needs_input_grad[1] else None, w if ctx.needs_input_grad[0] else None)
        out = conv_input_grad(g.data, w.data, plan, gbuf)
        if b is not None:
            out += b.data.reshape(1, -1, 1, 1)
        return out

    @staticmethod
    def backward(ctx: Function, gy: Tensor) -> tuple:
        g, w = ctx.saved_tensors
        plan, needs = ctx.plan, ctx.needs_input_grad
        prepared = prepare_input(gy.data, plan) if needs[0] or needs[1] else None
        gg = Conv2dFn.apply(gy, w, None, plan, prepared) if needs[0] else None
        gw = ConvWeightFn.apply(gy, g, plan, prepared) if needs[1] else None
        gb = _bias_grad(gy) if needs[2] else None
        return gg, gw, gb, None, None


class ConvWeightFn(Function):
    """dw = the adjoint of ``Conv2dFn`` in its weight, for input ``x`` and output gradient ``g``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, g: Tensor, plan: ConvPlan, prepared: np.ndarray | None = None,
                gbuf: np.ndarray | None = None) -> np.ndarray:
        ctx.plan = plan
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, g if ctx.needs_input_grad[0] else None)
        return conv_weight_grad(x.data, g.data, plan, prepared, gbuf)

    @staticmethod
    def backward(ctx: Function, gw: Tensor) -> tuple:
        x, g = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = ConvTranspose2dFn.apply(g, gw, None, ctx.plan) if needs[0] else None
        gg = Conv2dFn.apply(x, gw, None, ctx.plan) if needs[1] else None
        return gx, gg, None, None, None


def conv2d(x: Tensor, w: Tensor, b: Tensor | None, stride: tuple, padding: tuple, dilation: tuple,
           groups: int) -> Tensor:
    """Checked 4-D convolution; ``padding`` is (top, bottom, left, right) zeros."""
    plan = conv_plan(x.data.shape, w.data.shape, stride, padding, dilation, groups)
    return Conv2dFn.apply(x, w, b, plan)


def conv_transpose2d(x: Tensor, w: Tensor, b: Tensor | None, stride: tuple, padding: tuple,
                     output_size: tuple, dilation: tuple, groups: int) -> Tensor:
    """Transposed convolution of 4-D ``x`` with ``w`` (Cin, Cout/g, kh, kw) onto ``output_size`` (H, W)."""
    n = x.data.shape[0]
    plan = conv_plan((n, w.data.shape[1] * groups) + tuple(output_size), w.data.shape, stride, padding, dilation,
                     groups)
    extra = (plan.ho - x.data.shape[2], plan.wo - x.data.shape[3])
    if any(extra):  # output_padding >= stride (allowed when < dilation): those rows of the adjoint are zero
        from .shape import pad

        x = pad(x, (0, extra[1], 0, extra[0]))
    return ConvTranspose2dFn.apply(x, w, b, plan)


# ----------------------------------------------------------------------------- sliding windows (pool, unfold)
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
        if not self.padded:
            return x
        (h, w), (ph, pw) = self.hw, self.padding
        xp = np.full(x.shape[:-2] + (self.hp, self.wp), value, dtype=x.dtype)
        xp[..., ph:ph + h, pw:pw + w] = x
        return xp

    def unpad(self, xp: np.ndarray) -> np.ndarray:
        if not self.padded:
            return xp
        (h, w), (ph, pw) = self.hw, self.padding
        return np.ascontiguousarray(xp[..., ph:ph + h, pw:pw + w])

    def zeros_padded(self, lead: tuple, dtype: np.dtype) -> np.ndarray:
        return np.zeros(lead + (self.hp, self.wp), dtype=dtype)


@functools.lru_cache(maxsize=512)
def window_plan(hw: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, out_hw: tuple) -> WindowPlan:
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
