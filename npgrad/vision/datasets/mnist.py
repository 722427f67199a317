"""MNIST and Fashion-MNIST from the official IDX files (gzipped or not) under ``root/<Name>/raw``."""
from __future__ import annotations

import gzip
import os
import struct
import sys
from typing import Callable

import numpy as np

from ...utils.data._tensors import to_tensor
from .utils import download_file
from .vision import ArrayImageDataset

#: Mirrors tried in order by ``MNIST(download=True)`` (tests may point this elsewhere).
MNIST_MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
#: Mirrors tried in order by ``FashionMNIST(download=True)``.
FASHION_MNIST_MIRRORS: list[str] = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
]

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def parse_idx(buf: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode an IDX buffer (big-endian header: 0, 0, type code, ndim, then ndim uint32 sizes)."""
    if len(buf) < 4 or buf[0] != 0 or buf[1] != 0:
        raise RuntimeError(f"{name} is not an IDX file (bad magic number)")
    code, ndim = buf[2], buf[3]
    if code not in _IDX_DTYPES:
        raise RuntimeError(f"{name}: unknown IDX data type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise RuntimeError(f"{name}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", buf[4:header])
    dtype = np.dtype(_IDX_DTYPES[code])
    count = int(np.prod(shape, dtype=np.int64))
    if len(buf) != header + count * dtype.itemsize:
        raise RuntimeError(
            f"{name}: expected {header + count * dtype.itemsize} bytes for shape {shape}, found {len(buf)} (truncated or corrupt)"
        )
    arr = np.frombuffer(buf, dtype=dtype, count=count, offset=header).reshape(shape)
    if dtype.byteorder == ">" and sys.byteorder == "little":
        arr = arr.astype(dtype.newbyteorder("="))
    return arr


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file; ``.gz`` files are gunzipped in memory first (one ``np.frombuffer``)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz") or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return parse_idx(raw, os.path.basename(path))


class MNIST(ArrayImageDataset):
    """The MNIST handwritten digits (60,000 train / 10,000 test 28×28 grayscale images).

    Files live in ``root/MNIST/raw/`` (torchvision's layout), either the official ``.gz`` files or
    their uncompressed versions. ``.data`` is a uint8 Tensor N×28×28, ``.targets`` an int64
    Tensor. Samples are ``(PIL image in mode 'L' or transform(image), int)``.

    ``batch_transform`` (keyword): a transform from ``npgrad.vision.transforms.batch`` applied to
    whole batches by the DataLoader; without it a convertible ``transform`` is batched
    automatically.
    """

    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    _mirrors_name = "MNIST_MIRRORS"

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False, *,
                 batch_transform: Callable | None = None) -> None:
        super().__init__(root, transform, target_transform, batch_transform)
        paths = self._open_split(train, download, self._split_paths)
        images, labels = read_idx(paths[0]), read_idx(paths[1])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise RuntimeError(
                f"{self.__class__.__name__}: images {images.shape} and labels {labels.shape} do not match"
            )
        self.data = to_tensor(np.array(images, dtype=np.uint8, copy=True))
        self.targets = to_tensor(labels.astype(np.int64))

    @property
    def mirrors(self) -> list[str]:
        """The mirror list used by ``download()`` (the module-level list, read at call time)."""
        return list(globals()[self._mirrors_name])

    @property
    def raw_folder(self) -> str:
        """``root/<ClassName>/raw``, where the IDX files live (torchvision's layout)."""
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Class name -> target index."""
        return {c: i for i, c in enumerate(self.classes)}

    def _split_files(self) -> list[str]:
        prefix = "train" if self.train else "t10k"
        return [name for name, _ in self.resources if name.startswith(prefix)]

    def _find(self, gz_name: str) -> str | None:
        for name in (gz_name[: -len(".gz")], gz_name):  # uncompressed first (faster), then .gz
            path = os.path.join(self.raw_folder, name)
            if os.path.isfile(path):
                return path
        return None

    def _split_paths(self) -> tuple[str, str] | None:
        found = [self._find(name) for name in self._split_files()]
        if any(p is None for p in found):
            return None
        images = next(p for p in found if "images" in os.path.basename(p))  # type: ignore[arg-type]
        labels = next(p for p in found if "labels" in os.path.basename(p))  # type: ignore[arg-type]
        return images, labels

    def _check_exists(self) -> bool:
        return all(self._find(name) is not None for name, _ in self.resources)

    def _offline_hint(self) -> str:
        files = ", ".join(f"{name} (md5 {md5})" for name, md5 in self.resources)
        return f"For offline use, place these files (or their gunzipped versions) in {self.raw_folder}: {files}."

    def download(self) -> None:
        """Fetch the four IDX files into ``raw_folder`` (skipped when they are already there)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for name, md5 in self.resources:
            if self._find(name) is None:
                download_file(self.mirrors, name, self.raw_folder, md5, offline_hint=self._offline_hint())


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (same format and API as ``MNIST``), under ``root/FashionMNIST/raw``."""

    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    _mirrors_name = "FASHION_MNIST_MIRRORS"
