"""Activation layers: thin modules over ``npgrad.nn.functional`` with torch's arguments and ``repr``."""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import _dtype
from ...ops import pointwise as _P
from ...tensor import Tensor
from .._functional import activation as _FA
from ..parameter import Parameter
from .module import Module

__all__ = [
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Softmax",
    "LogSoftmax", "Softmin", "Softmax2d", "Softplus", "Softsign", "Hardtanh", "Hardsigmoid", "Hardswish",
    "LogSigmoid", "Tanhshrink", "Threshold", "PReLU", "GLU", "Hardshrink", "Softshrink", "RReLU",
]


def _inplace_note(inplace: bool, lead: str = ", ") -> str:
    return f"{lead}inplace=True" if inplace else ""


class _Stateless(Module):
    """An activation with no arguments: ``forward`` applies ``_fn``."""

    _fn: Any = None

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input)


class _InplaceOnly(Module):
    """An activation whose only argument is ``inplace``."""

    _fn: Any = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_note(self.inplace, "")


class ReLU(_InplaceOnly):
    """max(x, 0)."""

    _fn = staticmethod(_P.relu)


class SELU(_InplaceOnly):
    """scale * (max(0, x) + min(0, alpha (exp(x) - 1)))."""

    _fn = staticmethod(_P.selu)


class SiLU(_InplaceOnly):
    """x * sigmoid(x)."""

    _fn = staticmethod(_P.silu)


class Mish(_InplaceOnly):
    """x * tanh(softplus(x))."""

    _fn = staticmethod(_P.mish)


class Hardsigmoid(_InplaceOnly):
    """clamp(x / 6 + 1/2, 0, 1)."""

    _fn = staticmethod(_P.hardsigmoid)

    def extra_repr(self) -> str:
        return ""


class Hardswish(Hardsigmoid):
    """x * hardsigmoid(x)."""

    _fn = staticmethod(_P.hardswish)


class Hardtanh(Module):
    """clamp(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if max_val <= min_val:
            raise ValueError("max_val must be greater than min_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _P.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_note(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_note(self.inplace, "")


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _P.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_note(self.inplace)}"


class ELU(Module):
    """x if x > 0 else alpha (exp(x) - 1)."""

    _fn = staticmethod(_P.elu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_note(self.inplace)}"


class CELU(ELU):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""

    _fn = staticmethod(_P.celu)


class GELU(Module):
    """x Phi(x) (``approximate='tanh'``: the tanh approximation)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _P.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(_Stateless):
    """1 / (1 + exp(-x))."""

    _fn = staticmethod(_P.sigmoid)


class Tanh(_Stateless):
    """Hyperbolic tangent, elementwise: (exp(x) - exp(-x)) / (exp(x) + exp(-x)), in (-1, 1).

    Input: any shape; output: the same shape. The gradient is 1 - tanh(x)^2.
    """

    _fn = staticmethod(_P.tanh)


class Softsign(_Stateless):
    """x / (1 + |x|)."""

    _fn = staticmethod(_P.softsign)


class LogSigmoid(_Stateless):
    """log(sigmoid(x)), computed stably."""

    _fn = staticmethod(_P.logsigmoid)


class Tanhshrink(_Stateless):
    """x - tanh(x)."""

    _fn = staticmethod(_P.tanhshrink)


class _SoftmaxBase(Module):
    _fn: Any = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self.__dict__.setdefault("dim", None)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """exp(x_i) / sum_j exp(x_j) along ``dim``."""

    _fn = staticmethod(_FA.softmax)


class LogSoftmax(_SoftmaxBase):
    """log(softmax(x)) along ``dim``."""

    _fn = staticmethod(_FA.log_softmax)


class Softmin(_SoftmaxBase):
    """softmax(-x) along ``dim``."""

    _fn = staticmethod(_FA.softmin)


class Softmax2d(Module):
    """Softmax over the channel dim of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return _FA.softmax(input, -3, _stacklevel=5)


class Softplus(Module):
    """log(1 + exp(beta x)) / beta; linear where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _P.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Threshold(Module):
    """x if x > threshold else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _FA.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_note(self.inplace)}"


class PReLU(Module):
    """max(0, x) + a * min(0, x) with learnable ``a`` (1 or ``num_parameters`` = channels values)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        np_dtype = _dtype.get_default_dtype().np if dtype is None else _dtype.to_dtype(dtype).np
        self.weight = Parameter(Tensor._make(np.empty(num_parameters, dtype=np_dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.weight.data[...] = self.init
        self.weight._bump_version()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _FA.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """a * sigmoid(b), (a, b) = halves of the input along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _FA.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardshrink(Module):
    """x if |x| > lambd else 0."""

    _fn = staticmethod(_FA.hardshrink)

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Softshrink(Hardshrink):
    """x - lambd * sign(x) where |x| > lambd, else 0."""

    _fn = staticmethod(_FA.softshrink)


class RReLU(Module):
    """Randomized leaky ReLU (slopes ~ U(lower, upper) in training, their mean in eval)."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _FA.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_note(self.inplace)}"
