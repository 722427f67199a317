"""Reductions, scans, selection/sorting and (log-)softmax, with torch's dtypes and gradient rules.

This module is the public face of the reductions; they live in private modules by job:

- ``_reduce_util``: return types, gradient-broadcast helpers, ``Evenly`` / ``Selected``;
- ``_reduce_sums``: ``sum``, ``mean``, ``prod``, ``nansum``, ``nanmean``, ``all``, ``any``, ``count_nonzero``;
- ``_reduce_extremes``: ``amax``, ``amin``, ``max``, ``min``, ``aminmax``, ``argmax``, ``argmin``;
- ``_reduce_var``: ``var``, ``std``, ``var_mean``, ``std_mean``;
- ``_reduce_order``: ``sort``, ``argsort``, ``msort``, ``topk``, ``kthvalue``, ``median``, ``mode``,
  ``quantile``, ``nanquantile``;
- ``_reduce_scans``: ``cumsum``, ``cumprod``, ``cummax``, ``cummin``, ``diff``;
- ``_reduce_softmax``: ``logsumexp``, ``softmax``, ``log_softmax``.

Gradients:
- sum / mean: the output gradient broadcast back over the reduced dims (divided by the count);
- amax / amin / max() / min() / median(): split evenly among the elements equal to the result;
- max(dim) / min(dim) / median(dim) / mode / kthvalue / topk / sort / cummax / cummin: the values
  are a ``Gather`` of the input at the returned indices, so the gradient is scattered to them;
- prod / cumprod: exact with zeros in the input (the product of the other factors, never 0/0);
- var: ``2 (x - mean) / (N - correction)``; std: var's times ``1 / (2 std)``, 0 where std == 0;
- softmax: ``y (g - sum(g y))``; log_softmax: ``g - exp(y) sum(g)``; logsumexp: ``g exp(x - out)``.
Every backward is written with Tensor ops, so double backward works.
"""
from __future__ import annotations

from ._reduce_extremes import amax, amin, aminmax, argmax, argmin, max, min  # noqa: F401,A004
from ._reduce_order import (  # noqa: F401
    argsort, kthvalue, median, mode, msort, nanquantile, quantile, sort, topk,
)
from ._reduce_scans import Cumprod, Cumsum, cummax, cummin, cumprod, cumsum, diff  # noqa: F401
from ._reduce_softmax import LogSoftmax, LogSumExp, Softmax, log_softmax, logsumexp, softmax  # noqa: F401
from ._reduce_sums import (  # noqa: F401,A004
    Mean, NanToZero, Prod, Sum, all, any, count_nonzero, mean, nanmean, nansum, prod, sum,
)
from ._reduce_util import Evenly, Selected  # noqa: F401
from ._reduce_var import Var, std, std_mean, var, var_mean  # noqa: F401

__all__ = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "var", "std",
    "var_mean", "std_mean", "median", "kthvalue", "mode", "quantile", "nanquantile", "nansum", "nanmean",
    "logsumexp", "all", "any", "count_nonzero", "cumsum", "cumprod", "cummax", "cummin", "diff", "softmax", "log_softmax", "sort",
    "argsort", "topk", "msort",
]
