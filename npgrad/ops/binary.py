"""Binary element-wise ops: arithmetic, min/max, selection, comparisons, logical and bitwise ops.

This module is the public face of the binary ops; they live in private modules by job:

- ``_binary_util``: type promotion (``result_type``), operand preparation (``prepare``),
  ``check_broadcast``, ``where_array`` and torch's dtype names;
- ``_binary_arith``: ``add``, ``sub``, ``rsub``, ``mul``, ``div``, ``floor_divide``, ``remainder``,
  ``fmod``, ``pow``, ``float_power``, ``atan2`` (differentiable);
- ``_binary_select``: ``maximum``, ``minimum``, ``fmax``, ``fmin``, ``lerp``, ``where``,
  ``masked_fill`` (differentiable);
- ``_binary_compare``: ``eq`` / ``ne`` / ``lt`` / ``le`` / ``gt`` / ``ge``, ``equal``, ``isclose``,
  ``allclose``, ``logical_*``, ``bitwise_*``, ``isnan`` / ``isinf`` / ``isfinite`` (no gradient).

Operands are Tensors, NumPy arrays (treated as tensors) or Python/NumPy scalars; the result dtype
follows ``torch.result_type``. Gradients are returned at the broadcast shape; the engine sums them
back to each input's shape and casts them to each input's dtype. Backward formulas are Tensor ops,
so they differentiate again. Floating-point overflow / invalid results are silent, as in torch.
"""
from __future__ import annotations

from ._binary_arith import (  # noqa: F401
    _POW_FAST, Add, Atan2, Div, Mul, Pow, Remainder, RoundedDiv, Sub, _check_alpha, _int_pow, add, arctan2, atan2,
    div, divide, float_power, floor_divide, fmod, mul, multiply, pow, remainder, rsub, sub, subtract, true_divide,
)
from ._binary_compare import (  # noqa: F401
    _bitwise, _compare, _logical, allclose, bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or,
    bitwise_right_shift, bitwise_xor, eq, equal, ge, greater, greater_equal, gt, invert, isclose, isfinite, isinf,
    isnan, le, less, less_equal, logical_and, logical_not, logical_or, logical_xor, lt, ne, not_equal,
)
from ._binary_select import Lerp, MaxMin, Where, fmax, fmin, lerp, masked_fill, maximum, minimum, where  # noqa: F401
from ._binary_util import (  # noqa: F401
    _BOOL, _C_NAMES, _CAT, _INT64, _PROMOTE, _UINT, TORCH_NAMES, _args, _arr, _as_tensor, _cast, _combine, _const,
    _data, _dtype_of, _float_prepare, _not_implemented, _scalar_dtype, check_broadcast, prepare, result_type,
    scalar_array, type_name, where_array,
)
