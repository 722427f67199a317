"""Fused recurrent kernel: one layer in one direction of an RNN, LSTM or GRU, forward and backward.

The input half of every gate, ``xp = x W_ih^T + b_ih``, has no time dependence: it is computed for
all time steps at once with one GEMM. Only the recurrence loops over time, on raw arrays; its
backward is hand-written backpropagation through time (BPTT): one small GEMM per step for
``dh_{t-1} = dG_t W_hh``, then single GEMMs over all steps for ``dW_hh = dG^T H_prev``,
``dW_ih = dG^T x`` and ``dx = dG W_ih``. The backward works on arrays, so the op is
``once_differentiable`` (differentiating its gradients raises).

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
    """One layer and direction: ``(x, w_ih, b_ih, h0, c0, w_hh, b_hh, w_hr) -> (out, h_n[, c_n])``.

    The input projection of all steps is one GEMM here, with the gate scaling folded into the weight
    and the biases folded into one vector; backward: ``dx = dG_x W_ih``, ``dW_ih = dG_x^T x``,
    ``db_ih = sum(dG_x)`` (``dG_x`` = the pre-activation gradients of the input half of the gates).
    """

    once_differentiable = True

    @staticmethod
    def forward(ctx: Function, x: Tensor, w_ih: Tensor, b_ih: Tensor | None, h0: Tensor, c0: Tensor | None,
                w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None, mode: str, batch_sizes: tuple,
                reverse: bool, save: bool) -> tuple:
        ctx.set_materialize_grads(False)
        ctx.mode, ctx.steps = mode, _steps(batch_sizes, reverse)
        bhh = None if b_hh is None else b_hh.data
        scale = _gate_scale(mode, w_hh.data.shape[0] // _GATES[mode], x.data.dtype)
        act = _input_gates(x.data, w_ih.data, None if b_ih is None else b_ih.data,
                           None if mode == "GRU" else bhh, scale)
        run = {"LSTM": _lstm_forward, "GRU": _gru_forward}.get(mode, _rnn_forward)
        with np.errstate(over="ignore"):
            outputs, saved = run(ctx, act, scale, h0.data, None if c0 is None else c0.data, w_hh.data, bhh,
                                 None if w_hr is None else w_hr.data, save)
        if save:
            ctx.save_for_backward(x, w_ih, w_hh, w_hr, *saved)
        return outputs

    @staticmethod
    def backward(ctx: Function, *grads: Tensor | None) -> tuple:
        x, w_ih, w_hh, w_hr, *saved = ctx.saved_tensors
        arrays = [None if s is None else s.data for s in saved]
        g = [None if t is None else t.data for t in grads]
        run = {"LSTM": _lstm_backward, "GRU": _gru_backward}.get(ctx.mode, _rnn_backward)
        dg_x, dh0, dc0, dg_h, d_w_hr, h_prev = run(ctx, w_hh.data, None if w_hr is None else w_hr.data, arrays, g)
        need = ctx.needs_input_grad
        db_ih = dg_x.sum(0) if need[2] or (need[6] and dg_h is dg_x) else None
        db_hh = None
        if need[6]:
            db_hh = db_ih.copy() if dg_h is dg_x else dg_h.sum(0)
        grads_in = (
            dg_x @ w_ih.data if need[0] else None,
            dg_x.T @ x.data if need[1] else None,
            db_ih if need[2] else None,
            dh0 if need[3] else None,
            dc0 if need[4] else None,
            dg_h.T @ h_prev if need[5] else None,
            db_hh,
            d_w_hr if need[7] else None,
        )
        result = [None if a is None else Tensor._make(a) for a in grads_in]
        if is_grad_enabled():  # create_graph: differentiating these gradients must raise, not give zeros
            deps = [t for t in (x, w_ih, w_hh, w_hr, *grads) if t is not None and t.requires_grad]
            result = [None if r is None else _NotTwiceDifferentiable.apply(r, *deps) for r in result]
        return tuple(result) + (None,) * 4


class _NotTwiceDifferentiable(Function):
    """Identity on a BPTT gradient, recorded on the tensors it depends on; its backward raises."""

    @staticmethod
    def forward(ctx: Function, grad: Tensor, *deps: Tensor) -> np.ndarray:
        return grad.data

    @staticmethod
    def backward(ctx: Function, *grads: Tensor) -> tuple:
        raise RuntimeError("double backward (create_graph=True) is not implemented for RecurrentLayer (the fused "
                           "RNN/LSTM/GRU time loop): its backward through time is once_differentiable")


def recurrent_layer(mode: str, x: Tensor, w_ih: Tensor, b_ih: Tensor | None, h0: Tensor, c0: Tensor | None,
                    w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None, batch_sizes: Sequence[int],
                    reverse: bool) -> tuple:
    """Run one recurrent layer in one direction over packed input rows ``x`` (N, input_size) (module doc).

    Returns ``(out, h_n)`` (``(out, h_n, c_n)`` for LSTM); ``out`` has one row per input row.
    """
    args = (x, w_ih, b_ih, h0, c0, w_hh, b_hh, w_hr)
    save = is_grad_enabled() and any(t is not None and t.requires_grad for t in args)
    return RecurrentLayer.apply(*args, mode, tuple(int(b) for b in batch_sizes), bool(reverse), save)


def _input_gates(x: np.ndarray, w_ih: np.ndarray, b_ih: np.ndarray | None, b_hh: np.ndarray | None,
                 scale: np.ndarray | None) -> np.ndarray:
    """Fresh (N, G) ``(x W_ih^T + b_ih [+ b_hh]) * scale``; the step loop adds ``h W_hh^T`` and activates it."""
    w = w_ih if scale is None else w_ih * scale[:, None]
    act = x @ w.T
    if b_ih is not None or b_hh is not None:
        bias = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
        act += bias if scale is None else bias * scale
    return act


def _logistic_of_negated(block: np.ndarray) -> np.ndarray:
    """In place: ``y -> 1 / (1 + exp(y))`` (= sigma(-y); exp overflowing to inf gives the exact limit 0)."""
    np.exp(block, out=block)
    block += 1
    return np.reciprocal(block, out=block)


# ----------------------------------------------------------------------------- RNN (tanh / relu)
def _rnn_forward(ctx: Function, out: np.ndarray, scale: Any, h0: np.ndarray, c0: Any, w: np.ndarray, b: Any,
                 w_hr: Any, save: bool) -> tuple:
    """``out`` holds the input gates and becomes the output in place."""
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
    dh = _full_state(ctx, w.shape[1], out.dtype, d_hn)
    dg = np.empty_like(out)
    tanh = ctx.mode == "RNN_TANH"
    for s, e, bs in reversed(ctx.steps):
        dht, d, h = dh[:bs], dg[s:e], out[s:e]
        if d_out is not None:
            dht += d_out[s:e]
        if tanh:  # dz = dh (1 - h^2)
            np.multiply(h, h, out=d)
            np.subtract(1, d, out=d)
            d *= dht
        else:  # dz = dh [h > 0]
            np.multiply(dht, h > 0, out=d)
        np.matmul(d, w, out=dht)
    return dg, dh, None, dg, None, h_prev


def _full_state(ctx: Function, width: int, dtype: np.dtype, given: np.ndarray | None) -> np.ndarray:
    """A writable (B, width) running gradient, B = the largest batch, seeded with ``given`` (or zeros)."""
    batch = max((bs for _, _, bs in ctx.steps), default=0)
    if given is not None:
        return np.array(given, dtype=dtype, copy=True)
    return np.zeros((batch, width), dtype)


# ----------------------------------------------------------------------------- LSTM
def _lstm_forward(ctx: Function, act: np.ndarray, scale: np.ndarray, h0: np.ndarray, c0: np.ndarray, w: np.ndarray,
                  b: Any, w_hr: np.ndarray | None, save: bool) -> tuple:
    """``act`` (N, 4H): scaled input gates, turned in place into the gate values i, f, g, o."""
    hid = c0.shape[-1]
    n = act.shape[0]
    dt = act.dtype
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
    """BPTT; the gate derivatives are formed step by step on cache-resident (B, 4H) blocks::

        dc_t += dr o (1 - tanh(c)^2)        dz_o = dr tanh(c) o (1 - o)
        dz_i = dc_t g i (1 - i)    dz_f = dc_t c_prev f (1 - f)    dz_g = dc_t i (1 - g^2)
        dc_{t-1} = dc_t f          dh_{t-1} = dz W_hh
    """
    act, h_prev, c_prev, tanh_c, pre_proj = saved
    d_out, d_hn, d_cn = grads
    n, hid = tanh_c.shape
    dt = act.dtype
    h1, h2, h3 = hid, 2 * hid, 3 * hid
    dh = _full_state(ctx, h_prev.shape[1], dt, d_hn)
    dc = _full_state(ctx, hid, dt, d_cn)
    dgates = np.empty((n, 4 * hid), dt)
    d_proj = np.empty_like(h_prev) if w_hr is not None else None
    tmp = np.empty_like(dc)
    tmp_r = np.empty_like(dc) if w_hr is not None else None
    for s, e, bs in reversed(ctx.steps):
        a, d, t = act[s:e], dgates[s:e], tmp[:bs]
        i, f, g, o = a[:, :h1], a[:, h1:h2], a[:, h2:h3], a[:, h3:]
        np.subtract(1, a, out=d)  # s (1 - s) for every gate, then 1 - g^2 for the g gate
        d *= a
        dg = d[:, h2:h3]
        np.multiply(g, g, out=dg)
        np.subtract(1, dg, out=dg)
        dht = dh[:bs]
        if d_out is not None:
            dht += d_out[s:e]
        if w_hr is not None:
            d_proj[s:e] = dht
            dr = np.matmul(dht, w_hr, out=tmp_r[:bs])
        else:
            dr = dht
        dct, tc = dc[:bs], tanh_c[s:e]
        np.multiply(tc, tc, out=t)
        np.subtract(1, t, out=t)
        t *= o
        t *= dr
        dct += t
        d[:, h3:] *= np.multiply(dr, tc, out=t)
        d[:, :h1] *= np.multiply(dct, g, out=t)
        d[:, h1:h2] *= np.multiply(dct, c_prev[s:e], out=t)
        dg *= np.multiply(dct, i, out=t)
        dct *= f
        np.matmul(d, w, out=dht)
    d_w_hr = d_proj.T @ pre_proj if w_hr is not None and ctx.needs_input_grad[7] else None
    return dgates, dh, dc, dgates, d_w_hr, h_prev


# ----------------------------------------------------------------------------- GRU
def _gru_forward(ctx: Function, act: np.ndarray, scale: np.ndarray, h0: np.ndarray, c0: Any, w: np.ndarray,
                 b: np.ndarray | None, w_hr: Any, save: bool) -> tuple:
    """``act`` (N, 3H): scaled input gates, turned in place into the gate values r, z, n."""
    hid = h0.shape[-1]
    n = act.shape[0]
    dt = act.dtype
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
    """BPTT, gate derivatives formed step by step::

        dz_n = dh (1 - z)(1 - n^2)     dz_z = dh (h_prev - n) z (1 - z)     dz_r = dz_n hn r (1 - r)
        input-side gradient: (dz_r, dz_z, dz_n); hidden-side: (dz_r, dz_z, dz_n r)
        dh_{t-1} = dh z + (hidden-side) W_hh
    """
    act, h_prev, hn = saved
    d_out, d_hn = grads[0], grads[1]
    n, hid = h_prev.shape
    dt = act.dtype
    h1, h2 = hid, 2 * hid
    dh = _full_state(ctx, hid, dt, d_hn)
    dx = np.empty((n, 3 * hid), dt)
    dhh = np.empty_like(dx)
    tmp, one_minus = np.empty_like(dh), np.empty_like(dh)
    rec = np.empty_like(dh)
    for s, e, bs in reversed(ctx.steps):
        a, d, dd = act[s:e], dx[s:e], dhh[s:e]
        r, z, nn = a[:, :h1], a[:, h1:h2], a[:, h2:]
        dr, dz, dn = d[:, :h1], d[:, h1:h2], d[:, h2:]
        t, om = tmp[:bs], one_minus[:bs]
        dht = dh[:bs]
        if d_out is not None:
            dht += d_out[s:e]
        np.multiply(nn, nn, out=dn)
        np.subtract(1, dn, out=dn)
        dn *= np.subtract(1, z, out=om)
        dn *= dht
        np.subtract(h_prev[s:e], nn, out=dz)
        dz *= dht
        dz *= om
        dz *= z
        np.multiply(dn, hn[s:e], out=dr)
        dr *= np.subtract(1, r, out=t)
        dr *= r
        dd[:, :h2] = d[:, :h2]
        np.multiply(dn, r, out=dd[:, h2:])
        np.matmul(dd, w, out=rec[:bs])
        dht *= z
        dht += rec[:bs]
    return dx, dh, None, dhh, None, h_prev
