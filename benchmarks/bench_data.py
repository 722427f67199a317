"""Data-loading benchmark: one epoch over MNIST and CIFAR-10 (RandomCrop + flip), npgrad vs torch.

    python -m benchmarks.bench_data [--root DIR] [--repeats 3] [--quick]

Only the DataLoader is iterated (no model). Both libraries load the same uint8 arrays, batch 128,
shuffled. torch uses ``torch.utils.data.TensorDataset`` and does augmentation the way a torch user
would with tensor ops: either on whole batches in the loop (vectorised, the fast way) or per
sample inside a Dataset (the torchvision way). npgrad uses its vision datasets with an ordinary
per-sample ``transforms.Compose``, which its DataLoader runs batched (one fancy index + NumPy
augmentation per batch). Epochs of the two sides alternate; medians are reported. Writes
``benchmarks/results/bench_data.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
BATCH = 128
MNIST_MEAN, MNIST_STD = (0.1307,), (0.3081,)
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def _data_root(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("NPGRAD_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _epoch(loader: Any, prepare: Callable[[Any, Any], Any] | None = None) -> int:
    n = 0
    for x, y in loader:
        if prepare is not None:
            x = prepare(x, y)
        n += len(y)
    return n


def _alternate(fns: dict[str, Callable[[], int]], repeats: int) -> dict[str, list[float]]:
    """Run each epoch function ``repeats`` times, taking turns; seconds per epoch."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


# ----------------------------------------------------------------------------- torch side
def _torch_batch_crop_flip(torch: Any, x: Any, pad: int = 4) -> Any:
    """Per-sample random crop + horizontal flip of a uint8 N×C×H×W batch with tensor ops."""
    n, c, h, w = x.shape
    padded = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    tops = torch.randint(0, 2 * pad + 1, (n,))
    lefts = torch.randint(0, 2 * pad + 1, (n,))
    rows = (tops[:, None] + torch.arange(h))[:, None, :, None]
    cols = (lefts[:, None] + torch.arange(w))[:, None, None, :]
    out = padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None], rows, cols]
    flip = torch.rand(n) < 0.5
    return torch.where(flip[:, None, None, None], out.flip(3), out)


