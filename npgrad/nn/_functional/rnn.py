"""Fused recurrent kernels: the time loop of one layer in one direction of an RNN, LSTM or GRU.

The input projection ``x @ W_ih^T + b_ih`` has no time dependence, so the modules compute it for the
whole sequence with one GEMM (ordinary Tensor ops) and hand it here as ``xp``. This kernel runs only
the recurrence, on raw arrays, and its backward is hand-written backpropagation through time (BPTT):
one small GEMM per step for ``dh_{t-1} = dG_t @ W_hh``; the weight gradient is a single GEMM over all
steps afterwards, ``dW_hh = dG^T @ H_prev``, and ``db_hh = sum(dG)``. The backward works on arrays, so
the op is ``once_differentiable``.

Sequences are stored *packed*: time step ``t`` owns rows ``offsets[t] : offsets[t] + batch_sizes[t]``
of every ``(N, features)`` array, with non-increasing ``batch_sizes`` (the sequences sorted by
decreasing length). A padded ``(T, B, F)`` sequence is the special case ``batch_sizes = (B,) * T``.
Only the first ``batch_sizes[t]`` rows of the running state are advanced at step ``t``; the others
keep their value, which is exactly the final state of a finished sequence (forward direction) or
the initial state of a not yet started one (reverse direction).

Gates (torch's order and formulas; sigma is the logistic sigmoid)::

    RNN:  h' = tanh|relu(xp + W_hh h + b_hh)
    LSTM: i, f, g, o = sigma, sigma, tanh, sigma of (xp + W_hh h + b_hh);  c' = f c + i g
          h' = o tanh(c')   (then h' = W_hr h' with a projection)
    GRU:  r, z = sigma(xp_rz + W_hrz h + b_hrz);  n = tanh(xp_n + r (W_hn h + b_hn))
          h' = (1 - z) n + z h

The sigmoid gates of a step (and LSTM's g gate) go through one ``exp`` call, cheaper than ``tanh``:
the weight columns of a sigmoid gate are pre-scaled by -1 and those of LSTM's g gate by -2 (exact in
floating point), so that ``u = 1 / (1 + exp(y))`` is sigma(z) resp. sigma(2z) and g = tanh(z) = 2u - 1.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor

__all__: list[str] = []

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _gate_scale(mode: str, hidden: int, dtype: np.dtype) -> np.ndarray | None:
    """Per-column pre-activation scale: -1 for sigmoid gates, -2 for LSTM's g gate, 1 for GRU's n gate."""
    if mode == "LSTM":
        return np.repeat(np.asarray([-1.0, -1.0, -2.0, -1.0], dtype=dtype), hidden)
    if mode == "GRU":
        return np.repeat(np.asarray([-1.0, -1.0, 1.0], dtype=dtype), hidden)
    return None


def _steps(batch_sizes: Sequence[int], reverse: bool) -> list[tuple[int, int, int]]:
    """(start_row, end_row, batch) of every step, in processing order."""
    out, start = [], 0
    for bs in batch_sizes:
        out.append((start, start + bs, bs))
        start += bs
    return out[::-1] if reverse else out


class RecurrentLayer(Function):
    """One layer and direction: ``(xp, h0, c0, w_hh, b_hh, w_hr) -> (out, h_n[, c_n])``."""

    once_differentiable = True

    @staticmethod
    def forward(ctx: Function, xp: Tensor, h0: Tensor, c0: Tensor | None, w_hh: Tensor, b_hh: Tensor | None,
                w_hr: Tensor | None, mode: str, batch_sizes: tuple, reverse: bool, save: bool) -> tuple:
        ctx.set_materialize_grads(False)
        ctx.mode, ctx.steps = mode, _steps(batch_sizes, reverse)
        run = {"LSTM": _lstm_forward, "GRU": _gru_forward}.get(mode, _rnn_forward)
        with np.errstate(over="ignore"):
            outputs, saved = run(ctx, xp.data, h0.data, None if c0 is None else c0.data, w_hh.data,
                                 None if b_hh is None else b_hh.data, None if w_hr is None else w_hr.data, save)
        if save:
            ctx.save_for_backward(w_hh, w_hr, *saved)
        return outputs

    @staticmethod
    def backward(ctx: Function, *grads: Tensor | None) -> tuple:
        w_hh, w_hr, *saved = ctx.saved_tensors
        arrays = [None if s is None else s.data for s in saved]
        g = [None if x is None else x.data for x in grads]
        run = {"LSTM": _lstm_backward, "GRU": _gru_backward}.get(ctx.mode, _rnn_backward)
        dxp, dh0, dc0, dgates_hh, d_w_hr, h_prev = run(ctx, w_hh.data, None if w_hr is None else w_hr.data,
                                                       arrays, g)
        need = ctx.needs_input_grad
        d_w_hh = dgates_hh.T @ h_prev if need[3] else None
        d_b_hh = dgates_hh.sum(0) if need[4] else None
        wrap = [dxp, dh0, dc0, d_w_hh, d_b_hh, d_w_hr]
        return tuple(Tensor._make(a) if a is not None and n else None for a, n in zip(wrap, need[:6])) + (None,) * 4


def recurrent_layer(mode: str, xp: Tensor, h0: Tensor, c0: Tensor | None, w_hh: Tensor, b_hh: Tensor | None,
                    w_hr: Tensor | None, batch_sizes: Sequence[int], reverse: bool) -> tuple:
    """Run one recurrent layer in one direction over packed pre-projected inputs ``xp`` (see module doc).

    Returns ``(out, h_n)`` (``(out, h_n, c_n)`` for LSTM); ``out`` has one row per input row.
    """
    save = is_grad_enabled() and any(
        t is not None and t.requires_grad for t in (xp, h0, c0, w_hh, b_hh, w_hr)
    )
    return RecurrentLayer.apply(xp, h0, c0, w_hh, b_hh, w_hr, mode, tuple(int(b) for b in batch_sizes),
                                bool(reverse), save)


def _pre_activations(xp: np.ndarray, b: np.ndarray | None, scale: np.ndarray | None) -> np.ndarray:
    """A fresh (N, G) buffer holding ``(xp + b) * scale``; the step loop adds ``h W^T`` and activates it."""
    a = xp + b if b is not None else xp.copy()
    if scale is not None:
        a *= scale
    return a


def _logistic_of_negated(block: np.ndarray) -> np.ndarray:
    """In place: ``y -> 1 / (1 + exp(y))`` (= sigma(-y); exp overflowing to inf gives the exact limit 0)."""
    np.exp(block, out=block)
    block += 1
    return np.reciprocal(block, out=block)


# ----------------------------------------------------------------------------- RNN (tanh / relu)
def _rnn_forward(ctx: Function, xp: np.ndarray, h0: np.ndarray, c0: Any, w: np.ndarray, b: np.ndarray | None,
                 w_hr: Any, save: bool) -> tuple:
    out = _pre_activations(xp, b, None)  # becomes the output in place
    wt = np.ascontiguousarray(w.T)
    h = h0.copy()
    h_prev = np.empty_like(out) if save else None
    tmp = np.empty_like(h)
    act = np.tanh if ctx.mode == "RNN_TANH" else (lambda a, out: np.maximum(a, 0, out=out))
    for s, e, bs in ctx.steps:
        hp = h[:bs]
        if save:
            h_prev[s:e] = hp
        a = out[s:e]
        a += np.matmul(hp, wt, out=tmp[:bs])
        act(a, out=a)
        hp[...] = a
    return (out, h), (out, h_prev)


def _rnn_backward(ctx: Function, w: np.ndarray, w_hr: Any, saved: list, grads: list) -> tuple:
    out, h_prev = saved
    d_out, d_hn = grads[0], grads[1]
    deriv = 1 - out * out if ctx.mode == "RNN_TANH" else (out > 0).astype(out.dtype)
    dh = _full_state(ctx, w.shape[1], out.dtype, d_hn)
    dg = np.empty_like(out)
    for s, e, bs in reversed(ctx.steps):
        dht = dh[:bs]
        if d_out is not None:
            dht += d_out[s:e]
        np.multiply(dht, deriv[s:e], out=dg[s:e])
        np.matmul(dg[s:e], w, out=dht)
    return dg, dh, None, dg, None, h_prev


def _full_state(ctx: Function, width: int, dtype: np.dtype, given: np.ndarray | None) -> np.ndarray:
    """A writable (B, width) running gradient, B = the largest batch, seeded with ``given`` (or zeros)."""
    batch = max((bs for _, _, bs in ctx.steps), default=0)
    if given is not None:
        return np.array(given, dtype=dtype, copy=True)
    return np.zeros((batch, width), dtype)


# ----------------------------------------------------------------------------- LSTM
def _lstm_forward(ctx: Function, xp: np.ndarray, h0: np.ndarray, c0: np.ndarray, w: np.ndarray,
                  b: np.ndarray | None, w_hr: np.ndarray | None, save: bool) -> tuple:
    hid = c0.shape[-1]
    n = xp.shape[0]
    dt = xp.dtype
    scale = _gate_scale("LSTM", hid, dt)
    act = _pre_activations(xp, b, scale)  # (N, 4H): pre-activations, then gate values i, f, g, o
    wt = w.T * scale
    whr_t = None if w_hr is None else np.ascontiguousarray(w_hr.T)
    h, c = h0.copy(), c0.copy()
    out = np.empty((n, h.shape[1]), dt)
    h_prev = np.empty_like(out) if save else None
    c_prev = np.empty((n, hid), dt) if save else None
    tanh_c = np.empty((n, hid), dt)
    pre_proj = np.empty((n, hid), dt) if w_hr is not None and save else None
    tmp = np.empty((c.shape[0], 4 * hid), dt)
    tmp_h = np.empty_like(c)
    for s, e, bs in ctx.steps:
        hp, cp = h[:bs], c[:bs]
        if save:
            h_prev[s:e] = hp
            c_prev[s:e] = cp
        g = act[s:e]
        g += np.matmul(hp, wt, out=tmp[:bs])
        _logistic_of_negated(g)
        gg = g[:, 2 * hid: 3 * hid]
        gg *= 2
        gg -= 1
        cp *= g[:, hid: 2 * hid]  # c' = f c + i g, written into the running state
        cp += np.multiply(g[:, :hid], g[:, 2 * hid: 3 * hid], out=tmp_h[:bs])
        tc = np.tanh(cp, out=tanh_c[s:e])
        if w_hr is None:
            np.multiply(g[:, 3 * hid:], tc, out=out[s:e])
        else:
            r = pre_proj[s:e] if save else tmp_h[:bs]
            np.multiply(g[:, 3 * hid:], tc, out=r)
            np.matmul(r, whr_t, out=out[s:e])
        hp[...] = out[s:e]
    return (out, h, c), (act, h_prev, c_prev, tanh_c, pre_proj)


def _lstm_backward(ctx: Function, w: np.ndarray, w_hr: np.ndarray | None, saved: list, grads: list) -> tuple:
    act, h_prev, c_prev, tanh_c, pre_proj = saved
    d_out, d_hn, d_cn = grads
    n, hid = tanh_c.shape
    dt = act.dtype
    gates = act.reshape(n, 4, hid)
    i, f, g, o = gates[:, 0], gates[:, 1], gates[:, 2], gates[:, 3]
    # coefficients turning (dc_t, dh_t) into pre-activation gradients: dz_i = dc g i(1-i), dz_f = dc c_prev f(1-f),
    # dz_g = dc i (1-g^2), dz_o = dr tanh(c) o(1-o); dc_t += dr o (1 - tanh(c)^2)
    coef = np.empty((n, 4, hid), dt)
    np.multiply(g, i * (1 - i), out=coef[:, 0])
    np.multiply(c_prev, f * (1 - f), out=coef[:, 1])
    np.multiply(i, 1 - g * g, out=coef[:, 2])
    np.multiply(tanh_c, o * (1 - o), out=coef[:, 3])
    dc_from_h = o * (1 - tanh_c * tanh_c)
    dh = _full_state(ctx, h_prev.shape[1], dt, d_hn)
    dc = _full_state(ctx, hid, dt, d_cn)
    dgates = np.empty((n, 4 * hid), dt)
    dg3 = dgates.reshape(n, 4, hid)
    d_proj = np.empty_like(h_prev) if w_hr is not None else None
    tmp_h = np.empty_like(dc)
    for s, e, bs in reversed(ctx.steps):
        dht = dh[:bs]
        if d_out is not None:
            dht += d_out[s:e]
        if w_hr is not None:
            d_proj[s:e] = dht
            dr = np.matmul(dht, w_hr, out=tmp_h[:bs])
        else:
            dr = dht
        dct = dc[:bs]
        dct += np.multiply(dr, dc_from_h[s:e], out=dg3[s:e, 3])
        np.multiply(dr, coef[s:e, 3], out=dg3[s:e, 3])
        np.multiply(dct[:, None, :], coef[s:e, :3], out=dg3[s:e, :3])
        dct *= f[s:e]
        np.matmul(dgates[s:e], w, out=dht)
    d_w_hr = d_proj.T @ pre_proj if w_hr is not None and ctx.needs_input_grad[5] else None
    return dgates, dh, dc, dgates, d_w_hr, h_prev


# ----------------------------------------------------------------------------- GRU
def _gru_forward(ctx: Function, xp: np.ndarray, h0: np.ndarray, c0: Any, w: np.ndarray, b: np.ndarray | None,
                 w_hr: Any, save: bool) -> tuple:
    hid = h0.shape[-1]
    n = xp.shape[0]
    dt = xp.dtype
    scale = _gate_scale("GRU", hid, dt)
    act = _pre_activations(xp, None, scale)  # (N, 3H): r, z, n
    wt = w.T * scale
    bs_scaled = None if b is None else b * scale
    h = h0.copy()
    out = np.empty((n, hid), dt)
    h_prev = np.empty_like(out) if save else None
    hh_all = np.empty((n, 3 * hid), dt) if save else None  # W_hh h + b_hh (its n part is needed backward)
    tmp = np.empty((h.shape[0], 3 * hid), dt)
    for s, e, bs in ctx.steps:
        hp = h[:bs]
        if save:
            h_prev[s:e] = hp
        hh = np.matmul(hp, wt, out=hh_all[s:e] if save else tmp[:bs])
        if bs_scaled is not None:
            hh += bs_scaled
        g = act[s:e]
        rz = g[:, : 2 * hid]
        rz += hh[:, : 2 * hid]
        _logistic_of_negated(rz)
        gn = g[:, 2 * hid:]
        gn += g[:, :hid] * hh[:, 2 * hid:]
        np.tanh(gn, out=gn)
        # h' = n + z (h - n)
        o = out[s:e]
        np.subtract(hp, gn, out=o)
        o *= g[:, hid: 2 * hid]
        o += gn
        hp[...] = o
    return (out, h), (act, h_prev, None if hh_all is None else hh_all[:, 2 * hid:])


def _gru_backward(ctx: Function, w: np.ndarray, w_hr: Any, saved: list, grads: list) -> tuple:
    act, h_prev, hn = saved
    d_out, d_hn = grads[0], grads[1]
    n, hid = h_prev.shape
    dt = act.dtype
    gates = act.reshape(n, 3, hid)
    r, z, nn = gates[:, 0], gates[:, 1], gates[:, 2]
    # dz_n = dh (1-z)(1-n^2); dz_r = dz_n hn r(1-r); dz_z = dh (h_prev - n) z(1-z); dh_prev = dh z + dG_hh W_hh
    coef = np.empty((n, 3, hid), dt)
    np.multiply(1 - z, 1 - nn * nn, out=coef[:, 2])
    np.multiply(coef[:, 2], hn * r * (1 - r), out=coef[:, 0])
    np.multiply(h_prev - nn, z * (1 - z), out=coef[:, 1])
    dh = _full_state(ctx, hid, dt, d_hn)
    dx = np.empty((n, 3 * hid), dt)
    dx3 = dx.reshape(n, 3, hid)
    dhh = np.empty_like(dx)
    tmp = np.empty_like(dh)
    for s, e, bs in reversed(ctx.steps):
        dht = dh[:bs]
        if d_out is not None:
            dht += d_out[s:e]
        np.multiply(dht[:, None, :], coef[s:e], out=dx3[s:e])
        dhh[s:e, : 2 * hid] = dx[s:e, : 2 * hid]
        np.multiply(dx[s:e, 2 * hid:], r[s:e], out=dhh[s:e, 2 * hid:])
        np.matmul(dhh[s:e], w, out=tmp[:bs])
        dht *= z[s:e]
        dht += tmp[:bs]
    return dx, dh, None, dhh, None, h_prev
