"""Finite-difference checks of analytical gradients (use float64 inputs)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


def _tensors(inputs: Any) -> tuple:
    from ..tensor import Tensor

    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    return tuple(inputs), [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def _flat_outputs(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _numerical_jacobian(fn: Callable, inputs: tuple, idx: int, eps: float) -> list:
    x = inputs[idx]
    outs0 = _flat_outputs(fn(*inputs))
    jac = [np.zeros((x.data.size, o.data.size)) for o in outs0]
    flat = x.data.reshape(-1)
    for k in range(flat.size):
        orig = flat[k].copy()
        flat[k] = orig + eps
        plus = [o.data.astype(np.float64).ravel().copy() for o in _flat_outputs(fn(*inputs))]
        flat[k] = orig - eps
        minus = [o.data.astype(np.float64).ravel().copy() for o in _flat_outputs(fn(*inputs))]
        flat[k] = orig
        for j in range(len(jac)):
            jac[j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _analytical_jacobian(fn: Callable, inputs: tuple, diff_idx: list) -> dict:
    from . import grad
    from ..tensor import Tensor

    outs = _flat_outputs(fn(*inputs))
    jac = {(i, j): np.zeros((inputs[i].data.size, o.data.size)) for i in diff_idx for j, o in enumerate(outs)}
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for m in range(o.data.size):
            seed = np.zeros(o.data.size, dtype=o.data.dtype)
            seed[m] = 1
            gs = grad([o], [inputs[i] for i in diff_idx], [Tensor._make(seed.reshape(o.data.shape))],
                      retain_graph=True, allow_unused=True)
            for i, g in zip(diff_idx, gs):
                if g is not None:
                    jac[(i, j)][:, m] = g.data.ravel()
    return jac


def gradcheck(fn: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_: Any) -> bool:
    """Compare ``fn``'s analytical Jacobian with central finite differences for every input that requires grad."""
    inputs, diff_idx = _tensors(inputs)
    for i in diff_idx:
        if inputs[i].data.dtype != np.float64:
            import warnings

            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision floating point.")
    ana = _analytical_jacobian(fn, inputs, diff_idx)
    for i in diff_idx:
        num = _numerical_jacobian(fn, inputs, i, eps)
        for j, n in enumerate(num):
            a = ana[(i, j)]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise RuntimeError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{n}\nanalytical:{a}\n"
                    )
                return False
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Sequence | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True, **_: Any) -> bool:
    """gradcheck of the function ``inputs -> grad(fn(inputs), inputs, v, create_graph=True)``."""
    from . import grad
    from ..tensor import Tensor

    inputs, diff_idx = _tensors(inputs)
    outs = _flat_outputs(fn(*inputs))
    if grad_outputs is None:
        rs = np.random.default_rng(0)
        grad_outputs = [Tensor._make(rs.standard_normal(o.data.shape).astype(o.data.dtype)) for o in outs]

    def first_grad(*args: Any) -> tuple:
        o = _flat_outputs(fn(*args))
        gs = grad(o, [args[i] for i in diff_idx], list(grad_outputs), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grad, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
