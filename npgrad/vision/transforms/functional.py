"""Functional image transforms (``torchvision.transforms.functional``'s semantics, NumPy/PIL inside).

Every function takes a PIL image or a tensor image (``…×C×H×W``) and returns the same kind.
"""
from __future__ import annotations

import numbers
from enum import Enum
from typing import Any, Sequence

import numpy as np
from PIL import Image, ImageOps

from ..._dtype import get_default_dtype
from ...utils.data._tensors import is_tensor, to_tensor as _wrap
from . import _image as I
from ._color import adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, rgb_to_grayscale

__all__ = [
    "InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_hue", "adjust_saturation", "center_crop",
    "crop", "get_dimensions", "get_image_size", "hflip", "normalize", "pad", "pil_to_tensor", "resize",
    "resized_crop", "rgb_to_grayscale", "to_pil_image", "to_tensor", "vflip",
]


class InterpolationMode(Enum):
    """Resampling filters (torchvision's names)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}


def interpolation_mode(mode: Any) -> InterpolationMode:
    """Accept an ``InterpolationMode``, its string value, or a PIL resampling constant."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, str):
        return InterpolationMode(mode)
    for key, value in _PIL_FILTERS.items():
        if int(mode) == int(value) and key is not InterpolationMode.NEAREST_EXACT:
            return key
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer constant")


# ----------------------------------------------------------------------------- introspection
def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]``."""
    I.check_image(img)
    h, w = I.image_hw(img)
    return [I.num_channels(img), h, w]


def get_image_size(img: Any) -> list[int]:
    """``[width, height]``."""
    I.check_image(img)
    h, w = I.image_hw(img)
    return [w, h]


# ----------------------------------------------------------------------------- conversion
def to_tensor(pic: Any) -> Any:
    """PIL image or H×W(×C) ndarray → C×H×W Tensor; uint8 is scaled to float in [0, 1]."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    elif I.is_pil(pic):
        if pic.mode == "1":
            arr = np.array(pic, dtype=np.uint8) * np.uint8(255)
        elif pic.mode in ("I", "I;16", "I;16B", "I;16L"):
            arr = np.array(pic, dtype=np.int32)
        elif pic.mode == "F":
            arr = np.array(pic, dtype=np.float32)
        else:
            arr = np.array(pic, dtype=np.uint8)
        arr = arr.reshape(pic.height, pic.width, len(pic.getbands()))
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    chw = arr.transpose(2, 0, 1)
    if chw.dtype == np.uint8:
        out = chw.astype(get_default_dtype().np)
        out /= out.dtype.type(255)
        return _wrap(out)
    return _wrap(np.ascontiguousarray(chw))


def pil_to_tensor(pic: Any) -> Any:
    """PIL image → C×H×W Tensor with the image's own dtype (no scaling)."""
    if not I.is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.height, pic.width, len(pic.getbands()))
    return _wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


_MODES_BY_CHANNELS = {2: ("LA",), 3: ("RGB", "YCbCr", "HSV"), 4: ("RGBA", "CMYK", "RGBX")}


def to_pil_image(pic: Any, mode: str | None = None) -> Image.Image:
    """C×H×W Tensor or H×W×C ndarray → PIL image (float tensors are scaled by 255 first)."""
    if is_tensor(pic):
        arr = pic.data
        if arr.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
        if arr.ndim == 2:
            arr = arr[None]
        if arr.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-3]} channels.")
        arr = arr.transpose(1, 2, 0)
        if arr.dtype.kind == "f" and mode != "F":
            with np.errstate(invalid="ignore", over="ignore"):
                arr = (arr * arr.dtype.type(255)).astype(np.uint8)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        if arr.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    channels = arr.shape[-1]
    if channels == 1:
        arr = arr[:, :, 0]
        if arr.dtype == np.int16:
            arr = arr.astype(np.uint16)
        elif arr.dtype == np.int64:
            arr = arr.astype(np.int32)
        inferred = {np.dtype(np.uint8): "L", np.dtype(np.uint16): "I;16", np.dtype(np.int32): "I",
                    np.dtype(np.float32): "F"}.get(arr.dtype)
        if inferred is None:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        if mode is not None and mode != inferred:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. Should be {inferred}")
        return Image.fromarray(np.ascontiguousarray(arr))
    if arr.dtype != np.uint8:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    allowed = _MODES_BY_CHANNELS[channels]
    mode = allowed[0] if mode is None else mode
    if mode not in allowed:
        raise ValueError(f"Only modes {list(allowed)} are supported for {channels}D inputs")
    data = np.ascontiguousarray(arr)
    return Image.frombytes(mode, (data.shape[1], data.shape[0]), data.tobytes())


