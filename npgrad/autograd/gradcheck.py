"""Finite-difference checks of analytical gradients (use float64 inputs), like torch's.

``gradcheck`` compares, for every input that requires grad and every floating output, the Jacobian
from backward (one reverse pass per output element) with central differences
``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``, requiring ``|a - n| <= atol + rtol |n|``.
``gradgradcheck`` runs the same check on the function ``(inputs, v) -> v^T J`` built with
``create_graph=True``, i.e. it checks second derivatives.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when analytical and numerical gradients differ."""


def _tensors(inputs: Any) -> tuple:
    from ..tensor import Tensor

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    return inputs, [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def _float_outputs(out: Any) -> list:
    from ..tensor import Tensor

    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.data.dtype.kind == "f"]


def _numerical_jacobian(fn: Callable, inputs: tuple, idx: int, eps: float) -> list:
    """d out_j / d in_idx by central differences, as (in.numel, out_j.numel) matrices."""
    from ..tensor import Tensor

    x = inputs[idx]
    work = x.data.copy()  # perturb a contiguous copy, so strided inputs work too
    probe = Tensor._make(work, x.requires_grad)
    args = list(inputs)
    args[idx] = probe
    flat = work.reshape(-1)
    outs0 = _float_outputs(fn(*args))
    jac = [np.zeros((flat.size, o.data.size)) for o in outs0]
    for k in range(flat.size):
        orig = flat[k].copy()
        flat[k] = orig + eps
        plus = [o.data.astype(np.float64).ravel().copy() for o in _float_outputs(fn(*args))]
        flat[k] = orig - eps
        minus = [o.data.astype(np.float64).ravel().copy() for o in _float_outputs(fn(*args))]
        flat[k] = orig
        for j in range(len(jac)):
            jac[j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _analytical_jacobian(fn: Callable, inputs: tuple, diff_idx: list) -> dict:
    from ..tensor import Tensor
    from . import grad

    outs = _float_outputs(fn(*inputs))
    jac = {(i, j): np.zeros((inputs[i].data.size, o.data.size)) for i in diff_idx for j, o in enumerate(outs)}
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        seed = np.zeros(o.data.size, dtype=o.data.dtype)
        for m in range(o.data.size):
            seed[m] = 1
            gs = grad([o], [inputs[i] for i in diff_idx], [Tensor._make(seed.reshape(o.data.shape).copy())],
                      retain_graph=True, allow_unused=True)
            seed[m] = 0
            for i, g in zip(diff_idx, gs):
                if g is not None:
                    jac[(i, j)][:, m] = g.data.astype(np.float64).ravel()
    return jac


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False, fast_mode: bool = False,
              **_: Any) -> bool:
    """True if ``func``'s analytical Jacobian matches finite differences for every input that requires
    grad; otherwise raise ``GradcheckError`` (or return False with ``raise_exception=False``)."""
    inputs, diff_idx = _tensors(inputs)
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].data.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. This check "
                          "will likely fail if all the inputs are not of double precision floating point. ")
    ana = _analytical_jacobian(func, inputs, diff_idx)
    for i in diff_idx:
        num = _numerical_jacobian(func, inputs, i, eps)
        for j, n in enumerate(num):
            a = ana[(i, j)]
            if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{n}\nanalytical:{a}\n"
                    )
                return False
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Sequence | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, **kwargs: Any) -> bool:
    """gradcheck of ``(inputs, v) -> v^T d func / d inputs`` (built with ``create_graph=True``).

    Random ``v`` (requiring grad, so the check covers it too) are drawn when ``grad_outputs`` is None.
    """
    from ..tensor import Tensor
    from . import grad

    inputs, diff_idx = _tensors(inputs)
    outs = _float_outputs(func(*inputs))
    if grad_outputs is None:
        rs = np.random.default_rng(0)
        grad_outputs = [Tensor._make(rs.standard_normal(o.data.shape).astype(o.data.dtype), True) for o in outs]
    grad_outputs = list(grad_outputs)
    n_in = len(inputs)

    def first_grad(*args: Any) -> tuple:
        xs, vs = args[:n_in], list(args[n_in:])
        os = _float_outputs(func(*xs))
        live = [(o, v) for o, v in zip(os, vs) if o.requires_grad]
        if not live:
            return ()
        gs = grad([o for o, _ in live], [xs[i] for i in diff_idx], [v for _, v in live], create_graph=True,
                  allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grad, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]
