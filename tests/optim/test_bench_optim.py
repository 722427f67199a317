"""The optimizer benchmark runs (on a tiny model) and reports every row."""
from __future__ import annotations

from benchmarks.bench_optim import OPTIMIZERS, run


def test_bench_optim_runs_on_a_small_model() -> None:
    rows = run(seconds=0.01, quick=True, shapes=[(64, 32), (64,)])
    assert len(rows) == 4 * len(OPTIMIZERS)
    assert all(r.ms_median_npgrad > 0 and r.ms_median_torch > 0 for r in rows)
