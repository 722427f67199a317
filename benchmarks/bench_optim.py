"""``optimizer.step()`` on a 10M-parameter model, npgrad beside torch: ``python -m benchmarks.bench_optim``.

The model is four Linear-shaped weight/bias pairs (9.96M float32 parameters) with fixed gradients.
Each npgrad/torch pair is timed in the same process, alternating (``harness.compare``: warm-up,
then rounds of timed calls, medians), with ``torch.set_num_threads(2)``. torch is timed with
``foreach=False`` (the per-parameter loop, torch's default on CPU), its default (``foreach=None``)
and ``foreach=True``; npgrad with its default (the fused, blocked, threaded path) and with
``foreach=False``. Prints a table and writes ``benchmarks/results/optim.json``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

from .harness import Timing, compare, table, write_json

SHAPES = [(2048, 2048), (2048,), (2048, 2048), (2048,), (1024, 1536), (1024,), (10, 1024), (10,)]
OPTIMIZERS: dict[str, tuple[str, dict]] = {
    "Adam": ("Adam", dict(lr=1e-3)),
    "SGD-momentum": ("SGD", dict(lr=1e-2, momentum=0.9)),
}


def make_step(lib: Any, name: str, foreach: bool | None, shapes: list = SHAPES) -> Callable[[], Any]:
    """A zero-argument ``optimizer.step`` over fresh copies of the benchmark parameters and gradients."""
    opt_name, kwargs = OPTIMIZERS[name]
    rng = np.random.default_rng(0)
    params = []
    for shape in shapes:
        p = lib.tensor(rng.standard_normal(shape).astype(np.float32) * 0.02, requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(shape).astype(np.float32) * 1e-3)
        params.append(p)
    opt = getattr(lib.optim, opt_name)(params, foreach=foreach, **kwargs)
    return opt.step


def n_params(shapes: list = SHAPES) -> int:
    return sum(int(np.prod(s)) for s in shapes)


def run(seconds: float = 4.0, quick: bool = False, shapes: list = SHAPES) -> list[Timing]:
    """One row per (optimizer, torch variant): npgrad's default path against it, then the two loops."""
    import torch

    import npgrad

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    kw = dict(seconds=seconds, warmup=1 if quick else 3, min_steps=2 if quick else 5, chunk=1 if quick else 3)
    rows = []
    try:
        for name in OPTIMIZERS:
            ours = make_step(npgrad, name, None, shapes)
            ours_loop = make_step(npgrad, name, False, shapes)
            for label, foreach in (("foreach=False", False), ("default", None), ("foreach=True", True)):
                rows.append(compare(f"{name} / torch {label}", ours, make_step(torch, name, foreach, shapes), **kw))
            rows.append(compare(f"{name} (npgrad loop) / torch loop", ours_loop,
                                make_step(torch, name, False, shapes), **kw))
    finally:
        torch.set_num_threads(before)
    return rows


def cpu_single_thread(steps: int = 15, shapes: list = SHAPES) -> dict[str, dict[str, float]]:
    """Median CPU time (``process_time``) of one step with one thread on each side, alternating.

    CPU time barely moves when other processes share the cores, so this compares the arithmetic
    itself on a busy machine (wall-clock medians above include waiting for a core).
    """
    import torch

    import npgrad
    from npgrad.optim import _foreach

    threads = (_foreach.get_num_threads(), torch.get_num_threads())
    _foreach.set_num_threads(1)
    torch.set_num_threads(1)
    out = {}
    try:
        for name in OPTIMIZERS:
            fns = {"npgrad": make_step(npgrad, name, None, shapes), "npgrad loop": make_step(npgrad, name, False, shapes),
                   "torch foreach=False": make_step(torch, name, False, shapes),
                   "torch foreach=True": make_step(torch, name, True, shapes)}
            times: dict[str, list] = {k: [] for k in fns}
            for _ in range(2):
                for fn in fns.values():
                    fn()
            for _ in range(steps):
                for k, fn in fns.items():
                    t0 = time.process_time()
                    fn()
                    times[k].append(time.process_time() - t0)
            out[name] = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    finally:
        _foreach.set_num_threads(threads[0])
        torch.set_num_threads(threads[1])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="timed seconds per side and row")
    ap.add_argument("--quick", action="store_true", help="a few steps only; prints, writes no results file")
    args = ap.parse_args(argv)
    rows = run(0.2 if args.quick else args.seconds, args.quick)
    print(f"optimizer.step() on {n_params() / 1e6:.2f}M float32 parameters, wall-clock medians (ratio = npgrad / torch)")
    print(table(rows))
    cpu = cpu_single_thread(3 if args.quick else 15)
    print("\nsingle-thread CPU ms per step (process_time medians):")
    for name, row in cpu.items():
        print(f"  {name:<14}" + "  ".join(f"{k} {v:7.2f}" for k, v in row.items()))
    if not args.quick:
        extra = {"parameters": n_params(), "shapes": SHAPES, "optimizers": {k: v[1] for k, v in OPTIMIZERS.items()},
                 "cpu_ms_single_thread": cpu}
        print(f"wrote {write_json('optim', rows, extra)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
