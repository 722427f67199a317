"""What every loss of ``npgrad.nn.functional`` shares: the ``reduction`` argument and small helpers.

A loss first computes one value per element (or per sample), then reduces it with ``reduction``:
'none' keeps them, 'sum' adds them up and 'mean' averages them. torch's legacy ``size_average`` /
``reduce`` flags are translated into a ``reduction`` (with torch's deprecation warning).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")


def resolve_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """The effective reduction: torch's legacy ``size_average``/``reduce`` flags win over ``reduction``.

    Either flag being set warns (like torch) and maps (reduce=False) -> 'none', (size_average=False)
    -> 'sum', otherwise 'mean'. Raises ValueError for a reduction outside {'none', 'mean', 'sum'}.
    """
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                      stacklevel=3)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """``loss.mean()`` for 'mean', ``loss.sum()`` for 'sum', ``loss`` itself for 'none'."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def const_like(value: Any, like: Tensor) -> Tensor:
    """A constant tensor in ``like``'s dtype (float32 math stays float32)."""
    return Tensor._make(np.asarray(value, dtype=like.data.dtype))


def warn_size_mismatch(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """torch's warning when ``target``'s shape differs from ``input``'s (they would be broadcast)."""
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def weighted_reduce(loss: Tensor, weight: Tensor | None, input: Tensor, reduction: str,  # noqa: A002
                    mean_by_weight: bool) -> Tensor:
    """Reduce ``loss * weight`` (torch 2.x's optional elementwise ``weight`` of mse/l1/huber losses).

    ``weight`` must have ``input``'s shape. With ``mean_by_weight`` 'mean' is sum(w l) / sum(w),
    otherwise the plain mean of w l.
    """
    if weight is None:
        return reduce_loss(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return reduce_loss(loss, reduction)
