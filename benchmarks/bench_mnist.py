"""The ``mnist-mlp`` recipe trained in npgrad and in PyTorch side by side: same initial weights, same
data order, same optimizer and schedule. Reports seconds per epoch and test accuracy for both.

    python -m benchmarks.bench_mnist --data-dir ../shared/data --epochs 10
"""
from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from .harness import RESULTS, machine
from .twin import twin_pair


def _run_epoch(lib: Any, model: Any, opt: Any, sched: Any, x: Any, y: Any, batches: list) -> float:
    loss_fn = lib.nn.CrossEntropyLoss()
    model.train()
    start = time.perf_counter()
    for idx in batches:
        xb, yb = x[idx], y[idx]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    sched.step()
    return time.perf_counter() - start


def _accuracy(lib: Any, model: Any, x: Any, y: Any) -> float:
    model.eval()
    with lib.no_grad():
        correct = sum(int((model(x[i : i + 1000]).argmax(1) == y[i : i + 1000]).sum()) for i in range(0, len(y), 1000))
    return correct / len(y)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", default="../shared/data")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2,
                   help="torch threads; run with OPENBLAS_NUM_THREADS set to the same number for npgrad")
    args = p.parse_args(argv)

    import torch

    import npgrad
    from npgrad.recipes import MNIST_MEAN, MNIST_STD
    from npgrad.vision.datasets import MNIST
    from npgrad.vision.models import classic

    torch.set_num_threads(args.threads)
    arrays = {}
    for split, train in (("train", True), ("test", False)):
        ds = MNIST(args.data_dir, train=train)
        images = ds.data.numpy() if hasattr(ds.data, "numpy") else np.asarray(ds.data)
        targets = ds.targets.numpy() if hasattr(ds.targets, "numpy") else np.asarray(ds.targets)
        x = ((images.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD)[:, None]
        arrays[split] = (x, targets.astype(np.int64))
    n_model, t_model = twin_pair(classic, "mlp", 784, (256, 128), 10)
    sides = {}
    for name, lib, model in (("npgrad", npgrad, n_model), ("torch", torch, t_model)):
        opt = lib.optim.Adam(model.parameters(), lr=args.lr)
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
        tensors = {s: (lib.from_numpy(a), lib.from_numpy(b)) for s, (a, b) in arrays.items()}
        sides[name] = (lib, model, opt, sched, tensors)
    rs = np.random.default_rng(0)
    n = len(arrays["train"][1])
    history = {"npgrad": [], "torch": []}
    for epoch in range(args.epochs):
        order = rs.permutation(n)
        batches = [order[i : i + args.batch_size] for i in range(0, n, args.batch_size)]
        for name in ("npgrad", "torch") if epoch % 2 == 0 else ("torch", "npgrad"):  # alternate who goes first
            lib, model, opt, sched, tensors = sides[name]
            secs = _run_epoch(lib, model, opt, sched, *tensors["train"], [lib.from_numpy(b) for b in batches])
            acc = _accuracy(lib, model, *tensors["test"])
            history[name].append({"epoch": epoch + 1, "seconds": secs, "test_acc": acc})
        a, b = history["npgrad"][-1], history["torch"][-1]
        print(f"epoch {epoch + 1:2d} | npgrad {a['seconds']:6.2f}s acc {a['test_acc'] * 100:.2f}% | "
              f"torch {b['seconds']:6.2f}s acc {b['test_acc'] * 100:.2f}%", flush=True)
    med = {k: float(np.median([r["seconds"] for r in v])) for k, v in history.items()}
    print(f"median s/epoch: npgrad {med['npgrad']:.2f}, torch {med['torch']:.2f}, ratio {med['npgrad'] / med['torch']:.2f}")
    print(f"final test accuracy: npgrad {history['npgrad'][-1]['test_acc'] * 100:.2f}%, "
          f"torch {history['torch'][-1]['test_acc'] * 100:.2f}%")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mnist_mlp.json").write_text(json.dumps({"machine": machine(), "history": history, "median_s_per_epoch": med}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
