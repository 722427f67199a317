"""Variable-length sequences for the recurrent layers (torch.nn.utils.rnn).

A ``PackedSequence`` stores a batch of sequences sorted by decreasing length, time step after time
step: ``data`` holds, for t = 0, 1, ..., the rows of the ``batch_sizes[t]`` sequences still running
at step t. Packing and padding are pure row gathers/scatters, done here by one differentiable
``_Take``/``_Put`` pair (each is the other's backward, so double backward works).
"""
from __future__ import annotations

from typing import Any, Iterable, NamedTuple, Sequence

import numpy as np

from ... import _dtype
from ...autograd.function import Function
from ...ops.shape import cat, reshape, slice_view, transpose
from ...tensor import Tensor

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
    "unpad_sequence", "pack_sequence", "unpack_sequence",
]


# ----------------------------------------------------------------------------- gather / scatter of slices
class _Take(Function):
    """``x[..., idx, ...]`` along ``axis`` with distinct indices; backward scatters into zeros."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, idx: np.ndarray, axis: int) -> np.ndarray:
        ctx.idx, ctx.axis, ctx.size = idx, axis, x.data.shape[axis]
        return np.take(x.data, idx, axis=axis)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _Put.apply(grad, ctx.idx, ctx.axis, ctx.size, 0.0), None, None


class _Put(Function):
    """A tensor of ``size`` slices along ``axis`` filled with ``fill``, with ``x``'s slices put at ``idx``."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, idx: np.ndarray, axis: int, size: int, fill: float) -> np.ndarray:
        ctx.idx, ctx.axis = idx, axis
        shape = x.data.shape[:axis] + (size,) + x.data.shape[axis + 1:]
        out = np.full(shape, fill, dtype=x.data.dtype)
        out[(slice(None),) * axis + (idx,)] = x.data
        return out

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return _Take.apply(grad, ctx.idx, ctx.axis), None, None, None, None


def _index_array(index: Any) -> np.ndarray:
    return np.asarray(index.data if isinstance(index, Tensor) else index, dtype=np.int64)


def apply_permutation(x: Tensor, permutation: Tensor | None, dim: int = 1) -> Tensor:
    """``x.index_select(dim, permutation)`` (how the RNNs reorder hidden states of a PackedSequence)."""
    if permutation is None:
        return x
    return _Take.apply(x, _index_array(permutation), dim)


# ----------------------------------------------------------------------------- PackedSequence
class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """Packed batch of variable-length sequences: ``(data, batch_sizes, sorted_indices, unsorted_indices)``.

    ``data`` is ``(sum(batch_sizes), *)``; ``batch_sizes[t]`` (an int64 tensor) is the number of
    sequences longer than ``t``. ``sorted_indices[j]`` is the original batch index of the j-th longest
    sequence and ``unsorted_indices`` its inverse. Made by ``pack_padded_sequence``/``pack_sequence``.
    """

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> "PackedSequence":
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> "PackedSequence":
        """Convert ``data`` like ``Tensor.to``; returns ``self`` when nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self) -> "PackedSequence":
        return self.to(dtype=_dtype.float64)

    def float(self) -> "PackedSequence":
        return self.to(dtype=_dtype.float32)

    def half(self) -> "PackedSequence":
        return self.to(dtype=_dtype.float16)

    def long(self) -> "PackedSequence":
        return self.to(dtype=_dtype.int64)

    def int(self) -> "PackedSequence":
        return self.to(dtype=_dtype.int32)

    def cpu(self, *args: Any, **kwargs: Any) -> "PackedSequence":
        return self

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation (``out[permutation[i]] = i``); None stays None."""
    if permutation is None:
        return None
    perm = _index_array(permutation)
    out = np.empty_like(perm)
    out[perm] = np.arange(perm.size, dtype=np.int64)
    return Tensor._make(out)


def _batch_sizes_of(lengths: np.ndarray) -> np.ndarray:
    """``batch_sizes[t]`` = number of sequences longer than t, for lengths sorted decreasingly."""
    steps = np.arange(int(lengths[0]) if lengths.size else 0)
    return (lengths[None, :] > steps[:, None]).sum(1).astype(np.int64)


