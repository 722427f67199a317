"""CIFAR-10 / CIFAR-100 from the official python pickles or the official binary files."""
from __future__ import annotations

import os
from typing import Callable

import numpy as np

from ._pickle import load_pickle
from .utils import download_file, extract_archive
from .vision import ArrayImageDataset

#: Mirrors tried in order by ``CIFAR10(download=True)`` (tests may point this elsewhere).
CIFAR10_MIRRORS: list[str] = ["https://www.cs.toronto.edu/~kriz/"]
#: Mirrors tried in order by ``CIFAR100(download=True)``.
CIFAR100_MIRRORS: list[str] = ["https://www.cs.toronto.edu/~kriz/"]

_PIXELS = 3 * 32 * 32


def planes_to_hwc(rows: list[np.ndarray]) -> np.ndarray:
    """CIFAR rows (``n×3072``: the R, G, B planes) → one contiguous ``N×32×32×3`` uint8 array.

    Copied channel by channel in blocks of 1024 images, which keeps the strided writes in cache
    (about 3× faster than one big transpose copy).
    """
    total = sum(len(r) for r in rows)
    out = np.empty((total, 32, 32, 3), np.uint8)
    k = 0
    for r in rows:
        for start in range(0, len(r), 1024):
            block = r[start : start + 1024]
            n = len(block)
            for c in range(3):
                out[k : k + n, :, :, c] = block[:, c * 1024 : (c + 1) * 1024].reshape(n, 32, 32)
            k += n
    return out


class CIFAR10(ArrayImageDataset):
    """CIFAR-10: 50,000 train / 10,000 test 32×32 RGB images in 10 classes.

    Reads ``root/cifar-10-batches-py/`` (the python pickles, loaded with a restricted
    unpickler) or, if that is absent, ``root/cifar-10-batches-bin/`` (binary records: one label
    byte then the R, G and B planes). ``.data`` is a uint8 ndarray N×32×32×3 and ``.targets`` a
    list of ints, as in torchvision. Samples are ``(PIL RGB image or transform(image), int)``.

    ``batch_transform`` (keyword): a ``transforms.batch`` transform applied to whole batches by the
    DataLoader; without it a convertible ``transform`` (e.g. RandomCrop + RandomHorizontalFlip +
    ToTensor + Normalize) is batched automatically.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}
    label_key = "labels"
    bin_folder = "cifar-10-batches-bin"
    bin_train_list = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                      "data_batch_5.bin"]
    bin_test_list = ["test_batch.bin"]
    bin_meta = "batches.meta.txt"
    bin_label_bytes = 1  # label bytes before the pixels of each record
    bin_label_index = 0  # which of them is the target
    _mirrors_name = "CIFAR10_MIRRORS"

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False, *,
                 batch_transform: Callable | None = None) -> None:
        super().__init__(root, transform, target_transform, batch_transform)
        fmt = self._open_split(train, download, self._format)
        if fmt == "python":
            self.data, self.targets = self._load_python()
            self.classes = self._python_classes()
        else:
            self.data, self.targets = self._load_binary()
            self.classes = self._binary_classes()
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    # ------------------------------------------------------------------ locating files
    @property
    def mirrors(self) -> list[str]:
        """The mirror list used by ``download()`` (the module-level list, read at call time)."""
        return list(globals()[self._mirrors_name])

    def _python_files(self) -> list[str]:
        names = (self.train_list if self.train else self.test_list) + [self.meta["filename"]]
        return [os.path.join(self.root, self.base_folder, n) for n in names]

    def _binary_files(self) -> list[str]:
        names = (self.bin_train_list if self.train else self.bin_test_list) + [self.bin_meta]
        return [os.path.join(self.root, self.bin_folder, n) for n in names]

    def _format(self) -> str | None:
        if all(os.path.isfile(p) for p in self._python_files()):
            return "python"
        if all(os.path.isfile(p) for p in self._binary_files()):
            return "binary"
        return None

    def _check_integrity(self) -> bool:
        return self._format() is not None

    def _offline_hint(self) -> str:
        bins = ", ".join(self.bin_train_list + self.bin_test_list + [self.bin_meta])
        return (
            f"For offline use, place {self.filename} (md5 {self.tgz_md5}) in {self.root} and extract it there "
            f"(giving {os.path.join(self.root, self.base_folder)}), or put the binary version's files ({bins}) in "
            f"{os.path.join(self.root, self.bin_folder)}."
        )

    # ------------------------------------------------------------------ loading
    def _load_python(self) -> tuple[np.ndarray, list[int]]:
        chunks, targets = [], []
        for path in self._python_files()[:-1]:
            entry = load_pickle(path)
            data = np.asarray(entry["data"])
            if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != _PIXELS:
                raise RuntimeError(f"{path}: expected uint8 data of shape (N, {_PIXELS}), got {data.dtype} {data.shape}")
            labels = entry["labels"] if "labels" in entry else entry[self.label_key]
            if len(labels) != len(data):
                raise RuntimeError(f"{path}: {len(data)} images but {len(labels)} labels")
            chunks.append(data)
            targets.extend(int(t) for t in labels)
        return planes_to_hwc(chunks), targets

    def _python_classes(self) -> list[str]:
        meta = load_pickle(self._python_files()[-1])
        names = meta[self.meta["key"]]
        return [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names]

    def _load_binary(self) -> tuple[np.ndarray, list[int]]:
        record = self.bin_label_bytes + _PIXELS
        blobs = []
        for path in self._binary_files()[:-1]:
            raw = np.fromfile(path, dtype=np.uint8)
            if raw.size == 0 or raw.size % record:
                raise RuntimeError(f"{path}: size {raw.size} is not a multiple of the {record}-byte CIFAR record")
            blobs.append(raw.reshape(-1, record))
        labels = np.concatenate([b[:, self.bin_label_index] for b in blobs]).astype(np.int64)
        return planes_to_hwc([b[:, self.bin_label_bytes :] for b in blobs]), labels.tolist()

    def _binary_classes(self) -> list[str]:
        with open(self._binary_files()[-1], "rb") as f:
            text = f.read().decode("utf-8")
        return [line.strip() for line in text.splitlines() if line.strip()]

    # ------------------------------------------------------------------ download
    def download(self) -> None:
        """Fetch the python tarball (md5-checked) into ``root`` and extract it safely.

        Skipped when either the python or the binary version is already under ``root``.
        """
        if self._format() is not None:
            return
        archive = download_file(self.mirrors, self.filename, self.root, self.tgz_md5,
                                offline_hint=self._offline_hint())
        extract_archive(archive, self.root)


class CIFAR100(CIFAR10):
    """CIFAR-100: like ``CIFAR10`` with 100 fine classes (targets are the fine labels).

    Reads ``root/cifar-100-python/`` or the binary ``root/cifar-100-binary/`` (records: coarse
    label byte, fine label byte, pixels).
    """

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}
    label_key = "fine_labels"
    bin_folder = "cifar-100-binary"
    bin_train_list = ["train.bin"]
    bin_test_list = ["test.bin"]
    bin_meta = "fine_label_names.txt"
    bin_label_bytes = 2
    bin_label_index = 1
    _mirrors_name = "CIFAR100_MIRRORS"
