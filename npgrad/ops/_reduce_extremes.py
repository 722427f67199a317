"""Extremes: ``amax``, ``amin``, ``max``, ``min``, ``aminmax``, ``argmax`` and ``argmin`` (re-exported
by ``npgrad.ops.reduce``).

Full reductions (amax/amin, ``max(x)``/``min(x)``) split the gradient evenly among the elements equal
to the result (``Evenly``); ``max(x, dim)``/``min(x, dim)`` return ``(values, indices)`` and put the
gradient back at the indices (``Selected``). argmax/argmin have no gradient.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._reduce_util import _AMINMAX, _MAX, _MIN, Evenly, _check_nonempty, _nonempty_dim, _on_1d, _picked
from ._util import normalize_dims, wrap_dim


def _extreme(x: Tensor, dim: Any, keepdim: bool, is_max: bool, name: str) -> Tensor:
    """amax/amin's worker (also max()/min()/aminmax): the extreme over ``dim`` through ``Evenly``."""
    a = x.data
    axes = normalize_dims(dim, a.ndim)
    _check_nonempty(a, axes, name, dim is None or dim == () or dim == [])
    out = np.asarray((np.max if is_max else np.min)(a, axis=axes, keepdims=keepdim))
    return Evenly.apply(x, out, axes, keepdim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over dims: ``out = max_{i in dim} input[i]`` (NaN propagates).

    Args:
        input (Tensor): a non-empty tensor (or non-empty along the reduced dims).
        dim (int or tuple of ints): the dims to reduce; ``()`` (the default) or None reduces all of them.
        keepdim (bool): keep the reduced dims with size 1.

    Returns:
        Tensor: the maximums, ``input``'s dtype. The gradient is split evenly among the elements of a
        group equal to its maximum.
    """
    return _extreme(input, dim, keepdim, True, "amax")


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over dims: ``out = min_{i in dim} input[i]`` (NaN propagates).

    The mirror of :func:`amax`: same arguments, result shape and tie-splitting gradient.
    """
    return _extreme(input, dim, keepdim, False, "amin")


def _arg_extreme(x: Tensor, dim: int, keepdim: bool, is_max: bool) -> Any:
    """``max(x, dim)`` / ``min(x, dim)``: ``(values, indices)`` along one dim through ``Selected``."""
    a, rt, name = x.data, (_MAX if is_max else _MIN), ("max" if is_max else "min")
    if a.ndim == 0:
        return _on_1d(_arg_extreme, x, dim, False, is_max)
    d = _nonempty_dim(a, dim, name)
    idx = (np.argmax if is_max else np.argmin)(a, axis=d, keepdims=True)
    return _picked(x, d, idx, keepdim, rt, (np.max if is_max else np.min)(a, axis=d, keepdims=True))


def _max_min(x: Tensor, dim: Any, keepdim: bool, is_max: bool) -> Any:
    """The three forms of max/min: elementwise with a tensor ``dim``, over everything, along one dim."""
    if isinstance(dim, Tensor):
        from .binary import maximum, minimum

        return (maximum if is_max else minimum)(x, dim)
    if dim is None:
        return _extreme(x, None, False, is_max, "max" if is_max else "min")
    return _arg_extreme(x, dim, keepdim, is_max)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """Maximum: ``max(x)`` of all elements, ``max(x, dim)`` along a dim (with indices), ``max(x, other)`` elementwise.

    Args:
        input (Tensor): a tensor (non-empty for the reductions).
        dim (int or Tensor, optional): the dim to reduce, or another tensor for the elementwise form.
        keepdim (bool): with ``dim``, keep the reduced dim with size 1.

    Returns:
        Tensor or (Tensor, Tensor): ``max(x)``: the 0-d maximum (gradient split evenly among ties).
        ``max(x, dim)``: the named tuple ``(values, indices)``, ``indices`` (int64) the first position
        of the maximum along ``dim``; the gradient goes to those positions. ``max(x, other)``:
        :func:`maximum` of the two.
    """
    return _max_min(input, dim, keepdim, True)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """Minimum: ``min(x)`` of all elements, ``min(x, dim)`` along a dim (with indices), ``min(x, other)`` elementwise.

    The mirror of :func:`max`: same arguments and result forms (``min(x, dim)`` gives the named tuple
    ``(values, indices)``, the indices those of the first minimum; ``min(x, other)`` is :func:`minimum`).
    """
    return _max_min(input, dim, keepdim, False)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """Minimum and maximum together: ``(amin(input, dim), amax(input, dim))``.

    Args:
        input (Tensor): a non-empty tensor (or non-empty along ``dim``).
        dim (int, optional): the dim to reduce; None reduces all elements.
        keepdim (bool): with ``dim``, keep the reduced dim with size 1.

    Returns:
        (Tensor, Tensor): the named tuple ``(min, max)``; gradients as for :func:`amin` / :func:`amax`.
    """
    keepdim = keepdim and dim is not None  # over everything the results are 0-d whatever keepdim says
    return _AMINMAX(_extreme(input, dim, keepdim, False, "aminmax"), _extreme(input, dim, keepdim, True, "aminmax"))


def _arg(x: Tensor, dim: int | None, keepdim: bool, fn: Any, name: str) -> Tensor:
    """argmax/argmin's worker: ``fn`` (np.argmax or np.argmin) along ``dim`` or over the flattened input."""
    a = x.data
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        r = np.asarray(fn(a.reshape(-1)))
        return Tensor._make(r.reshape((1,) * a.ndim if keepdim else ()).astype(np.int64))
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return Tensor._make(np.zeros((), np.int64))
    d = _nonempty_dim(a, dim, name)
    return Tensor._make(np.asarray(fn(a, axis=d, keepdims=keepdim)).astype(np.int64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Position of the maximum: ``out = argmax_{i in dim} input[i]``, the first one on ties.

    Args:
        input (Tensor): a non-bool tensor, non-empty along ``dim``.
        dim (int, optional): the dim to search; None searches the flattened input.
        keepdim (bool): keep the reduced dim (all dims when ``dim`` is None) with size 1.

    Returns:
        Tensor: int64 positions along ``dim`` (flat positions when ``dim`` is None). No gradient.
    """
    return _arg(input, dim, keepdim, np.argmax, "argmax")


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Position of the minimum: ``out = argmin_{i in dim} input[i]``, the first one on ties.

    The mirror of :func:`argmax`: same arguments, int64 result of the same shape, no gradient.
    """
    return _arg(input, dim, keepdim, np.argmin, "argmin")
