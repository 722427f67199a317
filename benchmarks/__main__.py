"""Run the benchmark suite beside PyTorch: ``python -m benchmarks [--quick] [--only W1,W3] [--seconds 5]``.

Prints a table and writes ``benchmarks/results/suite.json``. ``--quick`` (used by the tests) runs
each workload for a few steps only, but still checks the sanity line: after 50 training steps on a
fixed batch, W1's and W3's losses equal torch's.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

import numpy as np

from . import workloads as W
from .harness import Timing, compare, table, write_json


def _workloads(seconds: float, quick: bool) -> dict[str, Callable[[], Timing]]:
    import torch

    import npgrad

    def train(name: str, builder: Any, shape: tuple) -> Callable[[], Timing]:
        def run() -> Timing:
            n_model, t_model = W.build_pair(builder)
            x, y = W.batch(shape)
            return compare(name, W.train_step_fn(npgrad, n_model, x, y), W.train_step_fn(torch, t_model, x, y),
                           seconds=seconds, items=shape[0], warmup=1 if quick else 3, min_steps=2 if quick else 5)
        return run

    def infer(name: str, builder: Any, shape: tuple) -> Callable[[], Timing]:
        def run() -> Timing:
            n_model, t_model = W.build_pair(builder)
            x, _ = W.batch(shape)
            return compare(name, W.infer_fn(npgrad, n_model, x), W.infer_fn(torch, t_model, x), seconds=seconds,
                           items=shape[0], warmup=1 if quick else 3, min_steps=2 if quick else 5)
        return run

    def micro(name: str, make: Callable[[Any], Callable[[], Any]], items: int = 0) -> Callable[[], Timing]:
        def run() -> Timing:
            return compare(name, make(npgrad), make(torch), seconds=seconds, items=items,
                           warmup=1 if quick else 3, min_steps=2 if quick else 5, chunk=1 if quick else 3)
        return run

    return {
        "W1": train("W1 MLP b128 train step", W.mlp, (128, 784)),
        "W2": train("W2 MLP b16 train step", W.mlp, (16, 784)),
        "W3": train("W3 CNN b64 train step", W.cnn, (64, 1, 28, 28)),
        "W4": train("W4 ResNet-20 b128 train step", W.resnet20, (128, 3, 32, 32)),
        "L5": train("LeNet-5 b64 train step", W.lenet5, (64, 1, 28, 28)),
        "W4i": infer("W4i ResNet-20 b256 inference", W.resnet20, (256, 3, 32, 32)),
        "add": micro("op overhead: a + b (1 elem)", _add),
        "add_bw": micro("op overhead: (a + b).backward()", _add_backward),
        "conv": micro("Conv2d 64-64 3x3 fwd+bwd 32x64x32x32", _conv, items=32),
        "maxpool": micro("MaxPool2d(2) fwd+bwd 32x64x32x32", _maxpool, items=32),
        "bn": micro("BatchNorm2d(64) fwd+bwd 32x64x32x32", _batchnorm, items=32),
        "adam": micro("Adam step, 10M params", _adam_step),
    }


def _add(lib: Any) -> Callable[[], Any]:
    a, b = lib.tensor(1.0), lib.tensor(2.0)
    return lambda: a + b


def _add_backward(lib: Any) -> Callable[[], Any]:
    a, b = lib.tensor(1.0, requires_grad=True), lib.tensor(2.0, requires_grad=True)
    return lambda: (a + b).backward()


def _layer_fwd_bwd(lib: Any, layer: Any) -> Callable[[], Any]:
    x = lib.from_numpy(W.batch((32, 64, 32, 32))[0]).requires_grad_(True)
    g = lib.from_numpy(W.batch((32, 64, 32, 32), seed=1)[0])

    def step() -> Any:
        out = layer(x)
        out.backward(g if out.shape == g.shape else lib.ones_like(out))

    return step


def _conv(lib: Any) -> Callable[[], Any]:
    lib.manual_seed(0)
    return _layer_fwd_bwd(lib, lib.nn.Conv2d(64, 64, 3, padding=1))


def _maxpool(lib: Any) -> Callable[[], Any]:
    return _layer_fwd_bwd(lib, lib.nn.MaxPool2d(2))


def _batchnorm(lib: Any) -> Callable[[], Any]:
    return _layer_fwd_bwd(lib, lib.nn.BatchNorm2d(64))


def _adam_step(lib: Any) -> Callable[[], Any]:
    rs = np.random.default_rng(0)
    params = []
    for shape in ((2048, 2048), (2048, 2048), (1024, 1664)):  # 10,092,544 parameters
        p = lib.nn.Parameter(lib.from_numpy(rs.standard_normal(shape).astype(np.float32)))
        p.grad = lib.from_numpy(rs.standard_normal(shape).astype(np.float32))
        params.append(p)
    opt = lib.optim.Adam(params, lr=1e-3)
    return opt.step


def sanity(steps: int = 50) -> list[tuple[str, float, float]]:
    """Losses after ``steps`` SGD steps on a fixed batch, npgrad vs torch (W1 and W3)."""
    import torch

    import npgrad

    out = []
    for name, builder, shape in (("W1", W.mlp, (128, 784)), ("W3", W.cnn, (64, 1, 28, 28))):
        n_model, t_model = W.build_pair(builder)
        x, y = W.batch(shape)
        n_step, t_step = W.train_step_fn(npgrad, n_model, x, y), W.train_step_fn(torch, t_model, x, y)
        for _ in range(steps):
            n_loss, t_loss = n_step(), t_step()
        out.append((name, float(n_loss.item()), float(t_loss.item())))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a few steps per workload (CI smoke run)")
    p.add_argument("--only", help="comma-separated workload keys, e.g. W1,W3,conv")
    p.add_argument("--seconds", type=float, default=5.0, help="timed seconds per side per workload")
    p.add_argument("--sanity-steps", type=int, default=50)
    p.add_argument("--out", default="suite", help="JSON name under benchmarks/results/")
    args = p.parse_args(argv)

    import torch

    torch.set_num_threads(2)
    seconds = 0.0 if args.quick else args.seconds
    todo = _workloads(seconds, args.quick)
    keys = args.only.split(",") if args.only else list(todo)
    unknown = [k for k in keys if k not in todo]
    if unknown:
        p.error(f"unknown workloads {unknown}; choose from {list(todo)}")
    rows = []
    for k in keys:
        rows.append(todo[k]())
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    checks = sanity(args.sanity_steps)
    ok = True
    print()
    for name, n_loss, t_loss in checks:
        good = abs(n_loss - t_loss) <= 1e-3
        ok &= good
        print(f"sanity {name}: loss after {args.sanity_steps} steps npgrad {n_loss:.6f} torch {t_loss:.6f} "
              f"{'OK' if good else 'MISMATCH'}")
    path = write_json(args.out, rows, {"sanity": [dict(workload=n, loss_npgrad=a, loss_torch=b) for n, a, b in checks]})
    print(f"\nwrote {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
