"""Adam and AdamW (Adam with decoupled weight decay)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._foreach import (
    ElementwiseOptimizer, Job, addcdiv_, check_betas, check_lr, check_nonneg, decay_add_square_, effective_grad,
    hyper_lr, lerp_, new_state, step_tensor, tick,
)
from .optimizer import hyper
from ..tensor import Tensor


class Adam(ElementwiseOptimizer):
    r"""Adam, step for step equal to ``torch.optim.Adam``.

    With learning rate :math:`\gamma`, betas :math:`(\beta_1, \beta_2)`, :math:`\epsilon` and weight
    decay :math:`\lambda`, step :math:`t = 1, 2, \dots` of parameter :math:`\theta`:

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) \qquad (- \text{ if maximize})\\
        &\text{decoupled: } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}
          \quad\text{else: } g_t \leftarrow g_t + \lambda\,\theta_{t-1}\\
        m_t &= m_{t-1} + (1-\beta_1)(g_t - m_{t-1})\\
        v_t &= \beta_2\, v_{t-1} + (1-\beta_2)\, g_t^2\\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t\\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,
                    \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    State per parameter: ``step`` (0-d tensor), ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`)
    and, with amsgrad, ``max_exp_avg_sq`` (:math:`\hat v`); all start at zero.

    Args:
        params: parameters or parameter groups.
        lr: :math:`\gamma` (default 1e-3).
        betas: :math:`(\beta_1, \beta_2)` (default (0.9, 0.999)), each in [0, 1).
        eps: :math:`\epsilon` (default 1e-8).
        weight_decay: :math:`\lambda` (default 0).
        amsgrad: use the running maximum of :math:`v` (AMSGrad).
        maximize: maximize the objective.
        foreach: ``False`` for the per-parameter loop; ``None``/``True`` for the fused blocked path.
        decoupled_weight_decay: apply weight decay to the parameter directly (this is AdamW).
    """

    def __init__(self, params: Any, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        check_lr(lr)
        check_nonneg("epsilon value", eps)
        check_betas(betas)
        check_nonneg("weight_decay value", weight_decay)
        betas = (hyper(betas[0]), hyper(betas[1]))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict, group: dict) -> None:
        state["step"] = step_tensor()
        state["exp_avg"] = new_state(p)
        state["exp_avg_sq"] = new_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = new_state(p)

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        step = tick(state)
        beta1, beta2 = (hyper(b) for b in group["betas"])
        lr = hyper_lr(group)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        vmax = state["max_exp_avg_sq"].data if group["amsgrad"] else None
        consts = (beta1, beta2, lr, group["weight_decay"], group["eps"], group["maximize"],
                  group["decoupled_weight_decay"], lr / bias_correction1, bias_correction2**0.5)
        return (p, g, state["exp_avg"].data, state["exp_avg_sq"].data, vmax), consts

    @staticmethod
    def _kernel(a: tuple, s: tuple, c: tuple) -> None:
        p, g, m, v, vmax = a
        t0, t1 = s
        beta1, beta2, lr, weight_decay, eps, maximize, decoupled, step_size, bias_correction2_sqrt = c
        if decoupled:
            if weight_decay != 0:
                np.multiply(p, 1 - lr * weight_decay, out=p)
            weight_decay = 0
        g = effective_grad(g, p, t0, weight_decay, maximize)
        lerp_(m, g, 1 - beta1, t1)
        decay_add_square_(v, g, beta2, 1 - beta2, t1)
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
            v = vmax
        np.sqrt(v, out=t1)
        np.divide(t1, bias_correction2_sqrt, out=t1)
        np.add(t1, eps, out=t1)
        addcdiv_(p, m, t1, -step_size, t0)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, step for step equal to ``torch.optim.AdamW``.

    Identical to :class:`Adam` with ``decoupled_weight_decay=True``: before the moment updates the
    parameter shrinks, :math:`\theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}`, and the
    gradient is left alone (default :math:`\lambda` = 1e-2).
    """

    def __init__(self, params: Any, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


__all__ = ["Adam", "AdamW"]