def _torch_per_sample_dataset(torch: Any, x: Any, y: Any, mean: Any, std: Any) -> Any:
    class Augmented(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(y)

        def __getitem__(self, i: int) -> tuple:
            img = torch.nn.functional.pad(x[i], (4, 4, 4, 4))
            top, left = torch.randint(0, 9, (2,)).tolist()
            img = img[:, top : top + 32, left : left + 32]
            if torch.rand(1) < 0.5:
                img = img.flip(-1)
            return (img.float().div(255) - mean) / std, y[i]

    return Augmented()


# ----------------------------------------------------------------------------- workloads
def _synthetic_root() -> Path:
    """Random data in the official file formats (used when the real datasets are absent)."""
    import gzip
    import struct
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="npgrad-bench-data-"))
    rng = np.random.default_rng(0)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, arr in (("train-images-idx3-ubyte.gz", rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)),
                      ("train-labels-idx1-ubyte.gz", rng.integers(0, 10, 60000, dtype=np.uint8))):
        header = bytes([0, 0, 8, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
        (raw / name).write_bytes(gzip.compress(header + arr.tobytes(), compresslevel=1))
    folder = root / "cifar-10-batches-bin"
    folder.mkdir()
    for i in range(1, 6):
        (folder / f"data_batch_{i}.bin").write_bytes(rng.integers(0, 256, (10000, 3073), dtype=np.uint8).tobytes())
    (folder / "batches.meta.txt").write_text("\n".join(f"class{i}" for i in range(10)))
    return root


def run(root: Path, repeats: int, quick: bool, torch_threads: int | None = None) -> dict[str, Any]:
    import torch

    if torch_threads:
        torch.set_num_threads(torch_threads)

    import npgrad
    from npgrad.utils.data import DataLoader
    from npgrad.vision import datasets
    from npgrad.vision import transforms as T

    source = str(root)
    if not ((root / "MNIST" / "raw").is_dir() and (root / "cifar-10-batches-bin").is_dir()):
        root, source = _synthetic_root(), "synthetic random data (real datasets not found)"
    npgrad.manual_seed(0)
    torch.manual_seed(0)
    rows: list[dict[str, Any]] = []

    start = time.perf_counter()
    mnist = datasets.MNIST(root, train=True, transform=T.Compose([T.ToTensor(), T.Normalize(MNIST_MEAN, MNIST_STD)]))
    mnist_load_s = time.perf_counter() - start
    cifar_tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                          T.Normalize(CIFAR_MEAN, CIFAR_STD)])
    cifar = datasets.CIFAR10(root, train=True, transform=cifar_tf)
    arrays = {"mnist_x": mnist.data.data, "mnist_y": mnist.targets.data, "cifar_x": cifar.data,
              "cifar_y": np.asarray(cifar.targets, np.int64)}

    tx_m = torch.from_numpy(arrays["mnist_x"])
    ty_m = torch.from_numpy(arrays["mnist_y"].astype(np.int64))
    tx_c = torch.from_numpy(np.ascontiguousarray(arrays["cifar_x"].transpose(0, 3, 1, 2)))
    ty_c = torch.from_numpy(arrays["cifar_y"].astype(np.int64))
    m_mean, m_std = torch.tensor(MNIST_MEAN).view(1, -1, 1, 1), torch.tensor(MNIST_STD).view(1, -1, 1, 1)
    c_mean, c_std = torch.tensor(CIFAR_MEAN).view(1, -1, 1, 1), torch.tensor(CIFAR_STD).view(1, -1, 1, 1)

    def torch_mnist_prepare(x: Any, y: Any) -> Any:
        return (x.unsqueeze(1).float().div(255) - m_mean) / m_std

    def torch_cifar_prepare(x: Any, y: Any) -> Any:
        return (_torch_batch_crop_flip(torch, x).float().div(255) - c_mean) / c_std

    tds_m = torch.utils.data.TensorDataset(tx_m, ty_m)
    tds_c = torch.utils.data.TensorDataset(tx_c, ty_c)

    def torch_epoch(ds: Any, prepare: Callable[[Any, Any], Any], workers: int = 0) -> Callable[[], int]:
        return lambda: _epoch(torch.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=workers),
                              prepare)

    def npgrad_epoch(ds: Any, workers: int = 0) -> Callable[[], int]:
        return lambda: _epoch(DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=workers))

    aug = "RandomCrop(32,4)+HFlip+ToTensor+Normalize"
    workloads = [
        ("MNIST    ToTensor+Normalize, num_workers=0",
         {"npgrad": npgrad_epoch(mnist), "torch": torch_epoch(tds_m, torch_mnist_prepare)}),
        ("MNIST    ToTensor+Normalize, num_workers=2",
         {"npgrad": npgrad_epoch(mnist, 2), "torch": torch_epoch(tds_m, torch_mnist_prepare, 2)}),
        (f"CIFAR-10 {aug}, num_workers=0",
         {"npgrad": npgrad_epoch(cifar), "torch": torch_epoch(tds_c, torch_cifar_prepare)}),
        (f"CIFAR-10 {aug}, num_workers=2",
         {"npgrad": npgrad_epoch(cifar, 2), "torch": torch_epoch(tds_c, torch_cifar_prepare, 2)}),
    ]
    if not quick:
        per_sample_np = T.Compose([T.Lambda(lambda im: im)] + list(cifar_tf.transforms))  # Lambda: not batchable
        cifar_slow = datasets.CIFAR10(root, train=True, transform=per_sample_np)
        per_sample_torch = _torch_per_sample_dataset(torch, tx_c, ty_c, c_mean[0], c_std[0])
        workloads.append((f"CIFAR-10 {aug}, per-sample (PIL / tensor ops)",
                          {"npgrad": npgrad_epoch(cifar_slow), "torch": torch_epoch(per_sample_torch, None)}))
    for name, fns in workloads:
        reps = 1 if (quick or "per-sample" in name) else repeats
        for fn in fns.values():  # warm-up epoch (imports, caches, allocator)
            if "per-sample" not in name:
                fn()
        times = _alternate(fns, reps)
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"workload": name, "npgrad_s_per_epoch": med["npgrad"], "torch_s_per_epoch": med["torch"],
                     "ratio": med["npgrad"] / med["torch"], "repeats": reps,
                     "npgrad_all_s": times["npgrad"], "torch_all_s": times["torch"]})
    return {
        "data": source,
        "batch_size": BATCH,
        "mnist_train_load_s": mnist_load_s,
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
                    "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "load_average_at_end": list(os.getloadavg()) if hasattr(os, "getloadavg") else None},
        "rows": rows,
    }


def table(result: dict[str, Any]) -> str:
    lines = [f"data: {result['data']}   batch size {result['batch_size']}   "
             f"MNIST train load: {result['mnist_train_load_s']:.3f} s   "
             f"load average: {result['machine']['load_average_at_end']}",
             f"{'workload':68s} {'npgrad s/epoch':>15s} {'torch s/epoch':>14s} {'npgrad/torch':>13s}"]
    for r in result["rows"]:
        lines.append(f"{r['workload']:68s} {r['npgrad_s_per_epoch']:15.3f} {r['torch_s_per_epoch']:14.3f} "
                     f"{r['ratio']:13.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="dataset root (default: $NPGRAD_DATA or ../shared/data)")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per side and workload")
    parser.add_argument("--quick", action="store_true", help="one timed epoch, skip the slow per-sample row")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads for the torch side (default: torch's own default)")
    parser.add_argument("--out", default=str(RESULTS / "bench_data.json"), help="where to write the JSON")
    args = parser.parse_args(argv)
    result = run(_data_root(args.root), args.repeats, args.quick, args.torch_threads)
    print(table(result))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
