"""Indexing ops: ``x[key]`` / ``x[key] = v``, gather/scatter, index_*, masks, diagonals, searches.

This module is the public face of the indexing ops; they live in private modules by job:

- ``_index_util``: scatter-add kernels, index validation, ``scalar_type_name``;
- ``_index_gather``: ``gather``, ``take_along_dim``, ``index_select``, ``index_add``, ``index_fill``;
- ``_index_scatter``: ``scatter``, ``scatter_add``, ``scatter_reduce``;
- ``_index_key`` / ``_index_getset``: parsing ``x[key]``; ``getitem``, ``setitem``, ``index_put``,
  ``index_copy``, ``masked_select``, ``masked_scatter``, ``take``;
- ``_index_diag``: ``tril``, ``triu``, ``diagonal``, ``diag``, ``diag_embed``, ``trace``;
- ``_index_search``: ``nonzero``, ``argwhere``, ``one_hot``, ``searchsorted``, ``bucketize``, ``unique``.

Conventions shared by the differentiable ops:
- a *selection* (``x[key]``, gather, index_select) has as gradient the scatter-add of the incoming
  gradient into zeros of the input's shape (repeated indices accumulate); that scatter is itself a
  Function whose backward is the selection again, so double backward works;
- a *write* (``x[key] = v``, scatter, index_fill) passes the gradient to ``x`` with the written
  positions zeroed, and to the written values the gradient gathered at those positions.
Scatter-adds are vectorised: flat target positions are computed by broadcasting, then summed with
``np.bincount`` (dense targets) or ``np.add.at`` (sparse ones). No Python loop runs over elements.
"""
from __future__ import annotations

from ._index_diag import DiagScatter, Diagonal, Tri, diag, diag_embed, diagonal, trace, tril, triu  # noqa: F401
from ._index_gather import (  # noqa: F401
    Gather, IndexAdd, IndexSelect, PutAlong, gather, index_add, index_fill, index_select, take_along, take_along_dim,
)
from ._index_getset import (  # noqa: F401
    Index, IndexBackward, IndexPut, IndexPutAccumulate, getitem, index_copy, index_put, index_put_, masked_scatter,
    masked_select, setitem, take,
)
from ._index_scatter import ScatterOp, ScatterReduce, scatter, scatter_add, scatter_reduce  # noqa: F401
from ._index_search import argwhere, bucketize, nonzero, one_hot, searchsorted, unique  # noqa: F401
from ._index_util import scalar_type_name  # noqa: F401

__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_fill",
    "masked_select", "masked_scatter", "take_along_dim", "take", "nonzero", "argwhere", "one_hot", "tril",
    "triu", "diagonal", "diag", "diag_embed", "trace", "searchsorted", "bucketize", "unique", "index_put",
    "index_put_", "index_copy",
]