def _flat_rows(batch_sizes: np.ndarray, order: np.ndarray, n_batch: int, n_time: int, batch_first: bool,
               shift: np.ndarray | None = None) -> np.ndarray:
    """Row of the flattened padded (T*B or B*T) tensor for every packed row, in packed order.

    ``order[j]`` is the padded batch column of the j-th packed sequence; ``shift`` (per packed
    sequence) moves a sequence right in time (left padding).
    """
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    j = np.arange(int(batch_sizes.sum())) - np.repeat(np.cumsum(batch_sizes) - batch_sizes, batch_sizes)
    if shift is not None:
        t = t + shift[j]
    b = order[j]
    return (b * n_time + t) if batch_first else (t * n_batch + b)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded ``(T, B, *)`` (or ``(B, T, *)``) batch whose b-th sequence has ``lengths[b]`` steps.

    With ``enforce_sorted=False`` the sequences are sorted by decreasing length (stable) first and
    the permutation is recorded in ``sorted_indices``.
    """
    lens = _index_array(lengths).reshape(-1)
    if input.ndim < 2:
        raise RuntimeError(f"pack_padded_sequence expects an input of at least 2 dimensions, got {input.ndim}")
    n_time, n_batch = (input.shape[1], input.shape[0]) if batch_first else (input.shape[0], input.shape[1])
    if lens.size != n_batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                           f"(batch_size={n_batch})")
    if enforce_sorted:
        sorted_indices = None
        order = np.arange(n_batch)
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
                "if you do not need ONNX exportability."
            )
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = Tensor._make(order.astype(np.int64))
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if lens.size and lens[0] > n_time:
        raise RuntimeError(f"Expected all lengths to be at most the padded length {n_time}, but got {int(lens[0])}")
    batch_sizes = _batch_sizes_of(lens)
    rows = _flat_rows(batch_sizes, order, n_batch, n_time, batch_first)
    flat = reshape(input, (n_time * n_batch,) + tuple(input.shape[2:]))
    data = _Take.apply(flat, rows, 0)
    return PackedSequence(data, Tensor._make(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Inverse of ``pack_padded_sequence``: ``(padded, lengths)`` in the original batch order."""
    batch_sizes = _index_array(sequence.batch_sizes)
    max_len = batch_sizes.size
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {max_len}"
            )
        max_len = int(total_length)
    n_batch = int(batch_sizes[0]) if batch_sizes.size else 0
    order = (_index_array(sequence.sorted_indices) if sequence.sorted_indices is not None
             else np.arange(n_batch))
    rows = _flat_rows(batch_sizes, order, n_batch, max_len, batch_first)
    data = sequence.data
    flat = _Put.apply(data, rows, 0, max_len * n_batch, float(padding_value))
    lead = (n_batch, max_len) if batch_first else (max_len, n_batch)
    padded = reshape(flat, lead + tuple(data.shape[1:]))
    lengths_sorted = (batch_sizes[None, :] > np.arange(n_batch)[:, None]).sum(1).astype(np.int64)
    lengths = np.empty_like(lengths_sorted)
    lengths[order] = lengths_sorted
    return padded, Tensor._make(lengths)


def pad_sequence(sequences: Iterable[Tensor] | Tensor, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack ``L_i x *`` tensors into ``T x B x *`` (``B x T x *`` if batch_first), padding with ``padding_value``."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    trailing = tuple(seqs[0].shape[1:])
    for s in seqs:
        if tuple(s.shape[1:]) != trailing:
            for d, (a, b) in enumerate(zip(trailing, s.shape[1:])):
                if a != b:
                    raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                       f"non-singleton dimension {d + 1}")
            raise RuntimeError(f"pad_sequence: all sequences must have the same trailing dimensions {list(trailing)}, "
                               f"got {list(s.shape[1:])}")
    lens = np.asarray([s.shape[0] for s in seqs], dtype=np.int64)
    n_batch, n_time = len(seqs), int(lens.max())
    # rows of every sequence in concatenation order: sequence b, step t -> padded (t [+ shift], b)
    b = np.repeat(np.arange(n_batch), lens)
    t = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t = t + (n_time - lens)[b]
    rows = (b * n_time + t) if batch_first else (t * n_batch + b)
    flat = _Put.apply(cat(seqs, 0), rows, 0, n_time * n_batch, float(padding_value))
    lead = (n_batch, n_time) if batch_first else (n_time, n_batch)
    return reshape(flat, lead + trailing)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its ``lengths[b] x *`` sequences (views)."""
    lens = _index_array(lengths).reshape(-1)
    padded = padded_sequences if batch_first else transpose(padded_sequences, 0, 1)
    return [slice_view(padded, (b, slice(0, int(n)))) for b, n in enumerate(lens)]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """``pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=...)``."""
    lengths = [int(s.shape[0]) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of variable-length sequences held by a PackedSequence, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
