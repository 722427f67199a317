"""Helpers to check an npgrad module against the same torch module (weights copied by state_dict).

Usage from a test in tests/nn (pytest puts this folder on sys.path)::

    from _torch_compare import assert_module_parity, copy_torch_params

    tm = torch.nn.Linear(4, 3).double()
    nm = npgrad.nn.Linear(4, 3).double()
    assert_module_parity(nm, tm, np.random.randn(5, 4), rtol=1e-10, atol=1e-12)

``assert_module_parity`` copies the torch weights into the npgrad module, runs both on the same
inputs (floating NumPy inputs become leaf tensors requiring grad, integer ones are passed as
index tensors), back-propagates the same random weighting of every floating output and compares:
outputs, input gradients, every parameter gradient (by torch's parameter names) and, afterwards,
every state_dict entry (so buffers such as running statistics are checked too).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

import npgrad

__all__ = ["copy_torch_params", "assert_module_parity", "flatten_outputs", "default_tols"]


def copy_torch_params(np_module: Any, torch_module: Any) -> None:
    """Load ``torch_module.state_dict()`` into ``np_module`` (strict: the key sets must be equal).

    Values are copied as NumPy arrays, cast into the npgrad module's existing dtypes.
    """
    sd = {k: v.detach().cpu().numpy().copy() for k, v in torch_module.state_dict().items()}
    np_module.load_state_dict(sd, strict=True)


def flatten_outputs(out: Any) -> list:
    """The tensors of a (possibly nested tuple/list) module output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flatten_outputs(o)]
    if isinstance(out, (npgrad.Tensor, torch.Tensor)):
        return [out]
    return []


def default_tols(dtype: Any) -> tuple[float, float]:
    """(rtol, atol) used when a test passes none: tight for float64, ~1e-5 for float32."""
    return (1e-9, 1e-11) if np.dtype(dtype) == np.float64 else (1e-5, 1e-6)


def _np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t.detach().data if isinstance(t, npgrad.Tensor) else t)


def _close(name: str, actual: Any, expected: Any, rtol: float, atol: float) -> None:
    a, e = _np(actual), _np(expected)
    assert a.shape == e.shape, f"{name}: shape {a.shape} != torch {e.shape}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=name)


def assert_module_parity(np_module: Any, torch_module: Any, *inputs: Any, rtol: float | None = None,
                         atol: float | None = None, train: bool = True, copy: bool = True,
                         forward_kwargs: dict | None = None, check_state: bool = True, seed: int = 0) -> Any:
    """Assert npgrad module == torch module: outputs, input grads, param grads, state after forward.

    ``inputs`` are NumPy arrays (or npgrad/torch tensors, converted); returns the npgrad output.
    Floating inputs require grad in both frameworks. ``train`` selects train()/eval() mode.
    """
    if copy:
        copy_torch_params(np_module, torch_module)
    np_module.train(train)
    torch_module.train(train)
    arrays = [_np(x) for x in inputs]
    t_in = [torch.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    n_in = [npgrad.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    kw = forward_kwargs or {}
    t_out = torch_module(*t_in, **kw)
    n_out = np_module(*n_in, **kw)
    t_flat, n_flat = flatten_outputs(t_out), flatten_outputs(n_out)
    assert len(t_flat) == len(n_flat), f"number of output tensors {len(n_flat)} != torch {len(t_flat)}"
    float_dt = next((a.dtype for a in arrays if a.dtype.kind == "f"),
                    next((p.detach().numpy().dtype for p in torch_module.parameters()), np.float32))
    d_rtol, d_atol = default_tols(float_dt)
    rtol = d_rtol if rtol is None else rtol
    atol = d_atol if atol is None else atol
    for i, (n, t) in enumerate(zip(n_flat, t_flat)):
        _close(f"output {i}", n, t, rtol, atol)

    rng = np.random.default_rng(seed)
    t_loss, n_loss = 0, 0
    for n, t in zip(n_flat, t_flat):
        if t.requires_grad and t.dtype.is_floating_point:
            w = rng.standard_normal(tuple(t.shape)).astype(_np(t).dtype)
            t_loss = t_loss + (t * torch.from_numpy(w)).sum()
            n_loss = n_loss + (n * npgrad.tensor(w)).sum()
    if isinstance(t_loss, torch.Tensor):
        t_loss.backward()
        n_loss.backward()
        for i, (n, t) in enumerate(zip(n_in, t_in)):
            if t.requires_grad:
                assert (n.grad is None) == (t.grad is None), f"input {i}: grad presence differs from torch"
                if t.grad is not None:
                    _close(f"input {i} grad", n.grad, t.grad, rtol, atol)
        n_params = dict(np_module.named_parameters())
        for name, tp in torch_module.named_parameters():
            assert name in n_params, f"parameter {name} missing in npgrad module"
            ng = n_params[name].grad
            if tp.grad is None:
                assert ng is None or not np.any(_np(ng)), f"param {name}: npgrad has a grad, torch none"
            else:
                assert ng is not None, f"param {name}: no npgrad grad"
                _close(f"param {name} grad", ng, tp.grad, rtol, atol)
    if check_state:
        n_sd = np_module.state_dict()
        for k, v in torch_module.state_dict().items():
            assert k in n_sd, f"state_dict key {k} missing in npgrad module"
            _close(f"state {k}", n_sd[k], v, rtol, atol)
    return n_out
