"""Vision datasets with torchvision's API: MNIST, FashionMNIST, CIFAR10, CIFAR100, ImageFolder."""
from __future__ import annotations

from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .utils import ChecksumError, DatasetNotFoundError, DownloadError, UnsafeArchiveError, default_root
from .vision import StandardTransform, VisionDataset

__all__ = [
    "CIFAR10", "CIFAR100", "ChecksumError", "DatasetFolder", "DatasetNotFoundError", "DownloadError", "FashionMNIST",
    "ImageFolder", "MNIST", "StandardTransform", "UnsafeArchiveError", "VisionDataset", "default_root",
]
