"""Batched transforms: augment a whole batch with a few NumPy operations, no per-image loop.

Layouts follow torchvision's conventions: NumPy batches are channels-last (``N×H×W`` or
``N×H×W×C``, what the datasets store), tensor batches are channels-first (``N×C×H×W`` or
``N×H×W``). Random transforms draw one value per sample from the same generator as the
per-sample transforms (global npgrad generator, or the DataLoader worker's generator).

Use them through a dataset's ``batch_transform=`` or let the vision datasets convert a
per-sample ``Compose`` automatically (``from_transform``), so the DataLoader's batched fast path
applies, e.g. CIFAR-10 with ``RandomCrop(32, padding=4)`` + ``RandomHorizontalFlip()``.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..._dtype import get_default_dtype
from ...utils.data._tensors import current_rng, is_tensor, to_tensor
from . import _image as I
from . import functional as F
from . import transforms as T

__all__ = [
    "BatchTransform", "CenterCrop", "Compose", "Lambda", "Normalize", "PILToTensor", "Pad", "RandomCrop",
    "RandomHorizontalFlip", "RandomVerticalFlip", "ToTensor", "from_transform",
]


def _layout(batch: Any) -> tuple[np.ndarray, int, int, int | None, bool]:
    """(array, height axis, width axis, channel axis or None, is_tensor) of a batch."""
    if is_tensor(batch):
        arr = batch.data
        if arr.ndim < 3:
            raise ValueError(f"expected a batch of tensor images (N×C×H×W or N×H×W), got shape {tuple(arr.shape)}")
        return arr, arr.ndim - 2, arr.ndim - 1, (arr.ndim - 3 if arr.ndim >= 4 else None), True
    arr = np.asarray(batch)
    if arr.ndim not in (3, 4):
        raise ValueError(f"expected a batch of images (N×H×W or N×H×W×C), got shape {tuple(arr.shape)}")
    return arr, 1, 2, (3 if arr.ndim == 4 else None), False


def _finish(arr: np.ndarray, as_tensor: bool) -> Any:
    return to_tensor(np.ascontiguousarray(arr)) if as_tensor else arr


class BatchTransform:
    """Base class of the batched transforms (marks them for datasets and the DataLoader)."""

    batched = True

    def __call__(self, batch: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class Compose(BatchTransform):
    """Apply batched ``transforms`` in order."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, batch: Any) -> Any:
        for t in self.transforms:
            batch = t(batch)
        return batch

    def __repr__(self) -> str:
        return "\n".join([f"{self.__class__.__name__}("] + [f"    {t}" for t in self.transforms] + [")"])


class ToTensor(BatchTransform):
    """``N×H×W(×C)`` ndarray (or a list of PIL images / arrays) → ``N×C×H×W`` Tensor; uint8 → [0, 1]."""

    def __call__(self, batch: Any) -> Any:
        if is_tensor(batch):
            raise TypeError("ToTensor expects an N×H×W(×C) ndarray or a list of PIL images, got a Tensor")
        if isinstance(batch, (list, tuple)):
            batch = np.stack([np.asarray(b) for b in batch])
        arr = np.asarray(batch)
        if arr.ndim == 3:
            arr = arr[..., None]
        if arr.ndim != 4:
            raise ValueError(f"expected a batch of images (N×H×W or N×H×W×C), got shape {tuple(arr.shape)}")
        nchw = arr.transpose(0, 3, 1, 2)
        if arr.dtype == np.uint8:
            out = np.empty(nchw.shape, get_default_dtype().np)
            np.divide(nchw, out.dtype.type(255), out=out, casting="unsafe")
            return to_tensor(out)
        return to_tensor(np.array(nchw, order="C", copy=True))  # never alias the caller's array


class PILToTensor(BatchTransform):
    """``N×H×W(×C)`` ndarray (or list of PIL images) → ``N×C×H×W`` Tensor keeping the dtype."""

    def __call__(self, batch: Any) -> Any:
        if isinstance(batch, (list, tuple)):
            batch = np.stack([np.asarray(b) for b in batch])
        arr = np.asarray(batch)
        if arr.ndim == 3:
            arr = arr[..., None]
        return to_tensor(np.array(arr.transpose(0, 3, 1, 2), order="C", copy=True))


class Normalize(BatchTransform):
    """Per-channel ``(x - mean) / std`` on an ``N×C×H×W`` float Tensor."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, batch: Any) -> Any:
        return F.normalize(batch, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std}, inplace={self.inplace})"


class Lambda(BatchTransform):
    """Apply a user function to the whole batch."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, batch: Any) -> Any:
        return self.lambd(batch)


