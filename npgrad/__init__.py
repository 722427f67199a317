"""npgrad: a small deep-learning framework on NumPy with PyTorch's API.

    import npgrad as torch          # scripts written for PyTorch run after changing the import
    x = npgrad.randn(3, requires_grad=True)
    (x * x).sum().backward()        # x.grad == 2 * x
"""
from __future__ import annotations

import builtins as _builtins

__version__ = "0.1.0"

from ._dtype import (  # noqa: F401
    bool, can_cast, double, dtype, finfo, float, float16, float32, float64, get_default_dtype, half, iinfo, int,
    int8, int16, int32, int64, long, promote_types, set_default_dtype, short, uint8,
)
from ._dtype import public_result_type as result_type  # noqa: F401
from ._repr import set_printoptions  # noqa: F401
from .tensor import Size, Tensor, device  # noqa: F401
from . import random  # noqa: F401
from .random import (  # noqa: F401
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from .autograd.grad_mode import (  # noqa: F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from .ops.creation import (  # noqa: F401
    arange, as_tensor, asarray, bernoulli, empty, empty_like, eye, from_numpy, full, full_like, linspace,
    logspace, multinomial, normal, ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like,
    randperm, tensor, zeros, zeros_like,
)
from .ops.pointwise import (  # noqa: F401
    abs, ceil, celu, clamp, clamp_max, clamp_min, clip, cos, elu, erf, exp, exp2, expm1, floor, frac, gelu, hardsigmoid, hardswish,
    hardtanh, leaky_relu, log, log1p, log2, log10, logit, logsigmoid, mish, nan_to_num, neg, reciprocal, relu,
    relu6, round, rsqrt, selu, sigmoid, sign, silu, sin, softplus, softsign, sqrt, square, tan, tanh, tanhshrink,
    trunc,
)
from .ops.pointwise import neg as negative  # noqa: F401
from .ops.pointwise import abs as absolute  # noqa: F401
from .ops.pointwise import trunc as fix  # noqa: F401
from .ops.binary import (  # noqa: F401
    add, allclose, arctan2, bitwise_left_shift, bitwise_right_shift, atan2, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, div, divide, eq, equal,
    float_power, floor_divide, fmax, fmin, fmod, ge, greater, greater_equal, gt, isclose, isfinite, isinf, isnan,
    le, lerp, less, less_equal, logical_and, logical_not, logical_or, logical_xor, lt, masked_fill, maximum,
    minimum, mul, multiply, ne, not_equal, pow, remainder, rsub, sub, subtract, true_divide, where,
)
from .ops.linalg import (  # noqa: F401
    addmm, baddbmm, bmm, dot, einsum, ger, inner, matmul, mm, norm, outer,
)
from .ops.shape import (  # noqa: F401
    broadcast_shapes, broadcast_tensors, broadcast_to, cat, chunk, clone, concat, concatenate, flatten, flip,
    fliplr, flipud, hstack, moveaxis, movedim, narrow, permute, reshape, roll, split, squeeze, stack, swapaxes,
    swapdims, t, tile, transpose, unbind, unflatten, unsqueeze, vstack,
)
from .ops.reduce import *  # noqa: F401,F403
from .ops.index import *  # noqa: F401,F403
from . import autograd, linalg  # noqa: F401,E402
from . import nn, optim, utils  # noqa: F401,E402
from .serialization import load, save  # noqa: F401,E402


def is_tensor(obj: object) -> _builtins.bool:  # type: ignore[valid-type]
    """True if ``obj`` is an ``npgrad.Tensor`` (or a subclass such as ``nn.Parameter``), else False.

    Only the type is checked: NumPy arrays, Python numbers and lists give False.
    """
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> _builtins.int:  # type: ignore[valid-type]
    """The number of elements of ``t``, the product of its shape (1 for a 0-d tensor), as a Python int."""
    return t.numel()


def is_floating_point(t: Tensor) -> _builtins.bool:  # type: ignore[valid-type]
    """True if ``t``'s dtype is a floating type (float16, float32 or float64), False for integer and bool."""
    return t.is_floating_point()


def is_nonzero(t: Tensor) -> _builtins.bool:  # type: ignore[valid-type]
    """True if the single element of ``t`` is non-zero (RuntimeError for other sizes)."""
    if t.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if t.numel() == 0 else 'more than one value'} "
                           "is ambiguous")
    return t.item() != 0


def get_default_device() -> device:
    """The device new tensors are created on: always ``device(type='cpu')``, npgrad's only device."""
    return device("cpu")


# Docstrings of the Tensor methods that delegate to the functions above (``x.exp()`` -> ``npgrad.exp``).
# Applied last, once every function form is bound in this namespace (npgrad/_tensor_docs.py).
from ._tensor_docs import add_docstrings as _add_tensor_docstrings  # noqa: E402

_add_tensor_docstrings()


