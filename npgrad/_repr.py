"""torch-style printing of tensors: ``tensor([[1., 2.], [3., 4.]], requires_grad=True)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _dtype

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(a: np.ndarray):
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return lambda v: f"{v}"
    amax = np.abs(finite).max()
    amin = np.abs(finite[finite != 0]).min() if np.any(finite != 0) else 0.0
    if np.all(finite == np.round(finite)) and amax < 1e8:
        width = len(f"{amax:.0f}") + (1 if np.any(finite < 0) else 0) + 1
        return lambda v: (f"{v:.0f}." if np.isfinite(v) else f"{v}").rjust(width)
    if amax >= 1e8 or (amin != 0 and amin < 1e-4) or (amin != 0 and amax / amin > 1000):
        return lambda v: f"{v:.4e}"
    width = len(f"{amax:.4f}") + (1 if np.any(finite < 0) else 0)
    return lambda v: f"{v:.4f}".rjust(width)


def tensor_repr(t: "Tensor") -> str:
    a = t.data
    prefix = "tensor("
    if a.dtype.kind == "f":
        fmt = _float_formatter(a.astype(np.float64))
        body = np.array2string(a, separator=", ", prefix=prefix, threshold=1000, edgeitems=3,
                               formatter={"float_kind": fmt})
    else:
        body = np.array2string(a, separator=", ", prefix=prefix, threshold=1000, edgeitems=3,
                               formatter={"bool": lambda v: "True" if v else "False"})
    extras = []
    if a.size == 0 and a.ndim != 1:
        extras.append(f"size={tuple(a.shape)}")
    default = {_dtype.get_default_dtype().np, np.dtype(np.int64), np.dtype(np.bool_)}
    if a.dtype not in default:
        extras.append(f"dtype={_dtype._FROM_NP[a.dtype]}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"
