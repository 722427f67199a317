"""Per-coordinate adaptive methods without bias correction: RMSprop, Adagrad and Adadelta."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._foreach import (
    ElementwiseOptimizer, Job, add_scaled_, addcdiv_, check_lr, check_nonneg, decay_add_square_, effective_grad,
    hyper_lr, lerp_, new_state, step_tensor, tick,
)
from ..tensor import Tensor


class RMSprop(ElementwiseOptimizer):
    r"""RMSprop, step for step equal to ``torch.optim.RMSprop``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
        v_t &= \alpha\, v_{t-1} + (1-\alpha)\, g_t^2\\
        \bar g_t &= \bar g_{t-1} + (1-\alpha)(g_t - \bar g_{t-1})
            \qquad (\text{centered only})\\
        d_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \quad \sqrt{v_t} + \epsilon \ \text{(else)}\\
        b_t &= \mu\, b_{t-1} + g_t / d_t, \quad \theta_t = \theta_{t-1} - \gamma\, b_t \qquad (\mu > 0)\\
        \theta_t &= \theta_{t-1} - \gamma\, g_t / d_t \qquad (\mu = 0)

    State: ``step``, ``square_avg`` (:math:`v`), ``momentum_buffer`` (:math:`b`, if momentum > 0),
    ``grad_avg`` (:math:`\bar g`, if centered). Defaults: lr 1e-2, alpha 0.99, eps 1e-8.
    """

    n_scratch = 3

    def __init__(self, params: Any, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        check_lr(lr)
        check_nonneg("epsilon value", eps)
        check_nonneg("momentum value", momentum)
        check_nonneg("weight_decay value", weight_decay)
        check_nonneg("alpha value", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        state["step"] = step_tensor()
        state["square_avg"] = new_state(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = new_state(p)
        if group["centered"]:
            state["grad_avg"] = new_state(p)

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        tick(state)
        momentum = group["momentum"]
        buf = state["momentum_buffer"].data if momentum > 0 else None
        avg = state["grad_avg"].data if group["centered"] else None
        consts = (hyper_lr(group), group["alpha"], group["eps"], group["weight_decay"], momentum, group["maximize"])
        return (p, g, state["square_avg"].data, buf, avg), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, square_avg, buf, grad_avg = a
        t0, t1, t2 = s
        lr, alpha, eps, weight_decay, momentum, maximize = c
        g = effective_grad(g, p, t0, weight_decay, maximize)
        decay_add_square_(square_avg, g, alpha, 1 - alpha, t1)
        if grad_avg is not None:
            lerp_(grad_avg, g, 1 - alpha, t1)
            np.multiply(grad_avg, grad_avg, out=t1)
            np.subtract(square_avg, t1, out=t1)
            np.sqrt(t1, out=t1)
        else:
            np.sqrt(square_avg, out=t1)
        np.add(t1, eps, out=t1)
        if buf is not None:
            np.multiply(buf, momentum, out=buf)
            addcdiv_(buf, g, t1, 1, t2)
            add_scaled_(p, buf, -lr, t2)
        else:
            addcdiv_(p, g, t1, -lr, t2)


class Adagrad(ElementwiseOptimizer):
    r"""Adagrad, step for step equal to ``torch.optim.Adagrad``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
        \tilde\gamma_t &= \gamma / (1 + (t-1)\,\eta) \qquad (\eta = \text{lr\_decay})\\
        s_t &= s_{t-1} + g_t^2 \qquad (s_0 = \text{initial\_accumulator\_value})\\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t\, \frac{g_t}{\sqrt{s_t} + \epsilon}

    State (created for every parameter at construction, like torch): ``step`` and ``sum`` (:math:`s`).
    Defaults: lr 1e-2, eps 1e-10.
    """

    def __init__(self, params: Any, lr: float | Tensor = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        check_lr(lr)
        check_nonneg("lr_decay value", lr_decay)
        check_nonneg("weight_decay value", weight_decay)
        check_nonneg("initial_accumulator_value value", initial_accumulator_value)
        check_nonneg("epsilon value", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        state["step"] = step_tensor()
        state["sum"] = new_state(p, self.defaults["initial_accumulator_value"])

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        step = tick(state)
        clr = hyper_lr(group) / (1 + (step - 1) * group["lr_decay"])
        return (p, g, state["sum"].data), (group["eps"], group["weight_decay"], group["maximize"], clr)

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, acc = a
        t0, t1 = s
        eps, weight_decay, maximize, clr = c
        g = effective_grad(g, p, t0, weight_decay, maximize)
        np.multiply(g, g, out=t1)
        np.add(acc, t1, out=acc)
        np.sqrt(acc, out=t1)
        np.add(t1, eps, out=t1)
        addcdiv_(p, g, t1, -clr, t0)


class Adadelta(ElementwiseOptimizer):
    r"""Adadelta, step for step equal to ``torch.optim.Adadelta``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2\\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t\\
        u_t &= \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2\\
        \theta_t &= \theta_{t-1} - \gamma\, \Delta_t

    State: ``step``, ``square_avg`` (:math:`v`), ``acc_delta`` (:math:`u`). Defaults: lr 1, rho 0.9, eps 1e-6.
    """

    n_scratch = 3

    def __init__(self, params: Any, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg("epsilon value", eps)
        check_nonneg("weight_decay value", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        state["step"] = step_tensor()
        state["square_avg"] = new_state(p)
        state["acc_delta"] = new_state(p)

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        tick(state)
        consts = (hyper_lr(group), group["rho"], group["eps"], group["weight_decay"], group["maximize"])
        return (p, g, state["square_avg"].data, state["acc_delta"].data), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, square_avg, acc_delta = a
        t0, t1, t2 = s
        lr, rho, eps, weight_decay, maximize = c
        g = effective_grad(g, p, t0, weight_decay, maximize)
        decay_add_square_(square_avg, g, rho, 1 - rho, t1)
        np.add(square_avg, eps, out=t1)
        np.sqrt(t1, out=t1)
        np.add(acc_delta, eps, out=t2)
        np.sqrt(t2, out=t2)
        np.divide(t2, t1, out=t2)
        np.multiply(t2, g, out=t2)
        decay_add_square_(acc_delta, t2, rho, 1 - rho, t1)
        add_scaled_(p, t2, -lr, t1)


__all__ = ["RMSprop", "Adagrad", "Adadelta"]
