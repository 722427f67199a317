"""Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._foreach import ElementwiseOptimizer, Job, add_scaled_, check_lr, check_nonneg, effective_grad, hyper_lr
from ..tensor import Tensor


class SGD(ElementwiseOptimizer):
    r"""Stochastic gradient descent (optionally with momentum), step for step equal to ``torch.optim.SGD``.

    With learning rate :math:`\gamma`, momentum :math:`\mu`, dampening :math:`\tau` and weight decay
    :math:`\lambda`, each step of parameter :math:`\theta` with gradient :math:`\nabla f(\theta_{t-1})`:

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}
              \qquad (- \text{ if maximize})\\
        b_t &= \begin{cases} g_t & t = 1\\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1\end{cases}
              \qquad (\text{only if } \mu \ne 0)\\
        d_t &= \begin{cases} g_t + \mu\, b_t & \text{nesterov}\\ b_t & \mu \ne 0\\ g_t & \mu = 0\end{cases}\\
        \theta_t &= \theta_{t-1} - \gamma\, d_t

    The buffer :math:`b` is ``state['momentum_buffer']`` (only kept when :math:`\mu \ne 0`).

    Args:
        params: parameters or parameter groups.
        lr: learning rate :math:`\gamma` (default 1e-3).
        momentum: :math:`\mu` (default 0).
        dampening: :math:`\tau` (default 0).
        weight_decay: L2 penalty :math:`\lambda` (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: maximize the objective instead of minimizing it.
        foreach: ``False`` for the per-parameter loop; ``None``/``True`` for the fused blocked path
            (same results, faster on large models).
    """

    def __init__(self, params: Any, lr: float | Tensor = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None) -> None:
        check_lr(lr)
        check_nonneg("momentum value", momentum)
        check_nonneg("weight_decay value", weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        pass  # the momentum buffer is created on the first step that uses momentum

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        momentum = group["momentum"]
        buf, first = None, False
        if momentum != 0:
            t = state.get("momentum_buffer")
            if t is None:
                t = state["momentum_buffer"] = Tensor._make(np.empty_like(p))
                first = True
            buf = t.data
        consts = (hyper_lr(group), momentum, group["dampening"], group["weight_decay"], group["nesterov"],
                  group["maximize"], first)
        return (p, g, buf), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, buf = a
        t0, t1 = s
        lr, momentum, dampening, weight_decay, nesterov, maximize, first = c
        g = effective_grad(g, p, t0, weight_decay, maximize)
        if buf is not None:
            if first:
                np.copyto(buf, g)
            else:
                np.multiply(buf, momentum, out=buf)
                add_scaled_(buf, g, 1 - dampening, t1)
            if nesterov:
                np.multiply(buf, momentum, out=t1)
                np.add(g, t1, out=t1)
                g = t1
            else:
                g = buf
        add_scaled_(p, g, -lr, t1)
