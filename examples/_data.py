"""Shared by the MNIST/CIFAR examples: find the dataset, or write a small synthetic one.

The synthetic files use the real on-disk formats (MNIST IDX files, CIFAR-10 binary records), so the
examples always go through the real ``npgrad.vision.datasets`` loaders. Images are learnable: each
class brightens its own band of rows, plus noise.
"""
from __future__ import annotations

import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def default_data_dir() -> str:
    """``$NPGRAD_DATA`` if set, else ``../shared/data`` (relative to the repository root)."""
    return os.environ.get("NPGRAD_DATA") or str((REPO / ".." / "shared" / "data").resolve())


def _images(n: int, shape: tuple, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uint8 images of ``shape`` (H, W[, C]) whose class (0-9) is a bright band of rows."""
    rs = np.random.default_rng(seed)
    labels = rs.integers(0, 10, n).astype(np.uint8)
    img = rs.integers(0, 96, (n, *shape)).astype(np.uint8)
    band = shape[0] // 10
    for k in range(10):  # a loop over the 10 classes, not over images
        img[labels == k, k * band:(k + 1) * band] += 150
    return img, labels


def _write_idx(path: Path, arr: np.ndarray) -> None:
    """IDX format: magic 0x08 (ubyte) + ndim, big-endian uint32 sizes, then the raw bytes."""
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, arr.ndim))
        f.write(struct.pack(f">{arr.ndim}I", *arr.shape))
        f.write(np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


def synthetic_mnist(root: str, n_train: int = 512, n_test: int = 256) -> None:
    """Write ``root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` (uncompressed IDX)."""
    raw = Path(root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        img, lab = _images(n, (28, 28), seed)
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", img)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", lab)


def synthetic_cifar10(root: str, n_per_batch: int = 64, n_test: int = 128) -> None:
    """Write ``root/cifar-10-batches-bin/``: records of 1 label byte + R, G, B planes (32x32 each)."""
    folder = Path(root) / "cifar-10-batches-bin"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for i, name in enumerate(names):
        img, lab = _images(n_test if name == "test_batch.bin" else n_per_batch, (32, 32, 3), seed=i)
        planes = img.transpose(0, 3, 1, 2).reshape(len(img), -1)  # HWC -> CHW planes
        np.concatenate([lab[:, None], planes], axis=1).tofile(folder / name)
    classes = "airplane automobile bird cat deer dog frog horse ship truck".split()
    (folder / "batches.meta.txt").write_text("\n".join(classes) + "\n")


def open_dataset(cls: type, data_dir: str, tiny: bool, writer, **kw) -> tuple:
    """``(train, test, source)`` for dataset class ``cls``. With no files under ``data_dir`` and
    ``tiny`` set, a small synthetic dataset is written to a temp dir, loaded, and deleted (``source`` says which was used)."""
    from npgrad.vision.datasets.utils import DatasetNotFoundError

    try:
        return cls(data_dir, train=True, **kw), cls(data_dir, train=False, **kw), f"real data from {data_dir}"
    except DatasetNotFoundError:
        if not tiny:
            raise
    tmp = tempfile.mkdtemp(prefix="npgrad_synthetic_")
    try:  # the loaders read everything into memory, so the files can go right after
        writer(tmp)
        train, test = cls(tmp, train=True, **kw), cls(tmp, train=False, **kw)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return train, test, f"SYNTHETIC random data (no dataset found in {data_dir})"


MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def mnist_datasets(data_dir: str, tiny: bool) -> tuple:
    """MNIST as two ``TensorDataset``s of normalised float32 ``N×1×28×28`` images and int64 labels.

    In tiny mode only the first 512 train / 256 test images are used.
    """
    from npgrad.utils.data import TensorDataset
    from npgrad.vision.datasets import MNIST

    train, test, source = open_dataset(MNIST, data_dir, tiny, synthetic_mnist)
    print(f"MNIST: {source}")
    out = []
    for ds, n in ((train, 512), (test, 256)):
        images, labels = (ds.data[:n], ds.targets[:n]) if tiny else (ds.data, ds.targets)
        x = ((images.float() / 255.0 - MNIST_MEAN) / MNIST_STD).unsqueeze(1)  # N×1×28×28
        out.append(TensorDataset(x, labels))
    return tuple(out)
