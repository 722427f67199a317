"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells (torch.nn's API and math).

Every layer and direction is one call of the fused kernel in ``npgrad/nn/_functional/rnn.py``: one
GEMM projects the whole input sequence (``x @ W_ih^T + b_ih``), a loop over time runs only the
recurrent part, and the backward through time is hand-written. Inputs are handled in the packed
layout (``(N, features)`` rows, time step after time step), so a ``PackedSequence`` and a padded
``(T, B, *)`` batch take the same path. Gate order and formulas are torch's (LSTM: i, f, g, o;
GRU: r, z, n with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``); every weight and bias is
initialised from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ...ops.shape import cat, reshape, squeeze, stack, transpose, unbind, unsqueeze
from ...tensor import Tensor
from .. import init
from .._functional.dropout import dropout
from .._functional.rnn import _GATES, recurrent_layer
from ..parameter import Parameter
from ._params import empty_param as _empty_param
from .module import Module
from .rnn_utils import PackedSequence, apply_permutation

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

def _zeros(shape: tuple, like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype=like.data.dtype))


class RNNBase(Module):
    """Shared machinery of ``RNN``/``LSTM``/``GRU``: parameters, argument checks and the layer loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * num_directions
            for direction in range(num_directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for base, shape in shapes:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, _empty_param(shape, dtype))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    # ----------------------------------------------------------------- parameters
    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """No-op (cuDNN weight flattening has no meaning on the NumPy backend)."""

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ----------------------------------------------------------------- checks (torch's messages)
    def check_input(self, input: Tensor, batch_sizes: Any) -> None:  # noqa: A002
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert input: "
                f"input.to({weight.dtype}), or convert model: model.to({input.dtype})"
            )
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Any) -> tuple[int, int, int]:  # noqa: A002
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.proj_size if self.proj_size > 0 else self.hidden_size)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Any) -> tuple[int, int, int]:  # noqa: A002
        layers, batch, _ = self.get_expected_hidden_size(input, batch_sizes)
        return (layers, batch, self.hidden_size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Any, batch_sizes: Any) -> None:  # noqa: A002
        self.check_input(input, batch_sizes)
        if self.mode == "LSTM":
            self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                                   "Expected hidden[0] size {}, got {}")
            self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                                   "Expected hidden[1] size {}, got {}")
        else:
            self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Any, permutation: Tensor | None) -> Any:
        if permutation is None or hx is None:
            return hx
        if isinstance(hx, tuple):
            return tuple(apply_permutation(h, permutation) for h in hx)
        return apply_permutation(hx, permutation)

    # ----------------------------------------------------------------- forward
    def forward(self, input: Any, hx: Any = None) -> tuple:  # noqa: A002
        """``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``) for a padded batch or a PackedSequence."""
        lstm = self.mode == "LSTM"
        if isinstance(input, PackedSequence):
            data, batch_sizes_t = input.data, input.batch_sizes
            batch_sizes = [int(b) for b in np.asarray(batch_sizes_t.data)]
            if hx is not None:
                self.check_forward_args(data, hx, batch_sizes)
                hx = self.permute_hidden(hx, input.sorted_indices)
            else:
                self.check_input(data, batch_sizes)
            out, h_n = self._run(data, batch_sizes, hx)
            h_n = self.permute_hidden(h_n, input.unsorted_indices)
            return PackedSequence(out, batch_sizes_t, input.sorted_indices, input.unsorted_indices), h_n
        if input.dim() not in (2, 3):
            kind = "RNN" if self.mode.startswith("RNN") else self.mode
            tail = " tensor" if kind == "RNN" else ""
            raise ValueError(f"{kind}: Expected input to be 2D or 3D, got {input.dim()}D{tail} instead")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = unsqueeze(input, batch_dim)
        if hx is not None:
            hx = self._batched_hidden(hx, batched)
            self.check_forward_args(input, hx, None)
        else:
            self.check_input(input, None)
        seq = transpose(input, 0, 1) if self.batch_first else input
        n_time, n_batch = seq.shape[0], seq.shape[1]
        if n_time == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        out, h_n = self._run(reshape(seq, (n_time * n_batch, self.input_size)), [n_batch] * n_time, hx)
        out = reshape(out, (n_time, n_batch, out.shape[-1]))
        if self.batch_first:
            out = transpose(out, 0, 1)
        if not batched:
            out = squeeze(out, batch_dim)
            h_n = tuple(squeeze(h, 1) for h in h_n) if lstm else squeeze(h_n, 1)
        return out, h_n

    def _batched_hidden(self, hx: Any, batched: bool) -> Any:
        """Check hx's rank against the input's and add the batch dim for unbatched input."""
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if self.mode == "LSTM":
            if hx[0].dim() != want or hx[1].dim() != want:
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            return hx if batched else (unsqueeze(hx[0], 1), unsqueeze(hx[1], 1))
        if hx.dim() != want:
            raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor")
        return hx if batched else unsqueeze(hx, 1)

    def _run(self, x: Tensor, batch_sizes: list[int], hx: Any) -> tuple:
        """All layers over packed rows ``x`` (N, input_size) -> ``(out (N, D*H_out), h_n[, c_n])``."""
        lstm = self.mode == "LSTM"
        num_directions = 2 if self.bidirectional else 1
        n_batch = batch_sizes[0] if batch_sizes else 0
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0s = [_zeros((n_batch, real_hidden), x)] * (self.num_layers * num_directions)
            c0s = [_zeros((n_batch, self.hidden_size), x)] * len(h0s) if lstm else None
        else:
            h0s = list(unbind(hx[0] if lstm else hx, 0))
            c0s = list(unbind(hx[1], 0)) if lstm else None
        h_n, c_n = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(k)
                res = recurrent_layer(self.mode, layer_in, w_ih, b_ih, h0s[k], c0s[k] if lstm else None,
                                      w_hh, b_hh, w_hr, batch_sizes, direction == 1)
                outs.append(res[0])
                h_n.append(res[1])
                if lstm:
                    c_n.append(res[2])
            layer_in = outs[0] if num_directions == 1 else cat(outs, 1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_in = dropout(layer_in, self.dropout, True)
        hidden = (stack(h_n, 0), stack(c_n, 0)) if lstm else stack(h_n, 0)
        return layer_in, hidden

    def _layer_weights(self, k: int) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of layer-direction ``k`` (None where absent)."""
        names = self._all_weights[k]
        params = [getattr(self, n) for n in names]
        w_ih, w_hh = params[0], params[1]
        b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
        w_hr = params[-1] if self.proj_size > 0 else None
        return w_ih, w_hh, b_ih, b_hh, w_hr


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU), stacked and bidirectional.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, device=None, dtype=None)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, torch's gates i, f, g, o; with ``proj_size > 0``, ``h_t = W_hr (o * tanh(c_t))``.

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None)``; ``forward(input, (h_0, c_0)=None)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: r, z = sigma(.), n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1-z) n + z h.

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ----------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One time step; parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` like torch."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = _empty_param((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = _empty_param((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _empty_param((num_chunks * hidden_size,), dtype)
            self.bias_hh = _empty_param((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, mode: str, input: Tensor, states: tuple) -> tuple:  # noqa: A002
        """One step of the fused kernel on a batch: ``states`` is ``(h,)`` or ``(h, c)``."""
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for k, s in enumerate(states):
            if s.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{k} batch size {s.size(0)}")
            if s.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {s.size(1)}, expected {self.hidden_size}")
        if input.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype} and {self.weight_ih.dtype}")
        c0 = states[1] if len(states) > 1 else None
        res = recurrent_layer(mode, input, self.weight_ih, self.bias_ih, states[0], c0, self.weight_hh,
                              self.bias_hh, None, [input.size(0)], False)
        return res[1:]

    def _prepare(self, input: Tensor, hx: Any, n_states: int) -> tuple:  # noqa: A002
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = () if hx is None else ((hx,) if n_states == 1 else tuple(hx))
        for k, s in enumerate(states):
            if s.dim() not in (1, 2):
                what = "hidden" if n_states == 1 else f"hx[{k}]"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = unsqueeze(input, 0)
            states = tuple(unsqueeze(s, 0) for s in states)
        if not states:
            states = (_zeros((input.size(0), self.hidden_size), input),) * n_states
        return input, states, batched


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU); ``RNNCell(input_size, hidden_size, bias=True,
    nonlinearity='tanh')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        input, states, batched = self._prepare(input, hx, 1)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        (h,) = self._step("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", input, states)
        return h if batched else squeeze(h, 0)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h', c') = LSTMCell(x, (h, c))`` with torch's gates i, f, g, o."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        input, states, batched = self._prepare(input, hx, 2)
        h, c = self._step("LSTM", input, states)
        return (h, c) if batched else (squeeze(h, 0), squeeze(c, 0))


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = GRUCell(x, h)`` with torch's gates r, z, n."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        input, states, batched = self._prepare(input, hx, 1)
        (h,) = self._step("GRU", input, states)
        return h if batched else squeeze(h, 0)
