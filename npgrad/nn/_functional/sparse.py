"""``F.embedding``: row lookup ``weight[input]`` with torch's padding_idx / max_norm / scale_grad_by_freq.

Backward scatter-adds the output gradient rows into a (num_embeddings, dim) gradient: indices are
sorted once and duplicates summed vectorised (see ``_scatter_rows``; no loop over lookups). Rows at
``padding_idx`` get no gradient; with ``scale_grad_by_freq`` each row's gradient is divided by how
often its index occurs in the batch. The scatter is itself a Function whose backward is the lookup
(padding rows zeroed, frequency scaling not re-applied: torch's rule), so double backward works.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

__all__ = ["embedding"]


def _row_factor(flat: np.ndarray, num: int, padding_idx: int, scale: bool, dtype: np.dtype) -> np.ndarray | None:
    """Per-lookup gradient factor: 0 at padding_idx, 1 / count(index) with scale_grad_by_freq."""
    if padding_idx < 0 and not scale:
        return None
    f = np.ones(flat.shape[0], dtype)
    if scale:
        f /= np.bincount(flat, minlength=num)[flat]
    if padding_idx >= 0:
        f[flat == padding_idx] = 0
    return f


_ROUNDS = 4  # occurrences per index handled by plain fancy-index adds before falling back to reduceat


def _scatter_rows(g2: np.ndarray, flat: np.ndarray, num: int) -> np.ndarray:
    """out[k] = sum of g2[i] over i with flat[i] == k.

    Indices are sorted once; each index's first occurrence is assigned directly and its next few
    occurrences added round by round (within a round every index appears once, so a fancy-index
    ``+=`` is exact); occurrences beyond ``_ROUNDS`` (hot indices such as padding) are summed per
    run with ``np.add.reduceat``. Much faster than ``np.add.at`` for typical token batches.
    """
    out = np.zeros((num, g2.shape[1]), g2.dtype)
    if flat.size == 0:
        return out
    order = np.argsort(flat, kind="stable")
    s, gs = flat[order], g2[order]
    first = np.concatenate(([True], s[1:] != s[:-1]))
    out[s[first]] = gs[first]
    if first.all():
        return out
    starts = np.flatnonzero(first)
    rank = np.arange(s.shape[0]) - starts[np.cumsum(first) - 1]  # occurrence number within its run
    for r in range(1, min(int(rank.max()), _ROUNDS) + 1):
        sel = rank == r
        out[s[sel]] += gs[sel]
    rest = rank > _ROUNDS
    if rest.any():
        sr, gr = s[rest], gs[rest]
        run = np.flatnonzero(np.concatenate(([True], sr[1:] != sr[:-1])))
        out[sr[run]] += np.add.reduceat(gr, run, axis=0)
    return out


class _Embedding(Function):
    """out = weight[idx]; d weight = scatter-add of the output grad rows (times the row factor)."""

    @staticmethod
    def forward(ctx: Function, weight: Tensor, idx: np.ndarray, padding_idx: int, scale: bool) -> np.ndarray:
        ctx.args = (idx, weight.data.shape[0], padding_idx, scale)
        return np.take(weight.data, idx, axis=0)

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        return (_EmbeddingBackward.apply(grad, *ctx.args), None, None, None)


class _EmbeddingBackward(Function):
    """grad (*idx.shape, D) -> (num, D) scatter-add; its adjoint is the lookup again."""

    @staticmethod
    def forward(ctx: Function, grad: Tensor, idx: np.ndarray, num: int, padding_idx: int, scale: bool) -> np.ndarray:
        flat = idx.reshape(-1)
        g2 = grad.data.reshape(flat.shape[0], grad.data.shape[-1])
        factor = _row_factor(flat, num, padding_idx, scale, g2.dtype)
        if factor is not None:
            g2 = g2 * factor[:, None]
        ctx.idx, ctx.padding_idx = idx, padding_idx
        return _scatter_rows(g2, flat, num)

    @staticmethod
    def backward(ctx: Function, gg: Tensor) -> tuple:
        # torch's embedding_dense_double_backward: the lookup with padding rows zeroed; the frequency
        # scaling is left to the first backward (it is not re-applied here)
        out = _Embedding.apply(gg, ctx.idx, -1, False)
        if ctx.padding_idx >= 0:
            keep = (ctx.idx != ctx.padding_idx).astype(gg.data.dtype)
            out = out * Tensor._make(keep.reshape(ctx.idx.shape + (1,)))
        return out, None, None, None, None


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """In place, no grad: rows of ``weight`` used by ``idx`` with norm > max_norm are scaled to max_norm."""
    rows = np.unique(idx)
    w = weight.data
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = max_norm / (norms[big] + 1e-7)
        w[rows[big]] = (w[rows[big]] * scale[:, None]).astype(w.dtype)
        weight._bump_version()


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) at integer ``input``: out shape input.shape + (dim,).

    ``sparse=True`` is accepted; the gradient is returned dense.
    """
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype not in (np.int64, np.int32):
        from ..._tensor_convert import _TYPE_NAMES

        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got npgrad.{_TYPE_NAMES.get(idx.dtype.name, idx.dtype.name)} instead (while checking arguments "
            "for embedding)"
        )
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    else:
        padding_idx = -1
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with no_grad():
            _renorm_rows(weight, idx, max_norm, norm_type)
    return _Embedding.apply(weight, idx.astype(np.int64, copy=False), padding_idx, scale_grad_by_freq)
