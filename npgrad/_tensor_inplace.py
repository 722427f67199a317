"""In-place methods of ``Tensor`` (``add_``, ``copy_``, ``fill_``, ``uniform_``, ``+=``, ...).

Every in-place method bumps the version counter shared by a tensor and its views, so a backward
that needs the old value raises instead of silently using the new one. When the change must be
recorded (grad mode on and the tensor or an argument requires grad), the op runs out of place on
an alias carrying the tensor's old history, the result is written into the tensor's memory and the
tensor takes over the result's history. Through a view, the base's history is rewritten too
(``npgrad.ops._views.rebase``), like torch's CopySlices. A leaf that requires grad (or a view of
one) refuses in-place changes, as in torch.

Without recording, the common arithmetic methods write straight into the array with NumPy ufuncs
(``out=``), which is what optimizers use.
"""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import _dtype
from . import ops as _ops
from .autograd.grad_mode import _state

if TYPE_CHECKING:
    from .tensor import Tensor

_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single memory location. "
    "Please clone() the tensor before performing the operation."
)
_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."


class TensorInplace:
    """Mixin with the in-place methods of ``Tensor``."""

    __slots__ = ()

    # ----------------------------------------------------------------- machinery
    def _needs_record(self, args: tuple) -> builtins.bool:
        if not _state.enabled:
            return False
        if self._base is not None:
            self._sync_view()
        if self._requires_grad:
            return True
        return any(isinstance(a, _T.Tensor) and a.requires_grad for a in args)

    def _inplace(self, op: Callable[..., "Tensor"], *args: Any, **kwargs: Any) -> "Tensor":
        """Apply ``op(self, *args, **kwargs)`` in place (see the module docstring)."""
        if not self.data.flags.writeable:
            raise RuntimeError(_OVERLAP)
        if self._needs_record(args + tuple(kwargs.values())):
            return self._inplace_recorded(op, args, kwargs)
        prev = _state.enabled
        _state.enabled = False
        try:
            out = op(self, *args, **kwargs)
        finally:
            _state.enabled = prev
        self._write(out.data)
        self._version_ref[0] += 1
        return self

    def _inplace_recorded(self, op: Callable[..., "Tensor"], args: tuple, kwargs: dict) -> "Tensor":
        base = self._base
        if self._grad_fn is None and self._requires_grad:
            raise RuntimeError(_LEAF)
        if base is not None and base._grad_fn is None and base._requires_grad:
            raise RuntimeError(_VIEW_OF_LEAF)
        if base is not None and self._view_steps is None:
            raise RuntimeError(
                "in-place modification of this kind of view (e.g. diagonal) is not supported when autograd must "
                "record it; use an out-of-place operation instead"
            )
        old = _alias(self)
        out = op(old, *args, **kwargs)
        if out.data.dtype != self.data.dtype:
            self._check_cast(out.data.dtype)
            out = _ops.shape.cast(out, self.data.dtype)
        self._check_shape(out.data.shape)
        _views.snapshot_saved(out, old, args)
        if out.data is not self.data:
            np.copyto(self.data, out.data, casting="unsafe")
        self._version_ref[0] += 1
        if base is None:
            self._grad_fn, self._output_nr, self._requires_grad = out._grad_fn, out._output_nr, out._requires_grad
        else:
            _views.rebase(self, out)
        _views.repoint_saved_output(out, self)
        return self

    def _check_shape(self, shape: tuple) -> None:
        if shape != self.data.shape:
            raise RuntimeError(
                f"output with shape {list(self.data.shape)} doesn't match the broadcast shape {list(shape)}"
            )

    def _check_cast(self, src: np.dtype) -> None:
        """torch's rule: a result may be written into a tensor of the same or a higher category only."""
        if _dtype._FROM_NP[src]._category > _dtype._FROM_NP[self.data.dtype]._category:
            raise RuntimeError(
                f"result type {_dtype.scalar_name(src)} can't be cast to the desired output type "
                f"{_dtype.scalar_name(self.data.dtype)}"
            )

    def _write(self, arr: np.ndarray) -> None:
        if arr is self.data:
            return
        if arr.dtype != self.data.dtype:
            self._check_cast(arr.dtype)
        self._check_shape(arr.shape)
        np.copyto(self.data, arr, casting="unsafe")

    def _ufunc_(self, ufunc: Any, other: Any, alpha: Any = 1) -> builtins.bool:
        """Fast path: ``ufunc(self.data, alpha * other, out=self.data)`` when nothing must be recorded
        and the dtypes allow it (otherwise the general path raises torch's errors)."""
        d = self.data
        if not d.flags.writeable or self._needs_record((other,)):
            return False
        od = other.data if isinstance(other, _T.Tensor) else other
        kind = d.dtype.kind
        if isinstance(od, np.ndarray):
            cat = _dtype._CAT.get(od.dtype)
            if cat is None or cat > _dtype._CAT[d.dtype]:
                return False
        elif type(od) is builtins.float:
            if kind != "f":
                return False
        elif type(od) is not builtins.int or kind == "b":
            return False
        if alpha != 1:
            if kind != "f" and not isinstance(alpha, builtins.int) or isinstance(alpha, builtins.bool):
                return False
            od = od * alpha
        try:
            if ufunc is np.true_divide:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ufunc(d, od, out=d, casting="unsafe")
            else:
                ufunc(d, od, out=d, casting="unsafe")
        except (TypeError, ValueError):
            return False
        self._version_ref[0] += 1
        return True

    # ----------------------------------------------------------------- arithmetic
    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """self += alpha * other."""
        if self._ufunc_(np.add, other, alpha):
            return self
        return self._inplace(_ops.binary.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """self -= alpha * other."""
        if self.data.dtype != np.bool_ and self._ufunc_(np.subtract, other, alpha):
            return self
        return self._inplace(_ops.binary.sub, other, alpha=alpha)

    subtract_ = sub_

    def mul_(self, other: Any) -> "Tensor":
        """self *= other (broadcast to ``self``'s shape); returns ``self``."""
        if self._ufunc_(np.multiply, other):
            return self
        return self._inplace(_ops.binary.mul, other)

    multiply_ = mul_

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """self /= other (``rounding_mode`` as in :func:`npgrad.div`); returns ``self``."""
        if rounding_mode is None and self.data.dtype.kind == "f" and self._ufunc_(np.true_divide, other):
            return self
        return self._inplace(_ops.binary.div, other, rounding_mode=rounding_mode)

    divide_ = true_divide_ = div_

    def floor_divide_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.floor_divide, other)

    def remainder_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.remainder, other)

    def fmod_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.fmod, other)

    def pow_(self, exponent: Any) -> "Tensor":
        return self._inplace(_ops.binary.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return self._inplace(_ops.pointwise.clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min: Any) -> "Tensor":  # noqa: A002
        return self._inplace(_ops.pointwise.clamp, min, None)

    def clamp_max_(self, max: Any) -> "Tensor":  # noqa: A002
        return self._inplace(_ops.pointwise.clamp, None, max)

    def maximum_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.maximum, other)

    def minimum_(self, other: Any) -> "Tensor":
        return self._inplace(_ops.binary.minimum, other)

    def neg_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.neg)

    negative_ = neg_

    def abs_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.abs)

    def sign_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.sign)

    def exp_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.exp)

    def expm1_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.expm1)

    def log_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.log)

    def log1p_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.log1p)

    def sqrt_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.sqrt)

    def rsqrt_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.rsqrt)

    def square_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.square)

    def reciprocal_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.reciprocal)

    def sin_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.sin)

    def cos_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.cos)

    def tanh_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.tanh)

    def sigmoid_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.sigmoid)

    def relu_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.relu)

    def floor_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.floor)

    def ceil_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.ceil)

    def round_(self, *, decimals: builtins.int = 0) -> "Tensor":
        return self._inplace(_ops.pointwise.round, decimals=decimals)

    def trunc_(self) -> "Tensor":
        return self._inplace(_ops.pointwise.trunc)

    def nan_to_num_(self, nan: builtins.float = 0.0, posinf: Any = None, neginf: Any = None) -> "Tensor":
        return self._inplace(_ops.pointwise.nan_to_num, nan, posinf, neginf)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> "Tensor":
        """self += value * tensor1 * tensor2."""
        return self._inplace(_addcmul, tensor1, tensor2, value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> "Tensor":
        """self += value * tensor1 / tensor2."""
        return self._inplace(_addcdiv, tensor1, tensor2, value)

    def lerp_(self, end: Any, weight: Any) -> "Tensor":
        return self._inplace(_ops.binary.lerp, end, weight)

    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        return self._inplace(_ops.binary.masked_fill, mask, value)

    # ----------------------------------------------------------------- copy / fill
    def copy_(self, src: Any, non_blocking: builtins.bool = False) -> "Tensor":
        """Write ``src`` (broadcast to this shape, cast to this dtype) into this tensor; differentiable."""
        T = _T.Tensor
        src_t = src if isinstance(src, T) else T._make(np.asarray(src))
        try:
            shape = np.broadcast_shapes(src_t.data.shape, self.data.shape)
        except ValueError:
            shape = None
        if shape != self.data.shape:
            raise RuntimeError(
                f"The size of tensor a ({_mismatch(self.data.shape, src_t.data.shape)[0]}) must match the size of "
                f"tensor b ({_mismatch(self.data.shape, src_t.data.shape)[1]}) at non-singleton dimension "
                f"{_mismatch(self.data.shape, src_t.data.shape)[2]}"
            )
        if src_t.data is self.data:
            return self
        if not self.data.flags.writeable:
            raise RuntimeError(_OVERLAP)
        if not self._needs_record((src_t,)):
            np.copyto(self.data, src_t.data, casting="unsafe")
            self._version_ref[0] += 1
            return self
        return self._inplace_recorded(_ops.shape.copy_from, (src_t,), {})

    def fill_(self, value: Any) -> "Tensor":
        """Set every element to ``value`` (a number or a 0-d tensor)."""
        T = _T.Tensor
        if isinstance(value, T):
            if value.data.ndim != 0:
                raise RuntimeError(
                    f"fill_ only supports 0-dimension value tensor but got tensor with {value.data.ndim} dimensions."
                )
            return self.copy_(value)
        if not self.data.flags.writeable:
            raise RuntimeError(_OVERLAP)
        if self._needs_record(()):
            return self._inplace_recorded(_ops.shape.fill, (value,), {})
        self.data.fill(value)
        self._version_ref[0] += 1
        return self

    def zero_(self) -> "Tensor":
        """Fill ``self`` with zeros in place and return it."""
        return self.fill_(0)

    def set_(self, source: "Tensor") -> "Tensor":
        """Make this tensor use ``source``'s memory (and shape/dtype)."""
        self.data = source.data
        self._version_ref[0] += 1
        return self

    # ----------------------------------------------------------------- in-place shape changes
    def _reshape_inplace(self, out: "Tensor") -> "Tensor":
        if _state.enabled and self._grad_fn is None and self._requires_grad:
            raise RuntimeError(_LEAF)
        self.data = out.data
        if out._grad_fn is not None:
            self._grad_fn, self._output_nr = out._grad_fn, out._output_nr
        return self

    def squeeze_(self, dim: Any = None) -> "Tensor":
        return self._reshape_inplace(_ops.shape.squeeze(_alias(self), dim))

    def unsqueeze_(self, dim: builtins.int) -> "Tensor":
        return self._reshape_inplace(_ops.shape.unsqueeze(_alias(self), dim))

    def transpose_(self, dim0: builtins.int, dim1: builtins.int) -> "Tensor":
        return self._reshape_inplace(_ops.shape.transpose(_alias(self), dim0, dim1))

    swapdims_ = swapaxes_ = transpose_

    def t_(self) -> "Tensor":
        return self._reshape_inplace(self.t() if self._grad_fn is not None else _alias(self).t())

    def resize_(self, *sizes: Any) -> "Tensor":
        """Change the shape; the elements are kept in order (new ones uninitialised: zeros here)."""
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        shape = _ops.shape._shape_args(sizes)
        flat = self.data.reshape(-1)
        n = int(np.prod(shape))
        new = np.zeros(n, self.data.dtype)
        new[: min(n, flat.size)] = flat[: min(n, flat.size)]
        self.data = new.reshape(shape)
        self._version_ref[0] += 1
        return self

    # ----------------------------------------------------------------- random fills (npgrad's generator)
    def _fill_random(self, sample: Callable[[np.random.Generator, np.dtype], np.ndarray], generator: Any) -> "Tensor":
        if _state.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(_LEAF)
        if not self.data.flags.writeable:
            raise RuntimeError(_OVERLAP)
        from .random import rng

        dt = self.data.dtype
        work = dt if dt in (np.float32, np.float64) else np.dtype(np.float64)
        np.copyto(self.data, sample(rng(generator), work), casting="unsafe")
        self._version_ref[0] += 1
        return self

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with samples from U[a, b)."""
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.random(shape, dtype=dt) * (b - a) + a, generator)

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with samples from N(mean, std^2)."""
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.standard_normal(shape, dtype=dt) * std + mean, generator)

    def log_normal_(self, mean: builtins.float = 1.0, std: builtins.float = 2.0, *, generator: Any = None) -> "Tensor":
        """Fill ``self`` with samples exp(X), X ~ N(mean, std^2) (log-normal with the given parameters of the
        underlying normal), in place; returns ``self``.
        """
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.lognormal(mean, std, shape), generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> "Tensor":
        """Fill with 1 with probability ``p`` (a number or a tensor of probabilities), else 0."""
        pd = p.data if isinstance(p, _T.Tensor) else p
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.random(shape) < pd, generator)

    def exponential_(self, lambd: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill ``self`` with samples of the exponential distribution with rate ``lambd`` (density
        lambd * exp(-lambd * x), mean 1 / lambd), in place; returns ``self``.
        """
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.exponential(1.0 / lambd, shape), generator)

    def geometric_(self, p: builtins.float, *, generator: Any = None) -> "Tensor":
        """Fill ``self`` with samples of the geometric distribution: the number of Bernoulli(``p``) trials up to
        and including the first success (values 1, 2, ...), in place; returns ``self``.
        """
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.geometric(p, shape), generator)

    def cauchy_(self, median: builtins.float = 0.0, sigma: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill ``self`` with samples of the Cauchy distribution (density
        1 / (pi * sigma * (1 + ((x - median) / sigma)^2))), in place; returns ``self``.
        """
        shape = self.data.shape
        return self._fill_random(lambda g, dt: median + sigma * g.standard_cauchy(shape), generator)

    def random_(self, from_: builtins.int = 0, to: builtins.int | None = None, *, generator: Any = None) -> "Tensor":
        """Integers uniform in [from, to); ``random_(to)`` means [0, to)."""
        if to is None:
            from_, to = 0, from_
        shape = self.data.shape
        return self._fill_random(lambda g, dt: g.integers(from_, to, shape), generator)


def _alias(t: "Tensor") -> "Tensor":
    """A new tensor object with ``t``'s data, history and version counter."""
    a = _T.Tensor._make(t.data, t._requires_grad, t._grad_fn, t._output_nr)
    a._version_ref = t._version_ref
    if t._grad_fn is None and t._requires_grad:
        from .autograd.function import accumulator_for

        acc = accumulator_for(t)
        a.__dict__["_accumulator"] = _weakref.ref(acc)
    return a


def _addcmul(s: "Tensor", a: Any, b: Any, value: Any) -> "Tensor":
    return s + value * a * b if value != 1 else s + a * b


def _addcdiv(s: "Tensor", a: Any, b: Any, value: Any) -> "Tensor":
    return s + value * a / b if value != 1 else s + a / b


def _mismatch(a: tuple, b: tuple) -> tuple:
    """The first (from the right) pair of non-broadcastable sizes and its dimension."""
    n = max(len(a), len(b))
    for i in range(1, n + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and y != 1:
            return x, y, n - i
    return a[0] if a else 1, b[0] if b else 1, 0


import weakref as _weakref  # noqa: E402

from . import tensor as _T  # noqa: E402
from .ops import _views  # noqa: E402
