"""Torch-comparison helpers for the reduction / indexing tests (private to tests/ops/test_{reduce,stats,index}).

``compare(f, *arrays)`` runs ``f(lib, *tensors)`` with ``lib`` = npgrad and torch on tensors made from
the same NumPy arrays, and checks every output (values, shape, dtype) and the gradient of every
floating input (vector-Jacobian product with a common random upstream gradient).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

import npgrad

TOL = {np.dtype(np.float64): (1e-10, 1e-12), np.dtype(np.float32): (1e-5, 1e-6)}


def rand(shape: tuple, seed: int, dtype: Any = np.float64, distinct: bool = False) -> np.ndarray:
    """Standard-normal test data; ``distinct`` gives a random permutation of well-separated values (no ties)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if distinct:
        return np.asarray((rng.permutation(n).reshape(shape) * 0.37 - n * 0.15), dtype=dtype)
    return np.asarray(rng.standard_normal(shape), dtype=dtype)


def _flat(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def dtype_name(t: Any) -> str:
    return str(t.dtype).split(".")[-1]


def assert_same(ours: Any, ref: Any, rtol: float | None = None, atol: float | None = None, what: str = "") -> None:
    """One npgrad tensor against one torch tensor: shape, dtype, values (NaN-aware)."""
    assert isinstance(ours, npgrad.Tensor), f"{what}: expected a Tensor, got {type(ours)}"
    assert tuple(ours.shape) == tuple(ref.shape), f"{what}: shape {tuple(ours.shape)} != {tuple(ref.shape)}"
    assert dtype_name(ours) == dtype_name(ref), f"{what}: dtype {ours.dtype} != {ref.dtype}"
    a, b = ours.detach().numpy(), ref.detach().numpy()
    if a.dtype.kind == "f":
        r, t = TOL.get(a.dtype, (1e-3, 1e-3))
        np.testing.assert_allclose(a, b, rtol=rtol or r, atol=atol if atol is not None else t, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def compare(f: Callable, *arrays: Any, grad: bool = True, rtol: float | None = None, atol: float | None = None,
            outputs: Any = None, seed: int = 0) -> tuple:
    """Run ``f(lib, *tensors)`` with npgrad and torch and check outputs and input gradients.

    Float arrays become tensors requiring grad (when ``grad``); other arguments are passed as is.
    ``outputs`` (indices into the flattened outputs) restricts which outputs are compared.
    """
    ours_in, ref_in = [], []
    for a in arrays:
        if isinstance(a, np.ndarray):
            rg = grad and a.dtype.kind == "f"
            ours_in.append(npgrad.tensor(a, requires_grad=rg))
            ref_in.append(torch.tensor(a, requires_grad=rg))
        else:
            ours_in.append(a)
            ref_in.append(a)
    ours, ref = f(npgrad, *ours_in), f(torch, *ref_in)
    o_list, r_list = _flat(ours), _flat(ref)
    assert len(o_list) == len(r_list)
    picked = range(len(o_list)) if outputs is None else outputs
    for i in picked:
        assert_same(o_list[i], r_list[i], rtol, atol, f"output {i}")
    if not grad:
        return ours, ref
    diff_in = [i for i, t in enumerate(ours_in) if isinstance(t, npgrad.Tensor) and t.requires_grad]
    diff_out = [i for i in picked if o_list[i].dtype.is_floating_point and r_list[i].requires_grad]
    if not diff_in or not diff_out:
        return ours, ref
    rng = np.random.default_rng(seed + 1)
    seeds = [rng.standard_normal(tuple(r_list[i].shape)).astype(o_list[i].detach().numpy().dtype) for i in diff_out]
    g_ours = npgrad.autograd.grad([o_list[i] for i in diff_out], [ours_in[i] for i in diff_in],
                                  [npgrad.tensor(s) for s in seeds], allow_unused=True)
    g_ref = torch.autograd.grad([r_list[i] for i in diff_out], [ref_in[i] for i in diff_in],
                                [torch.tensor(s) for s in seeds], allow_unused=True)
    for k, (go, gr) in enumerate(zip(g_ours, g_ref)):
        if gr is None:
            assert go is None or not np.any(go.numpy()), f"grad {k}: torch has none, npgrad non-zero"
            continue
        assert go is not None, f"grad {k}: npgrad returned None"
        assert_same(go, gr, rtol, atol, f"grad of input {diff_in[k]}")
    return ours, ref


def hessian_compare(f: Callable, a: np.ndarray, rtol: float = 1e-9, atol: float = 1e-11) -> None:
    """Double backward: the Hessian-vector product of scalar ``f(lib, x)`` matches torch's."""
    v = np.random.default_rng(7).standard_normal(a.shape)
    x = npgrad.tensor(a, requires_grad=True)
    (g,) = npgrad.autograd.grad(f(npgrad, x), x, create_graph=True)
    (hv,) = npgrad.autograd.grad((g * npgrad.tensor(v)).sum(), x)
    xt = torch.tensor(a, requires_grad=True)
    (gt,) = torch.autograd.grad(f(torch, xt), xt, create_graph=True)
    (hvt,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), xt)
    np.testing.assert_allclose(g.detach().numpy(), gt.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(hv.numpy(), hvt.numpy(), rtol=rtol, atol=atol)


def raises_like(f: Callable, *args: Any, same_msg: bool = True) -> None:
    """``f(lib, *args)`` raises the same exception type (and first message line) in npgrad and torch."""
    import pytest

    with pytest.raises(Exception) as ref:
        f(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
    with pytest.raises(ref.type) as ours:
        f(npgrad, *[npgrad.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
    if same_msg:
        assert str(ours.value).split("\n")[0] == str(ref.value).split("\n")[0]
