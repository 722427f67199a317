"""Training recipes behind ``npgrad train NAME``: model, data and default hyper-parameters.

A recipe is plain data plus two functions (``build_model``, ``build_data``), so ``npgrad eval`` and
``npgrad predict`` can rebuild the exact model from the name and options stored in a checkpoint.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import nn
from .tensor import Tensor

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


@dataclass
class Recipe:
    name: str
    description: str
    build_model: Callable[[dict], nn.Module]
    build_data: Callable[[dict], tuple]  # -> (train_dataset, test_dataset)
    defaults: dict = field(default_factory=dict)
    image: tuple | None = None  # (channels, height, width) expected by ``predict``


# ----------------------------------------------------------------------------- synthetic data
def make_spiral(n_per_class: int = 200, classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple:
    """``classes`` interleaved spiral arms in 2-D (points x, labels y), generated from a seed."""
    rs = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        theta = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rs.normal(0.0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ys.append(np.full(n_per_class, c))
    x = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys).astype(np.int64)
    return x, y


def _spiral_data(opts: dict) -> tuple:
    from .utils.data import TensorDataset

    x, y = make_spiral(seed=opts.get("data_seed", 0))
    rs = np.random.default_rng(1)
    order = rs.permutation(len(x))
    cut = int(0.8 * len(x))
    tr, te = order[:cut], order[cut:]
    return (TensorDataset(Tensor._make(x[tr]), Tensor._make(y[tr])),
            TensorDataset(Tensor._make(x[te]), Tensor._make(y[te])))


def _spiral_model(opts: dict) -> nn.Module:
    from .vision.models import mlp

    return mlp(2, (64, 64), 3)


# ----------------------------------------------------------------------------- MNIST
def data_root(opts: dict) -> str:
    return opts.get("data_dir") or os.environ.get("NPGRAD_DATA") or str(Path.home() / ".cache" / "npgrad")


def _mnist_tensors(dataset: Any, subset: int | None) -> tuple:
    images = dataset.data.data if isinstance(dataset.data, Tensor) else np.asarray(dataset.data)
    targets = dataset.targets.data if isinstance(dataset.targets, Tensor) else np.asarray(dataset.targets)
    if subset:
        images, targets = images[:subset], targets[:subset]
    x = (images.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD
    return Tensor._make(x[:, None, :, :]), Tensor._make(targets.astype(np.int64))


def _mnist_data(opts: dict) -> tuple:
    from .utils.data import TensorDataset
    from .vision.datasets import MNIST

    root = data_root(opts)
    download = opts.get("download", True)
    train = MNIST(root, train=True, download=download)
    test = MNIST(root, train=False, download=download)
    subset = opts.get("subset")
    return (TensorDataset(*_mnist_tensors(train, subset)),
            TensorDataset(*_mnist_tensors(test, max(subset // 5, 100) if subset else None)))


def _mnist_mlp(opts: dict) -> nn.Module:
    from .vision.models import mlp

    return mlp(784, (256, 128), 10)


def _lenet(opts: dict) -> nn.Module:
    from .vision.models import lenet5

    return lenet5(10)


def _alexnet(opts: dict) -> nn.Module:
    from .vision.models import alexnet_mnist

    return alexnet_mnist(10)


def _resnet20(opts: dict) -> nn.Module:
    from .vision.models import resnet20

    return resnet20(10)


def _cifar10_data(opts: dict) -> tuple:
    """CIFAR-10 with the standard augmentation (4-pixel padded random crop + horizontal flip), applied to
    whole batches by ``transforms.batch`` (no per-image Python loop)."""
    from .utils.data import Subset
    from .vision.datasets import CIFAR10
    from .vision.transforms import batch as T

    root, download = data_root(opts), opts.get("download", True)
    normalize = [T.ToTensor(), T.Normalize(CIFAR_MEAN, CIFAR_STD)]
    train = CIFAR10(root, train=True, download=download,
                    batch_transform=T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), *normalize]))
    test = CIFAR10(root, train=False, download=download, batch_transform=T.Compose(normalize))
    subset = opts.get("subset")
    if subset:
        train, test = Subset(train, range(subset)), Subset(test, range(max(subset // 5, 100)))
    return train, test


RECIPES: dict[str, Recipe] = {
    "spiral": Recipe(
        "spiral", "MLP 2-64-64-3 on a synthetic 3-arm spiral (offline demo)", _spiral_model, _spiral_data,
        dict(epochs=40, batch_size=32, lr=0.01, optimizer="adam", weight_decay=0.0, schedule="none"),
    ),
    "mnist-mlp": Recipe(
        "mnist-mlp", "MLP 784-256-128-10 (ReLU) on MNIST", _mnist_mlp, _mnist_data,
        dict(epochs=10, batch_size=128, lr=1e-3, optimizer="adam", weight_decay=0.0, schedule="cosine"),
        image=(1, 28, 28),
    ),
    "lenet-mnist": Recipe(
        "lenet-mnist", "LeNet-5 on MNIST", _lenet, _mnist_data,
        dict(epochs=10, batch_size=128, lr=1e-3, optimizer="adam", weight_decay=0.0, schedule="cosine"),
        image=(1, 28, 28),
    ),
    "alexnet-mnist": Recipe(
        "alexnet-mnist", "AlexNet-style CNN (5 conv + 3 fc, BatchNorm) on MNIST", _alexnet, _mnist_data,
        dict(epochs=12, batch_size=128, lr=0.05, optimizer="sgd", weight_decay=5e-4, schedule="cosine"),
        image=(1, 28, 28),
    ),
    "resnet20-cifar10": Recipe(
        "resnet20-cifar10", "ResNet-20 (He et al. 2016) on CIFAR-10, crop+flip augmentation", _resnet20,
        _cifar10_data,
        dict(epochs=30, batch_size=128, lr=0.1, optimizer="sgd", weight_decay=5e-4, schedule="cosine"),
        image=(3, 32, 32),
    ),
}


def build_optimizer(model: nn.Module, opts: dict) -> Any:
    from . import optim

    name = opts["optimizer"].lower()
    params, lr, wd = model.parameters(), opts["lr"], opts.get("weight_decay", 0.0)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=wd)
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=opts.get("momentum", 0.9), weight_decay=wd, nesterov=True)
    raise ValueError(f"unknown optimizer {name!r}; choose adam, adamw or sgd")


def build_scheduler(optimizer: Any, opts: dict) -> Any:
    from .optim import lr_scheduler

    schedule = opts.get("schedule", "none")
    if schedule == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(opts["epochs"], 1))
    if schedule == "step":
        return lr_scheduler.MultiStepLR(optimizer, milestones=[math.ceil(opts["epochs"] * f) for f in (0.5, 0.75)])
    if schedule == "none":
        return None
    raise ValueError(f"unknown schedule {schedule!r}; choose cosine, step or none")