def normalize(tensor: Any, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Any:
    """``(tensor - mean[c]) / std[c]`` per channel of a float tensor image (…×C×H×W)."""
    if not is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    arr = tensor.data
    if arr.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if arr.ndim < 3:
        raise ValueError(
            f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {tuple(arr.shape)}"
        )
    m = np.asarray(mean, dtype=arr.dtype).reshape(-1, 1, 1)
    s = np.asarray(std, dtype=arr.dtype).reshape(-1, 1, 1)
    if not s.all():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if inplace:
        np.subtract(arr, m, out=arr)
        np.divide(arr, s, out=arr)
        return tensor
    out = np.subtract(arr, m)
    np.divide(out, s, out=out)
    return _wrap(out)


# ----------------------------------------------------------------------------- geometry
def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pad each border (negative padding crops); modes constant / edge / reflect / symmetric."""
    ltrb = I.parse_padding(padding)
    I.check_pad_args(fill, padding_mode)
    I.check_image(img)
    if I.is_pil(img):
        if padding_mode == "constant" and min(ltrb) >= 0:
            out = ImageOps.expand(img, border=ltrb, fill=I.pil_fill(fill, img))
            if img.mode == "P" and img.getpalette() is not None:
                out.putpalette(img.getpalette())
            return out
        arr = I.pil_to_array(img)
        return I.wrap_like(I.pad_array(arr, ltrb, fill, padding_mode, 0, 1, 2 if arr.ndim == 3 else None), img)
    arr = I.tensor_image_array(img)
    return _wrap(I.pad_array(arr, ltrb, fill, padding_mode, -2, -1, -3 if arr.ndim >= 3 else None))


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height``×``width`` box at (``top``, ``left``); outside the image is zeros."""
    I.check_image(img)
    if I.is_pil(img):
        return img.crop((left, top, left + width, top + height))
    return _wrap(I.crop_array(I.tensor_image_array(img), top, left, height, width, -2, -1))


def center_crop(img: Any, output_size: Any) -> Any:
    """Crop the center; images smaller than ``output_size`` are zero-padded first."""
    th, tw = I.setup_size(output_size)
    h, w = I.image_hw(img)
    if tw > w or th > h:
        ltrb = [(tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0]
        img = pad(img, ltrb, fill=0)
        h, w = I.image_hw(img)
        if tw == w and th == h:
            return img
    top = int(round((h - th) / 2.0))
    left = int(round((w - tw) / 2.0))
    return crop(img, top, left, th, tw)


def hflip(img: Any) -> Any:
    """Mirror left ↔ right."""
    I.check_image(img)
    if I.is_pil(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _wrap(np.ascontiguousarray(I.tensor_image_array(img)[..., ::-1]))


def vflip(img: Any) -> Any:
    """Mirror top ↔ bottom."""
    I.check_image(img)
    if I.is_pil(img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return _wrap(np.ascontiguousarray(I.tensor_image_array(img)[..., ::-1, :]))


def resized_output_size(h: int, w: int, size: Any, max_size: int | None = None) -> tuple[int, int]:
    """The (height, width) ``Resize(size, max_size)`` produces from an ``h``×``w`` image."""
    if isinstance(size, numbers.Number) or (isinstance(size, Sequence) and len(size) == 1):
        requested = int(size if isinstance(size, numbers.Number) else size[0])
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(
                    f"max_size = {max_size} must be strictly greater than the requested size for the smaller edge size = {size}"
                )
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    if max_size is not None:
        raise ValueError(
            "max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode."
        )
    return int(size[0]), int(size[1])


def resize(img: Any, size: Any, interpolation: Any = InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True) -> Any:
    """Resize to ``size`` ((h, w), or the smaller edge when an int) with PIL's resampling filters.

    Tensor images are resized channel by channel in float precision (PIL mode ``F``); uint8
    tensors are rounded back to uint8.
    """
    I.check_image(img)
    if not isinstance(size, (numbers.Number, Sequence)):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    if isinstance(size, Sequence) and len(size) not in (1, 2):
        raise ValueError(f"If size is a sequence, it should have 1 or 2 values, got {len(size)}")
    mode = interpolation_mode(interpolation)
    h, w = I.image_hw(img)
    oh, ow = resized_output_size(h, w, size, max_size)
    if (oh, ow) == (h, w):
        return img
    flt = _PIL_FILTERS[mode]
    if I.is_pil(img):
        return img.resize((ow, oh), flt)
    arr = I.tensor_image_array(img)
    planes = arr.reshape(-1, h, w).astype(np.float32)
    out = np.stack([np.asarray(Image.fromarray(p).resize((ow, oh), flt)) for p in planes])
    if arr.dtype.kind in "iub":
        info = np.iinfo(arr.dtype) if arr.dtype.kind != "b" else None
        out = np.round(out)
        if info is not None:
            out = np.clip(out, info.min, info.max)
    return _wrap(out.astype(arr.dtype).reshape(arr.shape[:-2] + (oh, ow)))


def resized_crop(img: Any, top: int, left: int, height: int, width: int, size: Any,
                 interpolation: Any = InterpolationMode.BILINEAR, antialias: bool | None = True) -> Any:
    """``crop`` then ``resize``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)