class Pad(BatchTransform):
    """Pad every image of the batch (same arguments as ``transforms.Pad``)."""

    def __init__(self, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> None:
        self.ltrb = I.parse_padding(padding)
        I.check_pad_args(fill, padding_mode)
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, batch: Any) -> Any:
        arr, ha, wa, ca, tensor = _layout(batch)
        return _finish(I.pad_array(arr, self.ltrb, self.fill, self.padding_mode, ha, wa, ca), tensor)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class CenterCrop(BatchTransform):
    """Crop the center of every image (zero-padding images that are smaller)."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = I.setup_size(size)

    def __call__(self, batch: Any) -> Any:
        arr, ha, wa, ca, tensor = _layout(batch)
        th, tw = self.size
        h, w = arr.shape[ha], arr.shape[wa]
        if tw > w or th > h:
            ltrb = ((tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                    (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0)
            arr = I.pad_array(arr, ltrb, 0, "constant", ha, wa, ca)
            h, w = arr.shape[ha], arr.shape[wa]
        top, left = int(round((h - th) / 2.0)), int(round((w - tw) / 2.0))
        return _finish(I.crop_array(arr, top, left, th, tw, ha, wa), tensor)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size})"


def crop_per_sample(arr: np.ndarray, tops: np.ndarray, lefts: np.ndarray, th: int, tw: int,
                    ha: int, wa: int) -> np.ndarray:
    """Crop image ``k`` at (``tops[k]``, ``lefts[k]``): one strided window view + one fancy index."""
    view = np.moveaxis(arr, (0, ha, wa), (0, 1, 2))  # N×H×W×rest
    windows = sliding_window_view(view, (th, tw), axis=(1, 2))  # N×H'×W'×rest×th×tw
    picked = windows[np.arange(arr.shape[0]), tops, lefts]  # N×rest×th×tw
    picked = np.moveaxis(picked, (-2, -1), (1, 2))  # N×th×tw×rest
    return np.moveaxis(picked, (0, 1, 2), (0, ha, wa))


class RandomCrop(BatchTransform):
    """An independent random crop per image (same arguments as ``transforms.RandomCrop``).

    The batch is padded once; each image's offsets are drawn together and the crops gathered
    with one fancy index into a strided window view.
    """

    def __init__(self, size: int | Sequence[int], padding: Any = None, pad_if_needed: bool = False,
                 fill: Any = 0, padding_mode: str = "constant") -> None:
        self.size = I.setup_size(size)
        self.ltrb = I.parse_padding(padding) if padding is not None else None
        I.check_pad_args(fill, padding_mode)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    def __call__(self, batch: Any) -> Any:
        arr, ha, wa, ca, tensor = _layout(batch)
        th, tw = self.size
        if self.ltrb is not None:
            arr = I.pad_array(arr, self.ltrb, self.fill, self.padding_mode, ha, wa, ca)
        if self.pad_if_needed and arr.shape[wa] < tw:
            d = tw - arr.shape[wa]
            arr = I.pad_array(arr, (d, 0, d, 0), self.fill, self.padding_mode, ha, wa, ca)
        if self.pad_if_needed and arr.shape[ha] < th:
            d = th - arr.shape[ha]
            arr = I.pad_array(arr, (0, d, 0, d), self.fill, self.padding_mode, ha, wa, ca)
        h, w = arr.shape[ha], arr.shape[wa]
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if h == th and w == tw:
            return _finish(arr, tensor)
        n = arr.shape[0]
        rng = current_rng()
        tops = rng.integers(0, h - th + 1, size=n)
        lefts = rng.integers(0, w - tw + 1, size=n)
        return _finish(crop_per_sample(arr, tops, lefts, th, tw, ha, wa), tensor)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class _RandomFlip(BatchTransform):
    _vertical = False

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, batch: Any) -> Any:
        arr, ha, wa, ca, tensor = _layout(batch)
        chosen = np.flatnonzero(current_rng().random(arr.shape[0]) < self.p)
        out = np.array(arr, order="C", copy=True)
        if chosen.size:
            axis = ha if self._vertical else wa
            view = out
            if ca is not None and ca == out.ndim - 1 and axis == ca - 1:
                # channels-last horizontal flip: move whole pixels (C values) as one element
                view = out.view(np.dtype((np.void, out.shape[-1] * out.itemsize)))[..., 0]
            view[chosen] = np.flip(view[chosen], axis=axis)
        return to_tensor(out) if tensor else out

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror each image left ↔ right with probability ``p`` (independently per image)."""


class RandomVerticalFlip(_RandomFlip):
    """Mirror each image top ↔ bottom with probability ``p`` (independently per image)."""

    _vertical = True


def _convert_one(t: Any) -> BatchTransform | None:
    if isinstance(t, BatchTransform):
        return t
    kind = type(t)
    if kind is T.ToTensor:
        return ToTensor()
    if kind is T.PILToTensor:
        return PILToTensor()
    if kind is T.Normalize:
        return Normalize(t.mean, t.std, t.inplace)
    if kind is T.RandomCrop:
        return RandomCrop(t.size, t.padding, t.pad_if_needed, t.fill, t.padding_mode)
    if kind is T.RandomHorizontalFlip:
        return RandomHorizontalFlip(t.p)
    if kind is T.RandomVerticalFlip:
        return RandomVerticalFlip(t.p)
    if kind is T.CenterCrop:
        return CenterCrop(t.size)
    if kind is T.Pad:
        return Pad(t.padding, t.fill, t.padding_mode)
    return None


def from_transform(transform: Any) -> BatchTransform | None:
    """The batched equivalent of a per-sample transform (or ``Compose``), or None if there is none.

    Convertible: ``ToTensor``, ``PILToTensor``, ``Normalize``, ``RandomCrop``, ``RandomHorizontalFlip``,
    ``RandomVerticalFlip``, ``CenterCrop``, ``Pad`` and ``Compose`` of those. A ``Normalize`` that
    follows ``ToTensor`` works in place (the intermediate tensor is private to the pipeline).
    """
    if isinstance(transform, T.Compose) and type(transform) is T.Compose:
        parts = [_convert_one(t) for t in transform.transforms]
        if any(p is None for p in parts):
            return None
        for k in range(1, len(parts)):
            prev, cur = parts[k - 1], parts[k]
            if isinstance(cur, Normalize) and not cur.inplace and isinstance(prev, (ToTensor, Normalize)):
                parts[k] = Normalize(cur.mean, cur.std, inplace=True)
        return Compose(parts)  # type: ignore[arg-type]
    return _convert_one(transform)
