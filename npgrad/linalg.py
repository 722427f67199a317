"""npgrad.linalg: norms and products (torch.linalg)."""
from .ops.linalg import linalg_norm as norm  # noqa: F401
from .ops.linalg import matmul, matrix_norm, svdvals, vector_norm  # noqa: F401

__all__ = ["matmul", "matrix_norm", "norm", "svdvals", "vector_norm"]
