"""RNN / LSTM / GRU, their cells and nn.utils.rnn packing against torch (weights copied from torch)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn as nn
from npgrad.nn.modules import rnn_utils as nu
from _torch_compare import assert_module_parity, copy_torch_params

tu = torch.nn.utils.rnn

MODES = {
    "rnn_tanh": (nn.RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTM, torch.nn.LSTM, {}),
    "gru": (nn.GRU, torch.nn.GRU, {}),
}


def _pair(mode: str, *args: int, dtype: torch.dtype = torch.float64, **kw: object) -> tuple:
    np_cls, t_cls, extra = MODES[mode]
    kw = {**extra, **kw}
    torch.manual_seed(0)
    tm = t_cls(*args, **kw).to(dtype)
    nm = np_cls(*args, **kw).to(npgrad.float64 if dtype == torch.float64 else npgrad.float32)
    return nm, tm


class _TorchWrap(torch.nn.Module):
    """forward(x, h0[, c0]) -> (output, h_n[, c_n]) so that the parity helper can pass states as inputs."""

    def __init__(self, m: torch.nn.Module, lstm: bool) -> None:
        super().__init__()
        self.m, self.lstm = m, lstm

    def forward(self, x, *states):  # noqa: ANN001, ANN201
        hx = None if not states else (tuple(states) if self.lstm else states[0])
        out, h = self.m(x, hx)
        return (out,) + (tuple(h) if self.lstm else (h,))


class _NpWrap(nn.Module):
    def __init__(self, m: nn.Module, lstm: bool) -> None:
        super().__init__()
        self.m, self.lstm = m, lstm

    def forward(self, x, *states):  # noqa: ANN001, ANN201
        hx = None if not states else (tuple(states) if self.lstm else states[0])
        out, h = self.m(x, hx)
        return (out,) + (tuple(h) if self.lstm else (h,))


def _states(mode: str, nm: nn.Module, batch: int | None, rs: np.random.Generator, dtype: type) -> list:
    dirs = 2 if nm.bidirectional else 1
    lead = (nm.num_layers * dirs,) + (() if batch is None else (batch,))
    h = rs.standard_normal(lead + (nm.proj_size or nm.hidden_size,)).astype(dtype)
    if mode != "lstm":
        return [h]
    return [h, rs.standard_normal(lead + (nm.hidden_size,)).astype(dtype)]


CONFIGS = [
    # num_layers, bidirectional, batch_first, bias, with_h0
    (1, False, False, True, False),
    (1, False, True, True, True),
    (2, False, False, False, True),
    (1, True, False, True, True),
    (2, True, True, True, False),
    (2, True, False, True, True),
]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("cfg", CONFIGS)
def test_layer_parity_float64(mode: str, cfg: tuple) -> None:
    layers, bidir, batch_first, bias, with_h0 = cfg
    nm, tm = _pair(mode, 3, 5, num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    rs = np.random.default_rng(1)
    T, B = 4, 3
    x = rs.standard_normal((B, T, 3) if batch_first else (T, B, 3))
    states = _states(mode, nm, B, rs, np.float64) if with_h0 else []
    assert_module_parity(_NpWrap(nm, mode == "lstm"), _TorchWrap(tm, mode == "lstm"), x, *states)


@pytest.mark.parametrize("cfg", [(1, False, True), (2, True, False), (2, True, True)])
def test_lstm_proj_parity(cfg: tuple) -> None:
    layers, bidir, with_h0 = cfg
    nm, tm = _pair("lstm", 4, 6, num_layers=layers, bidirectional=bidir, proj_size=3)
    rs = np.random.default_rng(2)
    x = rs.standard_normal((5, 2, 4))
    states = _states("lstm", nm, 2, rs, np.float64) if with_h0 else []
    out = assert_module_parity(_NpWrap(nm, True), _TorchWrap(tm, True), x, *states)
    assert tuple(out[0].shape) == (5, 2, 3 * (2 if bidir else 1))
    assert tuple(out[2].shape) == (layers * (2 if bidir else 1), 2, 6)


@pytest.mark.parametrize("mode", list(MODES))
def test_layer_parity_float32(mode: str) -> None:
    nm, tm = _pair(mode, 6, 8, num_layers=2, bidirectional=True, dtype=torch.float32)
    rs = np.random.default_rng(3)
    x = rs.standard_normal((7, 4, 6)).astype(np.float32)
    states = _states(mode, nm, 4, rs, np.float32)
    assert_module_parity(_NpWrap(nm, mode == "lstm"), _TorchWrap(tm, mode == "lstm"), x, *states,
                         rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("with_h0", [False, True])
def test_unbatched_input(mode: str, with_h0: bool) -> None:
    nm, tm = _pair(mode, 3, 4, num_layers=2, bidirectional=True)
    rs = np.random.default_rng(4)
    states = _states(mode, nm, None, rs, np.float64) if with_h0 else []
    out = assert_module_parity(_NpWrap(nm, mode == "lstm"), _TorchWrap(tm, mode == "lstm"),
                               rs.standard_normal((5, 3)), *states)
    assert tuple(out[0].shape) == (5, 8) and tuple(out[1].shape) == (4, 4)


@settings(max_examples=10, deadline=None)
@given(T=st.integers(1, 5), B=st.integers(1, 4), inp=st.integers(1, 4), hid=st.integers(1, 5),
       mode=st.sampled_from(list(MODES)), bidir=st.booleans())
def test_layer_parity_random_shapes(T: int, B: int, inp: int, hid: int, mode: str, bidir: bool) -> None:
    nm, tm = _pair(mode, inp, hid, bidirectional=bidir)
    x = np.random.default_rng(T * 100 + B).standard_normal((T, B, inp))
    assert_module_parity(_NpWrap(nm, mode == "lstm"), _TorchWrap(tm, mode == "lstm"), x)


def test_empty_batch_and_empty_sequence() -> None:
    nm, tm = _pair("lstm", 3, 4)
    copy_torch_params(nm, tm)
    out, (h, c) = nm(npgrad.zeros(2, 0, 3, dtype=npgrad.float64))
    assert tuple(out.shape) == (2, 0, 4) and tuple(h.shape) == (1, 0, 4)
    with pytest.raises(RuntimeError, match="sequence length to be larger than 0"):
        nm(npgrad.zeros(0, 2, 3, dtype=npgrad.float64))


# ----------------------------------------------------------------------------- packed sequences
class _PackedTorch(torch.nn.Module):
    def __init__(self, m: torch.nn.Module, lengths: list, enforce_sorted: bool, batch_first: bool) -> None:
        super().__init__()
        self.m, self.lengths, self.sorted, self.bf = m, lengths, enforce_sorted, batch_first

    def forward(self, x, *states):  # noqa: ANN001, ANN201
        packed = tu.pack_padded_sequence(x, self.lengths, batch_first=self.bf, enforce_sorted=self.sorted)
        hx = None if not states else (tuple(states) if len(states) == 2 else states[0])
        out, h = self.m(packed, hx)
        padded, lens = tu.pad_packed_sequence(out, batch_first=self.bf)
        return (padded, lens) + (tuple(h) if isinstance(h, tuple) else (h,))


class _PackedNp(nn.Module):
    def __init__(self, m: nn.Module, lengths: list, enforce_sorted: bool, batch_first: bool) -> None:
        super().__init__()
        self.m, self.lengths, self.sorted, self.bf = m, lengths, enforce_sorted, batch_first

    def forward(self, x, *states):  # noqa: ANN001, ANN201
        packed = nu.pack_padded_sequence(x, self.lengths, batch_first=self.bf, enforce_sorted=self.sorted)
        hx = None if not states else (tuple(states) if len(states) == 2 else states[0])
        out, h = self.m(packed, hx)
        assert isinstance(out, nu.PackedSequence)
        padded, lens = nu.pad_packed_sequence(out, batch_first=self.bf)
        return (padded, lens) + (tuple(h) if isinstance(h, tuple) else (h,))


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("enforce_sorted,with_h0,batch_first", [(True, False, False), (False, True, False),
                                                                 (False, False, True)])
def test_packed_parity(mode: str, enforce_sorted: bool, with_h0: bool, batch_first: bool) -> None:
    nm, tm = _pair(mode, 3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    lengths = [5, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4]
    rs = np.random.default_rng(5)
    x = rs.standard_normal((4, 5, 3) if batch_first else (5, 4, 3))
    states = _states(mode, nm, 4, rs, np.float64) if with_h0 else []
    assert_module_parity(_PackedNp(nm, lengths, enforce_sorted, batch_first),
                         _PackedTorch(tm, lengths, enforce_sorted, batch_first), x, *states)


def test_packed_lstm_proj_float32() -> None:
    nm, tm = _pair("lstm", 3, 6, num_layers=2, bidirectional=True, proj_size=2, dtype=torch.float32)
    x = np.random.default_rng(6).standard_normal((6, 3, 3)).astype(np.float32)
    assert_module_parity(_PackedNp(nm, [3, 6, 4], False, False), _PackedTorch(tm, [3, 6, 4], False, False), x,
                         rtol=1e-5, atol=2e-6)


# ----------------------------------------------------------------------------- cells
CELLS = {
    "rnn_tanh": (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "tanh"}),
    "rnn_relu": (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTMCell, torch.nn.LSTMCell, {}),
    "gru": (nn.GRUCell, torch.nn.GRUCell, {}),
}


class _CellTorch(torch.nn.Module):
    def __init__(self, m: torch.nn.Module) -> None:
        super().__init__()
        self.m = m

    def forward(self, x, *states):  # noqa: ANN001, ANN201
        hx = None if not states else (tuple(states) if len(states) == 2 else states[0])
        return self.m(x, hx)


class _CellNp(nn.Module):
    def __init__(self, m: nn.Module) -> None:
        super().__init__()
        self.m = m

    def forward(self, x, *states):  # noqa: ANN001, ANN201
        hx = None if not states else (tuple(states) if len(states) == 2 else states[0])
        return self.m(x, hx)


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("batched,with_h,bias,dtype", [(True, True, True, np.float64), (False, True, False, np.float64),
                                                        (True, False, True, np.float64), (True, True, True, np.float32)])
def test_cell_parity(kind: str, batched: bool, with_h: bool, bias: bool, dtype: type) -> None:
    np_cls, t_cls, kw = CELLS[kind]
    torch.manual_seed(0)
    tm = t_cls(4, 5, bias=bias, **kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    nm = np_cls(4, 5, bias=bias, **kw).to(npgrad.float64 if dtype == np.float64 else npgrad.float32)
    rs = np.random.default_rng(7)
    lead = (3,) if batched else ()
    x = rs.standard_normal(lead + (4,)).astype(dtype)
    states = [rs.standard_normal(lead + (5,)).astype(dtype) for _ in range(2 if kind == "lstm" else 1)] if with_h else []
    tol = {} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    assert_module_parity(_CellNp(nm), _CellTorch(tm), x, *states, **tol)


def test_cell_loop_matches_layer() -> None:
    """Unrolling LSTMCell over time equals LSTM (shared weights), gradients included."""
    cell, layer = nn.LSTMCell(3, 4).double(), nn.LSTM(3, 4).double()
    for a, b in (("weight_ih", "weight_ih_l0"), ("weight_hh", "weight_hh_l0"), ("bias_ih", "bias_ih_l0"),
                 ("bias_hh", "bias_hh_l0")):
        getattr(layer, b).data[...] = getattr(cell, a).data
    x = npgrad.randn(6, 2, 3, dtype=npgrad.float64, requires_grad=True)
    out, (h, c) = layer(x)
    hc, outs = None, []
    for t in range(6):
        hc = cell(x[t], hc)
        outs.append(hc[0])
    np.testing.assert_allclose(npgrad.stack(outs).data, out.data, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hc[1].data, c[0].data, rtol=1e-12, atol=1e-14)
    g1 = npgrad.autograd.grad([out.sum()], [x])[0]
    g2 = npgrad.autograd.grad([npgrad.stack(outs).sum()], [x])[0]
    np.testing.assert_allclose(g1.data, g2.data, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_gradcheck(mode: str) -> None:
    nm, _ = _pair(mode, 2, 3, bidirectional=True, **({"proj_size": 2} if mode == "lstm" else {}))
    names, params = zip(*nm.named_parameters())
    x = npgrad.randn(3, 2, 2, dtype=npgrad.float64, requires_grad=True)
    h0 = npgrad.randn(2, 2, nm.proj_size or 3, dtype=npgrad.float64, requires_grad=True)

    def fn(x, h0, *ps):  # noqa: ANN001, ANN202
        nm._parameters.update(zip(names, ps))  # gradcheck passes perturbed copies of the parameters
        hx = (h0, npgrad.ones(2, 2, 3, dtype=npgrad.float64)) if mode == "lstm" else h0
        out, h = nm(x, hx)
        return (out, h[1]) if mode == "lstm" else (out, h)

    assert npgrad.autograd.gradcheck(fn, (x, h0, *params), eps=1e-6, atol=1e-7)


def test_double_backward_raises_clearly() -> None:
    m = nn.GRU(2, 3).double()
    x = npgrad.randn(2, 1, 2, dtype=npgrad.float64, requires_grad=True)
    (g,) = npgrad.autograd.grad([m(x)[0].sum()], [x], create_graph=True)
    with pytest.raises(RuntimeError, match="RecurrentLayer"):
        g.sum().backward()


# ----------------------------------------------------------------------------- module API
@pytest.mark.parametrize("mode", list(MODES))
def test_parameter_names_shapes_and_init(mode: str) -> None:
    nm, tm = _pair(mode, 3, 5, num_layers=2, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in nm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    bound = 1 / np.sqrt(5)
    for p in nm.parameters():
        assert p.requires_grad and np.all(np.abs(p.data) <= bound) and np.std(p.data) > 0.1 * bound
    assert repr(nm) == repr(tm)
    assert [[tuple(p.shape) for p in ws] for ws in nm.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in tm.all_weights]


def test_reprs_and_defaults() -> None:
    for nm, tm in [(nn.LSTM(4, 6, 2, bidirectional=True, proj_size=3, batch_first=True, bias=False),
                    torch.nn.LSTM(4, 6, 2, bidirectional=True, proj_size=3, batch_first=True, bias=False)),
                   (nn.RNN(4, 6, 1, "relu"), torch.nn.RNN(4, 6, 1, "relu")),
                   (nn.LSTMCell(4, 6, bias=False), torch.nn.LSTMCell(4, 6, bias=False)),
                   (nn.RNNCell(4, 6, nonlinearity="relu"), torch.nn.RNNCell(4, 6, nonlinearity="relu")),
                   (nn.GRUCell(4, 6), torch.nn.GRUCell(4, 6))]:
        assert repr(nm) == repr(tm)
        assert [n for n, _ in nm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert nn.GRU(2, 3).weight_ih_l0.dtype == npgrad.float32


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.LSTM(3, 0)
    with pytest.raises(TypeError, match="input_size should be of type int"):
        nn.GRU(3.0, 4)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


def test_forward_errors() -> None:
    m = nn.LSTM(3, 4, 2).double()
    x = npgrad.randn(5, 2, 3, dtype=npgrad.float64)
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        m(npgrad.randn(1, 5, 2, 3, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size. Expected 3, got 2"):
        m(npgrad.randn(5, 2, 2, dtype=npgrad.float64))
    h = npgrad.zeros(2, 2, 4, dtype=npgrad.float64)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 2, 4\), got \[3, 2, 4\]"):
        m(x, (npgrad.zeros(3, 2, 4, dtype=npgrad.float64), h))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(2, 2, 4\), got \[2, 3, 4\]"):
        m(x, (h, npgrad.zeros(2, 3, 4, dtype=npgrad.float64)))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx and cx should also be 3-D"):
        m(x, (h[0], h[0]))
    with pytest.raises(ValueError, match="RNN input dtype"):
        m(npgrad.randn(5, 2, 3))
    g = nn.GRU(3, 4).double()
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"):
        g(npgrad.randn(5, 3, dtype=npgrad.float64), npgrad.zeros(1, 1, 4, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"):
        g(x, npgrad.zeros(1, 3, 4, dtype=npgrad.float64))
    cell = nn.LSTMCell(3, 4).double()
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 2 expected 3"):
        cell(npgrad.randn(2, 2, dtype=npgrad.float64))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden0 batch size 3"):
        cell(npgrad.randn(2, 3, dtype=npgrad.float64), (npgrad.zeros(3, 4, dtype=npgrad.float64),) * 2)
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D instead"):
        cell(npgrad.randn(1, 2, 3, dtype=npgrad.float64))


def test_dropout_between_layers() -> None:
    nm, tm = _pair("lstm", 3, 4, num_layers=3, dropout=0.5)
    copy_torch_params(nm, tm)
    x = np.random.default_rng(8).standard_normal((5, 2, 3))
    nm.eval()
    tm.eval()
    out_eval = nm(npgrad.tensor(x))[0]
    np.testing.assert_allclose(out_eval.data, tm(torch.tensor(x))[0].detach().numpy(), rtol=1e-10, atol=1e-12)
    nm.train()
    outs = [nm(npgrad.tensor(x))[0].data for _ in range(2)]
    assert not np.allclose(outs[0], out_eval.data) and not np.allclose(outs[0], outs[1])
    # p = 1 zeroes every inter-layer activation: deterministic and equal to torch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nm1, tm1 = _pair("gru", 3, 4, num_layers=2, dropout=1.0)
    assert_module_parity(_NpWrap(nm1, False), _TorchWrap(tm1, False), x)


# ----------------------------------------------------------------------------- nn.utils.rnn
def test_pack_padded_sequence_matches_torch() -> None:
    x = np.random.default_rng(9).standard_normal((5, 4, 2))
    for lengths, enforce, bf in [([5, 3, 3, 1], True, False), ([2, 5, 1, 4], False, False), ([3, 1, 4, 2], False, True)]:
        data = x.transpose(1, 0, 2).copy() if bf else x
        tp = tu.pack_padded_sequence(torch.tensor(data), lengths, batch_first=bf, enforce_sorted=enforce)
        npk = nu.pack_padded_sequence(npgrad.tensor(data), npgrad.tensor(lengths), batch_first=bf,
                                      enforce_sorted=enforce)
        np.testing.assert_array_equal(npk.data.data, tp.data.numpy())
        np.testing.assert_array_equal(npk.batch_sizes.data, tp.batch_sizes.numpy())
        assert npk.batch_sizes.dtype == npgrad.int64
        for a, b in ((npk.sorted_indices, tp.sorted_indices), (npk.unsorted_indices, tp.unsorted_indices)):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a.data, b.numpy())
        for bf_out, total in ((False, None), (True, 7)):
            tpad, tl = tu.pad_packed_sequence(tp, batch_first=bf_out, padding_value=-1.5, total_length=total)
            npad, nl = nu.pad_packed_sequence(npk, batch_first=bf_out, padding_value=-1.5, total_length=total)
            np.testing.assert_array_equal(npad.data, tpad.numpy())
            np.testing.assert_array_equal(nl.data, tl.numpy())


def test_pack_pad_gradients_and_roundtrip() -> None:
    x_np = np.random.default_rng(10).standard_normal((4, 3, 2))
    xt = torch.tensor(x_np, requires_grad=True)
    xn = npgrad.tensor(x_np, requires_grad=True)
    w = np.random.default_rng(11).standard_normal((5, 3, 2))
    tpad, _ = tu.pad_packed_sequence(tu.pack_padded_sequence(xt, [2, 4, 1], enforce_sorted=False), total_length=5)
    npad, _ = nu.pad_packed_sequence(nu.pack_padded_sequence(xn, [2, 4, 1], enforce_sorted=False), total_length=5)
    (tpad * torch.tensor(w)).sum().backward()
    (npad * npgrad.tensor(w)).sum().backward()
    np.testing.assert_array_equal(npad.data, tpad.detach().numpy())
    np.testing.assert_array_equal(xn.grad.data, xt.grad.numpy())
    assert npgrad.autograd.gradcheck(lambda a: nu.pad_packed_sequence(nu.pack_padded_sequence(a, [3, 1, 2],
                                                                                              enforce_sorted=False))[0],
                                     (npgrad.randn(3, 3, 2, dtype=npgrad.float64, requires_grad=True),))


@pytest.mark.parametrize("batch_first,side", [(False, "right"), (True, "left"), (True, "right")])
def test_pad_sequence_matches_torch(batch_first: bool, side: str) -> None:
    rs = np.random.default_rng(12)
    seqs = [rs.standard_normal((n, 2, 3)) for n in (3, 5, 1)]
    tseqs = [torch.tensor(s, requires_grad=True) for s in seqs]
    nseqs = [npgrad.tensor(s, requires_grad=True) for s in seqs]
    tp = tu.pad_sequence(tseqs, batch_first=batch_first, padding_value=2.0, padding_side=side)
    npd = nu.pad_sequence(nseqs, batch_first=batch_first, padding_value=2.0, padding_side=side)
    np.testing.assert_array_equal(npd.data, tp.detach().numpy())
    w = rs.standard_normal(tuple(tp.shape))
    (tp * torch.tensor(w)).sum().backward()
    (npd * npgrad.tensor(w)).sum().backward()
    for a, b in zip(nseqs, tseqs):
        np.testing.assert_array_equal(a.grad.data, b.grad.numpy())


def test_pack_sequence_unpack_unpad() -> None:
    seqs = [npgrad.tensor([1.0, 2.0, 3.0]), npgrad.tensor([4.0, 5.0]), npgrad.tensor([6.0])]
    packed = nu.pack_sequence(seqs)
    tpacked = tu.pack_sequence([torch.tensor(s.data) for s in seqs])
    np.testing.assert_array_equal(packed.data.data, tpacked.data.numpy())
    np.testing.assert_array_equal(packed.batch_sizes.data, tpacked.batch_sizes.numpy())
    for a, b in zip(nu.unpack_sequence(nu.pack_sequence(seqs[::-1], enforce_sorted=False)), seqs[::-1]):
        np.testing.assert_array_equal(a.data, b.data)
    padded = nu.pad_sequence(seqs)
    for a, b in zip(nu.unpad_sequence(padded, npgrad.tensor([3, 2, 1])), seqs):
        np.testing.assert_array_equal(a.data, b.data)
    assert "PackedSequence(data=" in repr(packed)
    assert packed.double().data.dtype == npgrad.float64 and packed.to(npgrad.float32) is packed


def test_pack_errors() -> None:
    x = npgrad.randn(4, 3, 2)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order when `enforce_sorted` is True"):
        nu.pack_padded_sequence(x, [2, 3, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        nu.pack_padded_sequence(x, [3, 2, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 2"):
        nu.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest"):
        nu.pad_packed_sequence(nu.pack_padded_sequence(x, [3, 2, 1]), total_length=2)
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        nu.pad_sequence([])
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right, but got up."):
        nu.pad_sequence([x], padding_side="up")
