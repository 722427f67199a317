"""Convolution kernels: 2-D convolution, its two adjoints and their autograd Functions.

Layout. The input is rewritten once into a channel-major buffer ``(C, L)`` in which each sample
is a zero-framed ``(Hq, Wq)`` grid, flattened, and samples follow each other. On that grid,
kernel tap ``(i, j)`` is a constant *shift* ``s_ij`` of the flat index, so

    y[:, q] = sum_ij  W[:, :, i, j] @ buf[:, q + s_ij]

The frame is shared between neighbours (a row's right padding is the next row's left padding),
so the wasted output positions (ho >= Ho or wo >= Wo, dropped at the end) stay few. A stride
``s`` is handled by splitting the padded input into ``s*s`` phase grids (polyphase): tap ``i*d``
reads phase ``i*d % s`` at offset ``i*d // s``, so every conv is shifted stride-1 reads of one buffer.

GEMMs. Output columns are processed in ~2 MB blocks: the shifted copies a block needs are gathered
(im2col of that block only, so it stays in cache) and multiplied in one GEMM with K = kh*kw*C.
For a stride-1 conv the shifts form a grid s_ij = s0 + i*A + j*B, so only the kw taps of one
kernel row are gathered, over a block widened by (kh-1)*A columns, and kernel row i is a GEMM on
that block read at column offset i*A (``Taps``): kh-fold fewer copies.

The adjoints read the same way: the weight gradient is gy_grid @ columns^T (block by block) and
the input gradient (= transposed convolution) is the same column GEMM run on gy's grid with the
negated shifts. 1x1 convolutions without padding skip the buffer: one batched GEMM in NCHW.

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
        og = o // groups
        self.taps = Taps(self.shifts, kh, kw, kw * cg, _GRID_MIN_WIDTH)  # forward
        self.wtaps = Taps(self.shifts, kh, kw)  # weight gradient: a row of taps always pays
        # per phase: the taps reading it and how the input adjoint reads gy for them
        self.phase_taps = []
        for p, (base, _, _) in enumerate(self.phases):
            ks = [k for k, tp in enumerate(self.tap_phase) if tp == p]
            offs = [self.gfront + base - self.shifts[k] for k in ks]
            taps = Taps(offs, kh, kw, kw * og, _GRID_MIN_WIDTH) if len(ks) == kh * kw else Taps(offs) if ks else None
            self.phase_taps.append((ks, taps))


@functools.lru_cache(maxsize=512)
def conv_plan(xshape: tuple, wshape: tuple, stride: tuple, padding: tuple, dilation: tuple, groups: int) -> ConvPlan:
    """The ``ConvPlan`` of one geometry, cached (a layer's every call, and its backward, reuse it)."""
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
            rows, cols = slice(h0, h0 + sh * (nu - 1) + 1, sh), slice(w0, w0 + sw * (nv - 1) + 1, sw)
            grid[:, :, :nu, :nv] = x[:, :, rows, cols].transpose(1, 0, 2, 3)
    return buf


def grad_buffer(gy: np.ndarray, plan: ConvPlan) -> np.ndarray:
    """``gy`` (N, O, Ho, Wo) on the output grid, ``(O, glen)`` with zero margins for the input adjoint."""
    n, o = gy.shape[:2]
    buf = np.zeros((o, plan.glen), dtype=gy.dtype)
    grid = buf[:, plan.gfront:plan.gfront + plan.m].reshape(o, n, plan.hq, plan.wq)
    grid[:, :, :plan.ho, :plan.wo] = gy.transpose(1, 0, 2, 3)
    return buf


def prepare_input(x: np.ndarray, plan: ConvPlan) -> np.ndarray | None:
    """What forward and weight gradient read: the input buffer (None for a 1x1 convolution)."""
    return None if plan.pointwise else input_buffer(x, plan)


def _grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(C, L) -> (groups, C/groups, L)."""
    return a.reshape(groups, a.shape[0] // groups, a.shape[1])


def _weight_columns(w: np.ndarray, groups: int, taps: list | None = None, transpose: bool = False) -> np.ndarray:
    """(O, Cg, kh, kw) -> (g, O/g, K*Cg), or with ``transpose`` (g, Cg, K*O/g), for the tap order of the columns."""
    o, cg = w.shape[:2]
    wt = w.reshape(groups, o // groups, cg, w.shape[2] * w.shape[3])
    if taps is not None:
        wt = wt[..., taps]
    wt = wt.transpose(0, 2, 3, 1) if transpose else wt.transpose(0, 1, 3, 2)
    return wt.reshape(groups, wt.shape[1], wt.shape[2] * wt.shape[3])


_BLOCK_BYTES = 1 << 21  # gathered columns per GEMM: stays in L3 between the copy and the GEMM
_GRID_MIN_WIDTH = 16  # measured: kw*C = 9 (C = 3) is faster as one GEMM over all taps, 48 (C = 16) as kernel rows


class Taps:
    """How the column GEMMs read shifted copies of a buffer, for tap offsets ``off[i*kw + j]``.

    In general every tap is gathered (im2col of a column block). When the offsets form a grid,
    off = o0 + i*A + j*B (every stride-1 conv), only the kw taps of one kernel row are gathered,
    over a block extended by (kh-1)*|A| columns: kernel row i then reads that block at column
    offset i*A (a strided view BLAS takes as is), so the copies shrink kh-fold for kh GEMMs.
    Forward GEMMs need a row of taps to span ``min_width`` rows (kw*C) to stay efficient; with
    fewer input channels (C = 1, 3) one GEMM over all taps is faster.
    """

    def __init__(self, offsets: list, kh: int = 1, kw: int = 0, width: int = 0, min_width: int = 0) -> None:
        o0 = offsets[0]
        a = offsets[kw] - o0 if kh > 1 else 0
        b = offsets[1] - o0 if kw > 1 else 0
        grid = kh > 1 and width >= min_width and len(offsets) == kh * kw and all(
            offsets[i * kw + j] == o0 + i * a + j * b for i in range(kh) for j in range(kw))
        if grid:
            lo = min(0, (kh - 1) * a)
            self.gather = [o0 + lo + j * b for j in range(kw)]
            self.parts = [i * a - lo for i in range(kh)]
            self.span = (kh - 1) * abs(a)
        else:
            self.gather, self.parts, self.span = list(offsets), [0], 0


def _blocks(m: int, rows: int, itemsize: int) -> list:
    """Column ranges of about 2 MB of gathered columns each (kept in cache between gather and GEMM)."""
    step = max(256, min(m, _BLOCK_BYTES // max(1, rows * itemsize)))
    return [(c0, min(m, c0 + step)) for c0 in range(0, m, step)]


def _gather(src: np.ndarray, offsets: list, c0: int, c1: int, cols: np.ndarray) -> np.ndarray:
    """cols[g, k*Cg + c, q] = src[g, c, off_k + c0 + q]: shifted copies of the buffer (im2col of one block)."""
    n = c1 - c0
    view = cols if n == cols.shape[-1] else np.empty(cols.shape[:-1] + (n,), cols.dtype)
    for k, s in enumerate(offsets):
        view[:, k] = src[:, :, s + c0:s + c1]
    return view.reshape(view.shape[0], view.shape[1] * view.shape[2], n)


def _column_blocks(src: np.ndarray, taps: Taps, m: int) -> Any:
    """Yield (c0, c1, gathered block) over the output columns; the block has ``taps.span`` extra columns."""
    g, cg = src.shape[:2]
    blocks = _blocks(m, len(taps.gather) * cg * g, src.itemsize)
    cols = np.empty((g, len(taps.gather), cg, blocks[0][1] - blocks[0][0] + taps.span), dtype=src.dtype)
    for c0, c1 in blocks:
        yield c0, c1, _gather(src, taps.gather, c0, c1 + taps.span, cols)


def _shifted_matmul(wcols: np.ndarray, src: np.ndarray, taps: Taps, m: int) -> np.ndarray:
    """out[g, :, q] = wcols[g] @ [src[g, :, q + off_k] for each tap k], one GEMM per block and kernel row."""
    g, r = wcols.shape[:2]
    parts = taps.parts
    wparts = np.ascontiguousarray(wcols.reshape(g, r, len(parts), wcols.shape[2] // len(parts)).transpose(2, 0, 1, 3))
    out = np.empty((g, r, m), dtype=src.dtype)
    tmp = None
    if m == 0:
        return out
    for c0, c1, block in _column_blocks(src, taps, m):
        n, y = c1 - c0, out[..., c0:c1]
        np.matmul(wparts[0], block[..., parts[0]:parts[0] + n], out=y)
        for p in range(1, len(parts)):
            if tmp is None or tmp.shape[-1] < n:
                tmp = np.empty((g, r, n), dtype=src.dtype)
            np.matmul(wparts[p], block[..., parts[p]:parts[p] + n], out=tmp[..., :n])
            y += tmp[..., :n]
    return out


def _shifted_matmul_t(gy: np.ndarray, src: np.ndarray, taps: Taps, m: int) -> np.ndarray:
    """sum_q gy[g, :, q] [src[g, :, q + off_k] for each tap k]^T: the weight-gradient GEMMs, block by block."""
    g, r = gy.shape[:2]
    parts = taps.parts
    width = len(taps.gather) * src.shape[1]
    out = np.zeros((len(parts), g, r, width), dtype=src.dtype)
    tmp = np.empty((g, r, width), dtype=src.dtype)
    for c0, c1, block in (_column_blocks(src, taps, m) if m else ()):
        n = c1 - c0
        for p, sh in enumerate(parts):
            np.matmul(gy[..., c0:c1], block[..., sh:sh + n].swapaxes(-1, -2), out=tmp)
            out[p] += tmp
    return out.transpose(1, 2, 0, 3).reshape(g, r, len(parts) * width)


def _pointwise_input(x: np.ndarray, plan: ConvPlan) -> np.ndarray:
    """1x1 conv input as (N, g, Cg, Ho*Wo) (a strided 1x1 conv subsamples first)."""
    sh, sw = plan.stride
    if sh != 1 or sw != 1:
        x = x[:, :, ::sh, ::sw][:, :, :plan.ho, :plan.wo]
    n, c = x.shape[:2]
    return x.reshape(n, plan.groups, c // plan.groups, plan.ho * plan.wo)


# ----------------------------------------------------------------------------- kernels
def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, plan: ConvPlan,
                 prepared: np.ndarray | None = None) -> np.ndarray:
    """y[n, o] = b[o] + sum_{c, i, j} w[o, c, i, j] * x_padded[n, g(o)*Cg + c, s*ho + d*i, s*wo + d*j]."""
    n, o, ho, wo = plan.yshape
    g = plan.groups
    if plan.pointwise:
        y = np.matmul(w.reshape(g, o // g, w.shape[1]), _pointwise_input(x, plan)).reshape(plan.yshape)
        if b is not None:
            y += b.reshape(1, o, 1, 1)
        return y
    if prepared is None:
        prepared = prepare_input(x, plan)
    grid = _shifted_matmul(_weight_columns(w, g), _grouped(prepared, g), plan.taps, plan.m)
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
        gyv = gy.reshape(n, g, o // g, plan.ho * plan.wo)
        dxs = np.matmul(w.reshape(g, o // g, w.shape[1]).swapaxes(-1, -2), gyv).reshape(n, c, plan.ho, plan.wo)
        sh, sw = plan.stride
        if sh == sw == 1 and (plan.ho, plan.wo) == (h, wd):
            return dxs
        dx = np.zeros(plan.xshape, dtype=dxs.dtype)
        dx[:, :, ::sh, ::sw][:, :, :plan.ho, :plan.wo] = dxs
        return dx
    if gbuf is None:
        gbuf = grad_buffer(gy, plan)
    src = _grouped(gbuf, g)
    sh, sw = plan.stride
    dx = (np.empty if plan.covers else np.zeros)(plan.xshape, dtype=gbuf.dtype)
    for (base, (h0, nu), (w0, nv)), (ks, taps) in zip(plan.phases, plan.phase_taps):
        if not (nu and nv and ks):
            continue
        wcols = _weight_columns(w, g, ks, transpose=True)
        grid = _shifted_matmul(wcols, src, taps, plan.m).reshape(c, n, plan.hq, plan.wq)
        rows, cols = slice(h0, h0 + sh * (nu - 1) + 1, sh), slice(w0, w0 + sw * (nv - 1) + 1, sw)
        dx[:, :, rows, cols] = grid[:, :, :nu, :nv].transpose(1, 0, 2, 3)
    return dx


def conv_weight_grad(x: np.ndarray, gy: np.ndarray, plan: ConvPlan, prepared: np.ndarray | None = None,
                     gbuf: np.ndarray | None = None) -> np.ndarray:
    """The adjoint of ``conv_forward`` in w: dw[o, c, i, j] = sum_{n, ho, wo} gy[n, o, ho, wo] * x_window."""
    o, cg, kh, kw = plan.wshape
    g = plan.groups
    if plan.pointwise:
        n = gy.shape[0]
        gyv = gy.reshape(n, g, o // g, plan.ho * plan.wo)
        return np.matmul(gyv, _pointwise_input(x, plan).swapaxes(-1, -2)).sum(0).reshape(plan.wshape)
    if prepared is None:
        prepared = prepare_input(x, plan)
    if gbuf is None:
        gbuf = grad_buffer(gy, plan)
    gyg = _grouped(gbuf, g)[..., plan.gfront:plan.gfront + plan.m]
    dw = _shifted_matmul_t(gyg, _grouped(prepared, g), plan.wtaps, plan.m)
    return dw.reshape(o, plan.kk, cg).transpose(0, 2, 1).reshape(plan.wshape)


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
