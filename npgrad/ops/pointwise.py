"""Unary element-wise ops and activations, with first and higher derivatives.

This module is the public face of the unary ops; they live in private modules by job:

- ``_pointwise_util``: the ``_Spec`` / ``Unary`` / ``UnaryGrad`` machinery every op runs on, and
  shared array helpers;
- ``_pointwise_math``: ``exp``, ``exp2``, ``expm1``, ``log``, ``log2``, ``log10``, ``log1p``,
  ``sqrt``, ``rsqrt``, ``square``, ``reciprocal``, ``sin``, ``cos``, ``tan``, ``tanh``,
  ``sigmoid``, ``erf``, ``logit``;
- ``_pointwise_erf``: erf on arrays without SciPy;
- ``_pointwise_round``: ``neg``, ``abs``, ``sign``, ``floor``, ``ceil``, ``trunc``, ``round``,
  ``frac``, ``nan_to_num``, ``clamp`` / ``clamp_min`` / ``clamp_max``;
- ``_pointwise_act_hard``: ``relu``, ``relu6``, ``leaky_relu``, ``hardtanh``, ``hardsigmoid``,
  ``hardswish``;
- ``_pointwise_act_smooth``: ``elu``, ``selu``, ``celu``, ``gelu``, ``silu``, ``mish``,
  ``softplus``, ``logsigmoid``, ``softsign``, ``tanhshrink``.

Integer inputs to floating functions compute in the default float dtype, as torch does, and
NumPy's floating-point warnings are silenced (exp(1000) is inf, log(-1) NaN, like torch).
"""
from __future__ import annotations

from ._pointwise_act_hard import hardsigmoid, hardswish, hardtanh, leaky_relu, relu, relu6  # noqa: F401
from ._pointwise_act_smooth import (  # noqa: F401
    celu, elu, gelu, logsigmoid, mish, selu, silu, softplus, softsign, tanhshrink,
)
from ._pointwise_erf import _erf  # noqa: F401
from ._pointwise_math import (  # noqa: F401
    cos, erf, exp, exp2, expm1, log, log1p, log2, log10, logit, reciprocal, rsqrt, sigmoid, sin, sqrt, square,
    tan, tanh,
)
from ._pointwise_round import (  # noqa: F401,A004
    Clamp, Neg, _sign, abs, absolute, ceil, clamp, clamp_max, clamp_min, clip, fix, floor, frac, nan_to_num, neg,
    negative, round, sign, trunc,
)
from ._pointwise_util import (  # noqa: F401
    Unary, UnaryGrad, _apply, _log1p_unit, _sigmoid, _Spec, _times, _zero_grad,
)
