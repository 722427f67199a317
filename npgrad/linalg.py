"""npgrad.linalg: norms and products (torch.linalg)."""
from .ops.linalg import linalg_norm as norm  # noqa: F401
from .ops.linalg import matrix_norm, svdvals, vector_norm  # noqa: F401
from .ops.linalg import matmul  # noqa: F401
