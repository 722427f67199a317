"""Shared test configuration: hypothesis budgets and the location of the real datasets."""
from __future__ import annotations

import os
import zlib

# Tests run in parallel processes (pytest -n 2) on a 2-core machine: one BLAS thread per process, or
# OpenBLAS's spinning threads oversubscribe the cores and GEMMs get ~40x slower. Must precede numpy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False
)
settings.register_profile(
    "ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "default"))

import torch  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("NPGRAD_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (torchvision root layout); tests using it are skipped where it does not exist."""
    if not SHARED_DATA.exists():
        pytest.skip(f"real datasets not present at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _seed(request: pytest.FixtureRequest) -> None:
    """Every test starts from the same RNG state, whatever ran before it in its worker: the global
    generators are seeded, and a module-level ``RNG`` generator is reset from the test's id."""
    import npgrad

    npgrad.manual_seed(0)
    np.random.seed(0)
    module = request.module
    if isinstance(getattr(module, "RNG", None), np.random.Generator):
        module.RNG = np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
