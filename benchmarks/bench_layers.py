"""Layer micro-benchmarks beside torch: ``python -m benchmarks.bench_layers [--seconds 5] [--quick] [--extended]``.

Rows (forward + backward on a 32x64x32x32 float32 input, the gradient a fixed random tensor):
Conv2d(64->64, 3x3, padding 1), MaxPool2d(2), BatchNorm2d(64); ``--extended`` adds the ResNet-20
conv shapes (batch 128). Both sides run in the same process, alternating (``harness.compare``:
warm-up, then rounds of timed calls until each side spent ``--seconds``; medians), with
``torch.set_num_threads(2)``. Afterwards the conv kernel is profiled piece by piece (where the
time of one forward + backward goes). Prints tables and writes ``benchmarks/results/layers.json``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

from .harness import Timing, compare, table, write_json

SHAPE = (32, 64, 32, 32)


def _fwd_bwd(lib: Any, layer: Any, shape: tuple) -> Callable[[], Any]:
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal(shape).astype(np.float32)).requires_grad_(True)
    with lib.no_grad():
        out_shape = tuple(layer(x).shape)
    g = lib.from_numpy(rng.standard_normal(out_shape).astype(np.float32))

    def step() -> None:
        layer(x).backward(g)

    return step


def _layers(extended: bool) -> list[tuple[str, Callable[[Any], Any], tuple]]:
    rows: list = [
        ("Conv2d 64-64 3x3 p1 fwd+bwd", lambda lib: lib.nn.Conv2d(64, 64, 3, padding=1), SHAPE),
        ("MaxPool2d(2) fwd+bwd", lambda lib: lib.nn.MaxPool2d(2), SHAPE),
        ("BatchNorm2d(64) fwd+bwd", lambda lib: lib.nn.BatchNorm2d(64), SHAPE),
    ]
    if extended:
        rows += [
            ("R20 conv 3-16 b128 32x32", lambda lib: lib.nn.Conv2d(3, 16, 3, padding=1, bias=False), (128, 3, 32, 32)),
            ("R20 conv 16-16 b128 32x32", lambda lib: lib.nn.Conv2d(16, 16, 3, padding=1, bias=False), (128, 16, 32, 32)),
            ("R20 conv 16-32 s2 b128", lambda lib: lib.nn.Conv2d(16, 32, 3, 2, 1, bias=False), (128, 16, 32, 32)),
            ("R20 conv 32-32 b128 16x16", lambda lib: lib.nn.Conv2d(32, 32, 3, padding=1, bias=False), (128, 32, 16, 16)),
            ("R20 conv 64-64 b128 8x8", lambda lib: lib.nn.Conv2d(64, 64, 3, padding=1, bias=False), (128, 64, 8, 8)),
            ("R20 1x1 16-32 s2 b128", lambda lib: lib.nn.Conv2d(16, 32, 1, 2, bias=False), (128, 16, 32, 32)),
            ("R20 BatchNorm2d(16) b128", lambda lib: lib.nn.BatchNorm2d(16), (128, 16, 32, 32)),
        ]
    return rows


def run(seconds: float = 5.0, quick: bool = False, extended: bool = False) -> list[Timing]:
    import torch

    import npgrad

    torch.set_num_threads(2)
    kw = dict(seconds=seconds, warmup=1 if quick else 3, min_steps=2 if quick else 5, chunk=1 if quick else 3)
    rows = []
    for name, make, shape in _layers(extended):
        torch.manual_seed(0)
        t_layer = make(torch)
        n_layer = make(npgrad)
        n_layer.load_state_dict({k: npgrad.from_numpy(v.detach().numpy().copy()) for k, v in t_layer.state_dict().items()})
        rows.append(compare(name, _fwd_bwd(npgrad, n_layer, shape), _fwd_bwd(torch, t_layer, shape), items=shape[0], **kw))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    return rows


def profile_conv(reps: int = 10) -> dict[str, float]:
    """Median ms of each piece of one Conv2d(64, 64, 3, padding=1) forward + backward on SHAPE (kernels only)."""
    from npgrad.ops import conv as K

    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE).astype(np.float32)
    w = (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(np.float32)
    b = np.zeros(64, np.float32)
    plan = K.conv_plan(x.shape, w.shape, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    gy = rng.standard_normal(plan.yshape).astype(np.float32)
    xb, gb = K.prepare_input(x, plan), K.grad_buffer(gy, plan)
    src, wcols = K._grouped(xb, 1), K._weight_columns(w, 1)
    grid = K._shifted_matmul(wcols, src, plan.taps, plan.m)

    def gathers() -> None:
        for _ in K._column_blocks(src, plan.taps, plan.m):
            pass

    pieces: dict[str, Callable[[], Any]] = {
        "forward: input buffer (pad, NCHW -> channel-major grid)": lambda: K.prepare_input(x, plan),
        "forward: column GEMMs incl. gathers": lambda: K._shifted_matmul(wcols, src, plan.taps, plan.m),
        "  of which: the im2col gathers (block copies)": gathers,
        "forward: crop grid -> NCHW + bias": lambda: np.add(grid.reshape(64, SHAPE[0], plan.hq, plan.wq)[
            :, :, :plan.ho, :plan.wo].transpose(1, 0, 2, 3), b.reshape(1, -1, 1, 1), out=np.empty(plan.yshape, np.float32)),
        "backward: grad buffer (NCHW -> channel-major grid)": lambda: K.grad_buffer(gy, plan),
        "backward: input grad (column GEMMs + crop)": lambda: K.conv_input_grad(gy, w, plan, gb),
        "backward: weight grad (column GEMMs)": lambda: K.conv_weight_grad(x, gy, plan, xb, gb),
        "backward: bias grad (sum)": lambda: gy.sum(axis=(0, 2, 3)),
    }
    out = {}
    for name, fn in pieces.items():
        fn()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times) * 1e3
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_layers", description=__doc__)
    p.add_argument("--seconds", type=float, default=5.0, help="timed seconds per side per layer")
    p.add_argument("--quick", action="store_true", help="a few steps per layer (smoke run)")
    p.add_argument("--extended", action="store_true", help="also the ResNet-20 layer shapes (batch 128)")
    p.add_argument("--out", default="layers", help="JSON name under benchmarks/results/")
    args = p.parse_args(argv)
    rows = run(0.0 if args.quick else args.seconds, args.quick, args.extended)
    print()
    print(table(rows))
    prof = profile_conv(3 if args.quick else 10)
    total = sum(ms for name, ms in prof.items() if not name.startswith(" "))
    print(f"\nConv2d 64-64 3x3 fwd+bwd kernel profile on {SHAPE} (median ms; sum {total:.1f} ms):")
    for name, ms in prof.items():
        print(f"  {name:<56} {ms:8.2f}  {100 * ms / total:5.1f}%")
    path = write_json(args.out, rows, {"conv_profile_ms": prof})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
