"""Timing harness shared by every benchmark: npgrad and torch timed in the same process, alternating.

Each side runs ``warmup`` untimed calls, then the two sides take turns in rounds of ``chunk`` timed
calls (``perf_counter_ns`` around every call) until each side has spent ``seconds`` (and done at
least ``min_steps`` calls). Medians are reported: the machine is shared and noisy.
"""
from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Timing:
    name: str
    ms_median_npgrad: float
    ms_min_npgrad: float
    ms_max_npgrad: float
    ms_median_torch: float
    ms_min_torch: float
    ms_max_torch: float
    ratio: float  # npgrad / torch (lower is better; < 1 means npgrad is faster)
    steps_npgrad: int
    steps_torch: int
    items: int = 0  # images (or elements) per call, for throughput
    images_per_s_npgrad: float = 0.0
    images_per_s_torch: float = 0.0


def compare(name: str, npgrad_fn: Callable[[], object], torch_fn: Callable[[], object], *, seconds: float = 5.0,
            warmup: int = 3, min_steps: int = 5, chunk: int = 3, items: int = 0) -> Timing:
    """Time two zero-argument callables against each other, alternating between them."""
    for _ in range(warmup):
        npgrad_fn()
        torch_fn()
    times: dict = {"npgrad": [], "torch": []}
    spent = {"npgrad": 0, "torch": 0}
    budget = int(seconds * 1e9)
    sides = (("npgrad", npgrad_fn), ("torch", torch_fn))
    while any(spent[s] < budget or len(times[s]) < min_steps for s, _ in sides):
        for side, fn in sides:
            if spent[side] >= budget and len(times[side]) >= min_steps:
                continue
            for _ in range(chunk):
                t0 = time.perf_counter_ns()
                fn()
                dt = time.perf_counter_ns() - t0
                times[side].append(dt)
                spent[side] += dt
    med = {s: statistics.median(v) / 1e6 for s, v in times.items()}
    return Timing(
        name=name,
        ms_median_npgrad=med["npgrad"], ms_min_npgrad=min(times["npgrad"]) / 1e6, ms_max_npgrad=max(times["npgrad"]) / 1e6,
        ms_median_torch=med["torch"], ms_min_torch=min(times["torch"]) / 1e6, ms_max_torch=max(times["torch"]) / 1e6,
        ratio=med["npgrad"] / med["torch"],
        steps_npgrad=len(times["npgrad"]), steps_torch=len(times["torch"]),
        items=items,
        images_per_s_npgrad=items / (med["npgrad"] / 1e3) if items else 0.0,
        images_per_s_torch=items / (med["torch"] / 1e3) if items else 0.0,
    )


def machine() -> dict:
    import numpy as np
    import torch

    import npgrad

    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    import os

    return {
        "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "npgrad": npgrad.__version__,
    }


def table(rows: list[Timing]) -> str:
    head = f"{'workload':<34} {'npgrad ms':>10} {'torch ms':>10} {'ratio':>7} {'npgrad img/s':>13} {'torch img/s':>12}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ips = f"{r.images_per_s_npgrad:13.0f} {r.images_per_s_torch:12.0f}" if r.items else f"{'':13} {'':12}"
        lines.append(f"{r.name:<34} {r.ms_median_npgrad:10.3f} {r.ms_median_torch:10.3f} {r.ratio:7.2f} {ips}")
    return "\n".join(lines)


def write_json(name: str, rows: list[Timing], extra: dict | None = None) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), "results": [asdict(r) for r in rows], **(extra or {})}
    path.write_text(json.dumps(payload, indent=2))
    return path
