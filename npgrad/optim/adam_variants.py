"""Adam's relatives: Adamax (infinity norm), NAdam (Nesterov momentum) and RAdam (rectified)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._foreach import (
    ElementwiseOptimizer, Job, addcdiv_, check_betas, check_lr, check_nonneg, decay_add_square_, effective_grad,
    hyper_lr, lerp_, new_state, step_tensor, tick,
)
from .optimizer import scalar_dtype
from ..tensor import Tensor


class _AdamFamily(ElementwiseOptimizer):
    """Shared constructor checks and ``exp_avg``/``exp_avg_sq`` state of Adamax, NAdam and RAdam."""

    _second = "exp_avg_sq"

    def _check(self, lr: Any, betas: Any, eps: float, weight_decay: float) -> None:
        check_lr(lr)
        check_nonneg("epsilon value", eps)
        check_betas(betas)
        check_nonneg("weight_decay value", weight_decay)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        state["step"] = step_tensor()
        state["exp_avg"] = new_state(p)
        state[self._second] = new_state(p)

    @staticmethod
    def _prologue(p: np.ndarray, g: np.ndarray, t0: np.ndarray, lr: float, weight_decay: float, maximize: bool,
                  decoupled: bool) -> np.ndarray:
        """Weight decay (decoupled: shrink ``p``; else add to the gradient) and maximize; returns the gradient."""
        if decoupled:
            if weight_decay != 0:
                np.multiply(p, 1 - lr * weight_decay, out=p)
            weight_decay = 0
        return effective_grad(g, p, t0, weight_decay, maximize)


class Adamax(_AdamFamily):
    r"""Adamax (Adam with the infinity norm), step for step equal to ``torch.optim.Adamax``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
        m_t &= m_{t-1} + (1-\beta_1)(g_t - m_{t-1})\\
        u_t &= \max(\beta_2\, u_{t-1},\ |g_t| + \epsilon)\\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,\frac{m_t}{u_t}

    State: ``step``, ``exp_avg`` (:math:`m`), ``exp_inf`` (:math:`u`). Default lr 2e-3.
    """

    _second = "exp_inf"

    def __init__(self, params: Any, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        self._check(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        step = tick(state)
        beta1, beta2 = group["betas"]
        clr = hyper_lr(group) / (1 - beta1**step)
        consts = (beta1, beta2, group["eps"], group["weight_decay"], group["maximize"], clr)
        return (p, g, state["exp_avg"].data, state["exp_inf"].data), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, m, u = a
        t0, t1 = s
        beta1, beta2, eps, weight_decay, maximize, clr = c
        g = effective_grad(g, p, t0, weight_decay, maximize)
        lerp_(m, g, 1 - beta1, t1)
        np.multiply(u, beta2, out=u)
        np.abs(g, out=t1)
        np.add(t1, eps, out=t1)
        np.maximum(u, t1, out=u)
        addcdiv_(p, m, u, -clr, t1)


class NAdam(_AdamFamily):
    r"""NAdam (Adam with Nesterov momentum), step for step equal to ``torch.optim.NAdam``.

    With momentum decay :math:`\psi`, :math:`\mu_t = \beta_1\,(1 - \tfrac12\, 0.96^{t\psi})` and the
    running product :math:`\Pi_t = \prod_{i \le t} \mu_i` (``state['mu_product']``):

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) \quad(\text{weight decay as in Adam / AdamW if decoupled})\\
        m_t &= m_{t-1} + (1-\beta_1)(g_t - m_{t-1}), \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2\\
        d_t &= \sqrt{v_t / (1-\beta_2^t)} + \epsilon\\
        \theta_t &= \theta_{t-1} - \gamma\,\frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{d_t}
                    - \gamma\,\frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,\frac{m_t}{d_t}
    """

    n_scratch = 3

    def __init__(self, params: Any, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False) -> None:
        self._check(lr, betas, eps, weight_decay)
        check_nonneg("momentum_decay value", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        super()._init_state(p, state, group)
        state["mu_product"] = Tensor._make(np.array(1.0, dtype=scalar_dtype()))

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        step = tick(state)
        beta1, beta2 = group["betas"]
        lr, psi = hyper_lr(group), group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mu_product = state["mu_product"].data
        np.multiply(mu_product, mu, out=mu_product)  # kept in the 0-d tensor's own dtype, as in torch
        prod = float(mu_product)
        consts = (beta1, beta2, lr, group["weight_decay"], group["eps"], group["maximize"],
                  group["decoupled_weight_decay"], 1 - beta2**step, -lr * (1.0 - mu) / (1.0 - prod),
                  (-lr * mu_next) / (1.0 - prod * mu_next))
        return (p, g, state["exp_avg"].data, state["exp_avg_sq"].data), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, m, v = a
        t0, t1, t2 = s
        beta1, beta2, lr, weight_decay, eps, maximize, decoupled, bias_correction2, c_grad, c_avg = c
        g = NAdam._prologue(p, g, t0, lr, weight_decay, maximize, decoupled)
        lerp_(m, g, 1 - beta1, t1)
        decay_add_square_(v, g, beta2, 1 - beta2, t1)
        np.divide(v, bias_correction2, out=t1)
        np.sqrt(t1, out=t1)
        np.add(t1, eps, out=t1)
        addcdiv_(p, g, t1, c_grad, t2)
        addcdiv_(p, m, t1, c_avg, t2)


class RAdam(_AdamFamily):
    r"""RAdam (rectified Adam), step for step equal to ``torch.optim.RAdam``.

    With :math:`\rho_\infty = 2/(1-\beta_2) - 1` and
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`:

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) \quad(\text{weight decay as in Adam / AdamW if decoupled})\\
        m_t &= m_{t-1} + (1-\beta_1)(g_t - m_{t-1}), \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2\\
        \hat m_t &= m_t / (1-\beta_1^t)\\
        \theta_t &= \begin{cases}
            \theta_{t-1} - \gamma\,\hat m_t\,\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}\, r_t & \rho_t > 5,\quad
            r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}\\
            \theta_{t-1} - \gamma\,\hat m_t & \text{otherwise}\end{cases}
    """

    def __init__(self, params: Any, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        self._check(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        step = tick(state)
        beta1, beta2 = group["betas"]
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        rect = None
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        consts = (beta1, beta2, hyper_lr(group), group["weight_decay"], group["eps"], group["maximize"],
                  group["decoupled_weight_decay"], bias_correction1, bias_correction2**0.5, rect)
        return (p, g, state["exp_avg"].data, state["exp_avg_sq"].data), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, m, v = a
        t0, t1 = s
        beta1, beta2, lr, weight_decay, eps, maximize, decoupled, bias_correction1, bc2_sqrt, rect = c
        g = RAdam._prologue(p, g, t0, lr, weight_decay, maximize, decoupled)
        lerp_(m, g, 1 - beta1, t1)
        decay_add_square_(v, g, beta2, 1 - beta2, t1)
        np.divide(m, bias_correction1, out=t0)
        np.multiply(t0, lr, out=t0)
        if rect is not None:
            np.sqrt(v, out=t1)
            np.add(t1, eps, out=t1)
            np.divide(bc2_sqrt, t1, out=t1)
            np.multiply(t0, t1, out=t0)
            np.multiply(t0, rect, out=t0)
        np.subtract(p, t0, out=p)


__all__ = ["Adamax", "NAdam", "RAdam"]
