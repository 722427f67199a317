"""Testing helpers: ``assert_close`` (torch.testing semantics) and ``check_against_torch``.

    from npgrad.testing import assert_close, check_against_torch
    assert_close(npgrad.ones(3), np.ones(3, dtype=np.float32))
    check_against_torch(lambda lib, x, w: (x @ w).relu(), x, w)   # outputs and gradients vs torch
"""
from ._comparison import assert_close, default_tolerances
from ._torch_check import CheckEntry, TorchCheckReport, check_against_torch

__all__ = ["assert_close", "default_tolerances", "check_against_torch", "TorchCheckReport", "CheckEntry"]
