"""Helpers for the autograd tests: build the same computation in npgrad and torch and compare."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

import npgrad


def pair(arr: np.ndarray, requires_grad: bool = True) -> tuple:
    """The same array as an npgrad leaf and a torch leaf."""
    return (npgrad.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad))


def to_np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, npgrad.Tensor):
        return t.detach().numpy()
    return np.asarray(t)


def close(ours: Any, theirs: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    a, b = to_np(ours), to_np(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def same_grads(fn: Callable, *arrays: np.ndarray, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Run ``fn(module, *leaves)`` in both frameworks, backprop a random cotangent, compare values and grads."""
    ours = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    o, t = fn(npgrad, *ours), fn(torch, *theirs)
    close(o, t, rtol, atol)
    v = np.random.default_rng(1).standard_normal(t.shape)
    o.backward(npgrad.tensor(v, dtype=o.dtype))
    t.backward(torch.tensor(v, dtype=t.dtype))
    for x, y in zip(ours, theirs):
        if y.grad is None:
            assert x.grad is None
        else:
            close(x.grad, y.grad, rtol, atol)
