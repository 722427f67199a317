"""Shared helpers for the optimizer tests: the same small MLP in npgrad and torch (float64), fed
identical mini-batches; the loss is 0.5 * sum((out - y)^2) / batch, whose gradient w.r.t. ``out`` is
seeded directly with ``backward(gradient=(out - y) / batch)``."""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np
import torch

import npgrad
from npgrad import optim

SHAPES = [(8, 6), (8,), (3, 8), (3,)]
STEPS = 50


def weights(seed: int = 0, shapes: list = SHAPES) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * 0.5 for s in shapes]


def batches(steps: int = STEPS, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((16, 6)), rng.standard_normal((16, 3))) for _ in range(steps)]


class Model:
    """The MLP in one framework (``lib`` is npgrad or torch) with leaves built from NumPy weights."""

    def __init__(self, lib: Any, ws: list[np.ndarray]) -> None:
        self.lib = lib
        self.params = [lib.tensor(w.copy(), dtype=lib.float64, requires_grad=True) for w in ws]

    def loss_and_backward(self, x: np.ndarray, y: np.ndarray) -> float:
        lib = self.lib
        w1, b1, w2, b2 = self.params[:4]
        h = lib.relu(lib.tensor(x) @ w1.T + b1)
        out = h @ w2.T + b2
        diff = out.detach().numpy() - y
        out.backward(gradient=lib.tensor(diff / len(x)))
        return 0.5 * float(np.sum(diff * diff)) / len(x)

    def arrays(self) -> list[np.ndarray]:
        return [np.array(p.detach().numpy(), copy=True) for p in self.params]


def make_pair(name: str, kwargs: dict, ws: list[np.ndarray] | None = None, groups: Callable | None = None):
    """(npgrad model, npgrad optimizer, torch model, torch optimizer) built from the same weights."""
    ws = weights() if ws is None else ws
    nm, tm = Model(npgrad, ws), Model(torch, ws)
    n_params = groups(nm.params) if groups else nm.params
    t_params = groups(tm.params) if groups else tm.params
    return nm, getattr(optim, name)(n_params, **kwargs), tm, getattr(torch.optim, name)(t_params, **kwargs)


def train(model: Model, opt: Any, data: list, closure: bool = False) -> list[list[np.ndarray]]:
    """Run one step per batch; return the parameters after every step."""
    history = []
    for x, y in data:
        if closure:
            def fn() -> float:
                opt.zero_grad()
                return model.loss_and_backward(x, y)

            opt.step(fn)
        else:
            opt.zero_grad()
            model.loss_and_backward(x, y)
            opt.step()
        history.append(model.arrays())
    return history


def to_numpy_tree(obj: Any) -> Any:
    """Every tensor in a (state-dict) tree replaced by a NumPy array: the 'plain data' checkpoint form."""
    if isinstance(obj, npgrad.Tensor):
        return np.array(obj.data, copy=True)
    if isinstance(obj, dict):
        return {k: to_numpy_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_numpy_tree(v) for v in obj)
    return copy.deepcopy(obj)


def torch_to_npgrad_tree(obj: Any) -> Any:
    """A torch state dict with every torch tensor turned into an npgrad tensor (same dtype)."""
    if isinstance(obj, torch.Tensor):
        return npgrad.Tensor._make(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: torch_to_npgrad_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(torch_to_npgrad_tree(v) for v in obj)
    return obj
