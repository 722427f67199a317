"""MNIST and CIFAR-10 from the real files in ../shared/data (skipped where they are absent)."""
from __future__ import annotations

import time

import numpy as np
import pytest

import npgrad
from npgrad.utils.data import DataLoader
from npgrad.vision import datasets
from npgrad.vision import transforms as T

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
CIFAR_BATCH1_COUNTS = [1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981]


@pytest.fixture
def mnist_root(shared_data):
    if not (shared_data / "MNIST" / "raw").is_dir():
        pytest.skip("MNIST not in shared data")
    return shared_data


@pytest.fixture
def cifar_root(shared_data):
    if not ((shared_data / "cifar-10-batches-bin").is_dir() or (shared_data / "cifar-10-batches-py").is_dir()):
        pytest.skip("CIFAR-10 not in shared data")
    return shared_data


def test_mnist_train_real(mnist_root):
    start = time.perf_counter()
    ds = datasets.MNIST(mnist_root, train=True)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"loading MNIST train took {elapsed:.2f}s"
    assert tuple(ds.data.shape) == (60000, 28, 28) and ds.data.dtype == npgrad.uint8
    assert tuple(ds.targets.shape) == (60000,) and ds.targets.dtype == npgrad.int64
    assert np.bincount(ds.targets.data, minlength=10).tolist() == MNIST_TRAIN_COUNTS
    img, target = ds[0]
    assert img.mode == "L" and img.size == (28, 28) and target == 5
    assert int(ds.data.data.max()) == 255 and int(ds.data.data.min()) == 0


def test_mnist_test_real(mnist_root):
    ds = datasets.MNIST(mnist_root, train=False)
    assert tuple(ds.data.shape) == (10000, 28, 28)
    counts = np.bincount(ds.targets.data, minlength=10)
    assert counts.sum() == 10000 and counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert ds[0][1] == 7


def test_mnist_real_epoch_fast_path(mnist_root):
    ds = datasets.MNIST(mnist_root, transform=T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))]))
    loader = DataLoader(ds, batch_size=1000, shuffle=True)
    n, total = 0, 0.0
    for x, y in loader:
        n += len(y)
        total += float(x.data.sum(dtype=np.float64))
    assert n == 60000
    mean = total / (60000 * 784)
    assert abs(mean) < 1e-3  # (mean - 0.1307) / 0.3081 over the whole set is ~0


def test_cifar10_train_real(cifar_root):
    ds = datasets.CIFAR10(cifar_root, train=True)
    assert isinstance(ds.data, np.ndarray) and ds.data.shape == (50000, 32, 32, 3) and ds.data.dtype == np.uint8
    assert len(ds.targets) == 50000 and all(isinstance(t, int) for t in ds.targets[:100])
    assert np.bincount(ds.targets, minlength=10).tolist() == [5000] * 10
    assert np.bincount(ds.targets[:10000], minlength=10).tolist() == CIFAR_BATCH1_COUNTS
    assert ds.classes == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    img, target = ds[0]
    assert img.mode == "RGB" and img.size == (32, 32) and target == ds.targets[0]
    means = ds.data[:10000].reshape(-1, 3).mean(axis=0) / 255
    assert np.allclose(means, [0.4914, 0.4822, 0.4465], atol=0.01)  # the well-known channel means


def test_cifar10_test_real(cifar_root):
    ds = datasets.CIFAR10(cifar_root, train=False)
    assert ds.data.shape == (10000, 32, 32, 3)
    assert np.bincount(ds.targets, minlength=10).tolist() == [1000] * 10


def test_cifar10_real_augmented_batch(cifar_root):
    tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])
    ds = datasets.CIFAR10(cifar_root, transform=tf)
    x, y = next(iter(DataLoader(ds, batch_size=128, shuffle=True)))
    assert tuple(x.shape) == (128, 3, 32, 32) and x.dtype == npgrad.float32 and tuple(y.shape) == (128,)
