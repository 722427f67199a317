"""Image plumbing shared by the transforms: PIL / Tensor / NumPy detection and conversion.

Geometry is computed on NumPy arrays addressed by their height / width axes, so the same code
serves a PIL image (H×W×C array), a tensor image (…×C×H×W) and a batch (N×H×W×C or N×C×H×W).
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np
from PIL import Image

from ...utils.data._tensors import is_tensor, to_tensor

PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def is_pil(img: Any) -> bool:
    return isinstance(img, Image.Image)


def check_image(img: Any) -> None:
    if not (is_pil(img) or is_tensor(img)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def tensor_image_array(t: Any) -> np.ndarray:
    """The array of a tensor image, checking it is at least 2-D (…×H×W)."""
    arr = t.data
    if arr.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: expected at least 2 dimensions, got {arr.ndim}")
    return arr


def pil_to_array(img: Image.Image) -> np.ndarray:
    """H×W (single band) or H×W×C array of a PIL image."""
    return np.asarray(img)


def array_to_pil(arr: np.ndarray, like: Image.Image) -> Image.Image:
    """Back to a PIL image in the mode (and palette) of ``like``."""
    arr = np.ascontiguousarray(arr)
    if like.mode == "P":
        out = Image.frombytes("P", (arr.shape[1], arr.shape[0]), arr.astype(np.uint8).tobytes())
        palette = like.getpalette()
        if palette is not None:
            out.putpalette(palette)
        return out
    out = Image.fromarray(arr)
    if out.mode != like.mode:
        out = out.convert(like.mode)
    return out


def num_channels(img: Any) -> int:
    if is_pil(img):
        return len(img.getbands())
    arr = tensor_image_array(img)
    return 1 if arr.ndim == 2 else int(arr.shape[-3])


def image_hw(img: Any) -> tuple[int, int]:
    """(height, width) of a PIL or tensor image."""
    if is_pil(img):
        return img.height, img.width
    arr = tensor_image_array(img)
    return int(arr.shape[-2]), int(arr.shape[-1])


def setup_size(size: Any, error_msg: str = "Please provide only two dimensions (h, w) for size.") -> tuple[int, int]:
    """``int`` → (size, size); a 1-sequence → (s, s); (h, w) stays."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(error_msg)
    return int(size[0]), int(size[1])


def parse_padding(padding: Any) -> tuple[int, int, int, int]:
    """torchvision's padding argument → (left, top, right, bottom)."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, (tuple, list)):
        if len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
        if len(padding) == 1:
            padding = padding[0]
        elif len(padding) == 2:
            return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
        else:
            return tuple(int(p) for p in padding)  # type: ignore[return-value]
    p = int(padding)  # type: ignore[arg-type]
    return p, p, p, p


def check_pad_args(fill: Any, padding_mode: str) -> None:
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if padding_mode not in PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def _axis_slices(ndim: int, ha: int, wa: int, rows: slice, cols: slice) -> tuple:
    idx = [slice(None)] * ndim
    idx[ha], idx[wa] = rows, cols
    return tuple(idx)


def pad_array(arr: np.ndarray, ltrb: Sequence[int], fill: Any, mode: str, ha: int, wa: int,
              ca: int | None) -> np.ndarray:
    """Pad (negative amounts crop) the spatial axes ``ha``/``wa``; ``fill`` may be per channel (axis ``ca``)."""
    left, top, right, bottom = ltrb
    if min(ltrb) < 0:
        h, w = arr.shape[ha], arr.shape[wa]
        rows = slice(max(-top, 0), h - max(-bottom, 0))
        cols = slice(max(-left, 0), w - max(-right, 0))
        arr = arr[_axis_slices(arr.ndim, ha, wa, rows, cols)]
        left, top, right, bottom = (max(v, 0) for v in ltrb)
    if left == top == right == bottom == 0:
        return arr.copy()
    if mode != "constant":
        widths = [(0, 0)] * arr.ndim
        widths[ha], widths[wa] = (top, bottom), (left, right)
        return np.pad(arr, widths, mode=mode)
    shape = list(arr.shape)
    shape[ha] += top + bottom
    shape[wa] += left + right
    out = np.empty(shape, arr.dtype)
    fills = np.atleast_1d(np.asarray(fill))
    if fills.size == 1 or ca is None:
        out.fill(fills.reshape(-1)[0].item())
    else:
        fshape = [1] * arr.ndim
        fshape[ca] = fills.size
        out[...] = fills.reshape(fshape).astype(arr.dtype)
    rows = slice(top, top + arr.shape[ha])
    cols = slice(left, left + arr.shape[wa])
    out[_axis_slices(arr.ndim, ha, wa, rows, cols)] = arr
    return out


def crop_array(arr: np.ndarray, top: int, left: int, height: int, width: int, ha: int, wa: int) -> np.ndarray:
    """Crop the spatial axes; the parts of the box outside the image are zeros (torchvision's rule)."""
    h, w = arr.shape[ha], arr.shape[wa]
    if top >= 0 and left >= 0 and top + height <= h and left + width <= w:
        return arr[_axis_slices(arr.ndim, ha, wa, slice(top, top + height), slice(left, left + width))].copy()
    shape = list(arr.shape)
    shape[ha], shape[wa] = height, width
    out = np.zeros(shape, arr.dtype)
    r0, r1 = max(top, 0), min(top + height, h)
    c0, c1 = max(left, 0), min(left + width, w)
    if r0 < r1 and c0 < c1:
        src = arr[_axis_slices(arr.ndim, ha, wa, slice(r0, r1), slice(c0, c1))]
        out[_axis_slices(arr.ndim, ha, wa, slice(r0 - top, r1 - top), slice(c0 - left, c1 - left))] = src
    return out


def pil_fill(fill: Any, img: Image.Image) -> Any:
    """A fill value in the form PIL wants for ``img`` (a tuple per band for multi-band images)."""
    bands = len(img.getbands())
    if isinstance(fill, (tuple, list)):
        if len(fill) == 1:
            fill = fill[0]
        elif len(fill) != bands:
            raise ValueError(
                f"The number of elements in 'fill' does not match the number of bands of the image ({len(fill)} != {bands})"
            )
        else:
            return tuple(fill)
    if bands > 1:
        return tuple([fill] * bands)
    return fill


def wrap_like(arr: np.ndarray, like: Any) -> Any:
    """``arr`` as the same kind of image as ``like`` (PIL image or Tensor)."""
    if is_pil(like):
        return array_to_pil(arr, like)
    return to_tensor(np.ascontiguousarray(arr))
