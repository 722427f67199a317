"""Color adjustments (brightness, contrast, saturation, hue, grayscale) for PIL and tensor images.

PIL images go through ``PIL.ImageEnhance`` / PIL's HSV conversion (what torchvision does for
PIL); tensor images use the same blend / HSV math as torchvision's tensor backend, in NumPy.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageEnhance

from ...utils.data._tensors import to_tensor as _wrap
from . import _image as I


def _max_value(dtype: np.dtype) -> float:
    return 1.0 if dtype.kind == "f" else float(np.iinfo(dtype).max)


def _blend(img1: np.ndarray, img2: np.ndarray | float, ratio: float) -> np.ndarray:
    """``ratio * img1 + (1 - ratio) * img2`` clamped to the dtype's range, cast back (truncating)."""
    work = img1.dtype if img1.dtype.kind == "f" else np.dtype(np.float32)
    out = work.type(ratio) * img1.astype(work) + work.type(1.0 - ratio) * np.asarray(img2, dtype=work)
    np.clip(out, 0, _max_value(img1.dtype), out=out)
    return out.astype(img1.dtype)


def _gray_array(arr: np.ndarray) -> np.ndarray:
    """Luma of a …×3×H×W array, keeping the channel axis (size 1), in the input dtype."""
    r, g, b = arr[..., 0, :, :], arr[..., 1, :, :], arr[..., 2, :, :]
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    luma = work.type(0.2989) * r.astype(work) + work.type(0.587) * g.astype(work) + work.type(0.114) * b.astype(work)
    return luma.astype(arr.dtype)[..., None, :, :]


def _check_tensor_channels(arr: np.ndarray) -> int:
    c = 1 if arr.ndim == 2 else arr.shape[-3]
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {c}")
    return c


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (PIL: mode ``L``), repeated to 3 channels if asked."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    I.check_image(img)
    if I.is_pil(img):
        gray = img.convert("L")
        if num_output_channels == 3:
            g = np.asarray(gray)
            return Image.fromarray(np.ascontiguousarray(np.stack([g, g, g], axis=-1)))
        return gray
    arr = I.tensor_image_array(img)
    c = _check_tensor_channels(arr)
    gray = arr[..., :1, :, :] if c == 1 else _gray_array(arr)
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3)
    return _wrap(np.ascontiguousarray(gray))


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Multiply by ``brightness_factor`` (0 gives black, 1 the original)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    I.check_image(img)
    if I.is_pil(img):
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    arr = I.tensor_image_array(img)
    _check_tensor_channels(arr)
    return _wrap(_blend(arr, 0.0, brightness_factor))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the mean gray level (0 gives a flat gray image, 1 the original)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    I.check_image(img)
    if I.is_pil(img):
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    arr = I.tensor_image_array(img)
    c = _check_tensor_channels(arr)
    work = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    gray = _gray_array(arr) if c == 3 else arr
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True) if arr.ndim >= 3 else gray.astype(work).mean()
    return _wrap(_blend(arr, mean, contrast_factor))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (0 gives gray, 1 the original, 2 doubles saturation)."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    I.check_image(img)
    if I.is_pil(img):
        return ImageEnhance.Color(img).enhance(saturation_factor)
    arr = I.tensor_image_array(img)
    if _check_tensor_channels(arr) == 1:
        return img
    return _wrap(_blend(arr, _gray_array(arr), saturation_factor))


def _rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc = np.maximum(np.maximum(r, g), b)
    minc = np.minimum(np.minimum(r, g), b)
    flat = maxc == minc
    chroma = maxc - minc
    one = rgb.dtype.type(1)
    s = chroma / np.where(flat, one, maxc)
    div = np.where(flat, one, chroma)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    h = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.where(flat, 0.0, h)
    h = np.fmod(h / 6.0 + 1.0, 1.0).astype(rgb.dtype)
    return np.stack([h, s.astype(rgb.dtype), maxc], axis=-3)


def _hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0, :, :], hsv[..., 1, :, :], hsv[..., 2, :, :]
    sector = np.floor(h * 6.0)
    f = h * 6.0 - sector
    i = sector.astype(np.int64) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-3).astype(hsv.dtype)


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Rotate the hue by ``hue_factor`` turns (in [-0.5, 0.5])."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    I.check_image(img)
    if I.is_pil(img):
        if img.mode in ("L", "1", "I", "F"):
            return img
        h, s, v = img.convert("HSV").split()
        shift = int(hue_factor * 255) % 256
        hue = ((np.asarray(h, dtype=np.uint16) + shift) % 256).astype(np.uint8)
        return Image.merge("HSV", (Image.fromarray(hue), s, v)).convert(img.mode)
    arr = I.tensor_image_array(img)
    if _check_tensor_channels(arr) == 1:
        return img
    if arr.dtype.kind == "f":
        rgb = arr
    else:
        rgb = arr.astype(np.float32) / np.float32(_max_value(arr.dtype))
    hsv = _rgb_to_hsv(rgb)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + hsv.dtype.type(hue_factor), 1.0)
    out = _hsv_to_rgb(hsv)
    if arr.dtype.kind != "f":  # torchvision's float -> int conversion: scale by (max + 1 - eps), truncate
        out = (out * np.float32(_max_value(arr.dtype) + 1.0 - 1e-3)).astype(arr.dtype)
    return _wrap(out)
