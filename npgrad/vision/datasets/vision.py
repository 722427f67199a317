"""``VisionDataset`` (root + transforms + repr) and the in-memory array dataset behind MNIST/CIFAR."""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np
from PIL import Image

from ...utils.data import Dataset
from ...utils.data._tensors import index_array, is_tensor, to_numpy, to_tensor
from ...utils.data.collate import default_collate
from .utils import DatasetNotFoundError, resolve_root


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        self.transform, self.target_transform = transform, target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self) -> str:
        body = [self.__class__.__name__]
        for title, t in (("Transform: ", self.transform), ("Target transform: ", self.target_transform)):
            if t is not None:
                lines = repr(t).splitlines()
                body += [f"{title}{lines[0]}"] + [" " * len(title) + line for line in lines[1:]]
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base class of the vision datasets: ``root``, ``transform``, ``target_transform``, ``transforms``."""

    _repr_indent = 4

    def __init__(self, root: str | os.PathLike | None = None, transforms: Callable | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        self.root = resolve_root(root)
        has_separate = transform is not None or target_transform is not None
        if transforms is not None and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        self.transforms = StandardTransform(transform, target_transform) if has_separate else transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def extra_repr(self) -> str:
        """Extra lines for the dataset's repr (subclasses override it)."""
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {self.__len__()}", f"Root location: {self.root}"]
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += repr(self.transforms).splitlines()
        lines = [f"Dataset {self.__class__.__name__}"] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)


class ArrayImageDataset(VisionDataset):
    """A vision dataset whose images sit in memory as one uint8 array (N×H×W or N×H×W×C).

    Subclasses (MNIST, CIFAR) load one split, ``train`` or test: their ``__init__`` calls
    ``_open_split`` to download if asked and locate the files, then fills ``data`` and ``targets``.
    ``__getitem__`` returns ``(PIL image or transform(image), int target)`` like torchvision.
    ``__getitems__`` is the DataLoader's batched fast path: when the dataset has a batched
    transform (``batch_transform=`` or a ``transform`` that ``transforms.batch.from_transform``
    can convert) a whole batch is one fancy index plus NumPy augmentation, and it returns the
    already-collated ``[images, targets]``; otherwise it returns the list of samples.
    """

    def __init__(self, root: Any, transform: Callable | None, target_transform: Callable | None,
                 batch_transform: Callable | None) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.batch_transform = batch_transform
        self._converted: tuple[Any, Any] = (None, None)
        self._target_cache: tuple[Any, np.ndarray | None] = (None, None)

    # subclasses set self.data / self.targets
    data: Any
    targets: Any
    train: bool

    def _open_split(self, train: bool, download: bool, locate: Callable[[], Any]) -> Any:
        """Record ``train``, run ``download()`` if asked, and return ``locate()``'s result.

        ``locate`` returns None when the split's files are missing, which raises
        ``DatasetNotFoundError`` with the subclass's ``_offline_hint()``.
        """
        self.train = train
        if download:
            self.download()
        found = locate()
        if found is None:
            raise DatasetNotFoundError(
                "Dataset not found. You can use download=True to download it. " + self._offline_hint()
            )
        return found

    def download(self) -> None:
        """Fetch the dataset's files into ``root`` (each subclass knows its sources)."""
        raise NotImplementedError

    def _offline_hint(self) -> str:
        """Where to put the files by hand (appended to the not-found error)."""
        return ""

    def extra_repr(self) -> str:
        """``Split: Train`` or ``Split: Test`` in the dataset's repr."""
        return f"Split: {'Train' if self.train is True else 'Test'}"

    def _images(self) -> np.ndarray:
        return to_numpy(self.data)

    def _targets(self) -> np.ndarray:
        targets = self.targets
        if is_tensor(targets) or isinstance(targets, np.ndarray):
            return to_numpy(targets)
        src, cached = self._target_cache
        if src is not targets or cached is None or len(cached) != len(targets):
            cached = np.asarray(targets, dtype=np.int64)
            self._target_cache = (targets, cached)
        return cached

    def _to_pil(self, img: np.ndarray) -> Image.Image:
        """One image as PIL: an H×W uint8 array gives mode 'L', H×W×3 gives 'RGB'."""
        return Image.fromarray(np.ascontiguousarray(img))

    def _batched(self) -> Callable | None:
        if self.batch_transform is not None:
            return self.batch_transform
        if self.transform is None:
            return None
        src, converted = self._converted
        if src is not self.transform:
            from ..transforms.batch import from_transform

            converted = from_transform(self.transform)
            self._converted = (self.transform, converted)
        return converted

    @property
    def collated_getitems(self) -> bool:  # type: ignore[override]
        """True when ``__getitems__`` returns an already-collated batch (a batched transform exists)."""
        return self._batched() is not None

    def __len__(self) -> int:
        return len(self._images())

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        images = self._images()
        img: Any = images[index]
        target: Any = int(self._targets()[index])
        batched = self.transform if getattr(self.transform, "batched", False) else self.batch_transform
        if self.transform is not None and batched is not self.transform:
            img = self.transform(self._to_pil(img))
        elif batched is not None:  # only a batched transform: run it on a batch of one
            k = int(index) % len(images)
            out = batched(images[k : k + 1])
            img = to_tensor(np.ascontiguousarray(to_numpy(out)[0]))
        else:
            img = self._to_pil(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices: Sequence[int]) -> list:
        transform = self._batched()
        if transform is None:
            return [self[int(i)] for i in indices]
        idx = index_array(indices)
        images = transform(self._images()[idx])
        if not is_tensor(images):
            images = to_tensor(np.ascontiguousarray(images))
        labels = self._targets()[idx]
        if self.target_transform is not None:
            targets = default_collate([self.target_transform(int(t)) for t in labels])
        else:
            targets = to_tensor(labels.astype(np.int64))
        return [images, targets]
