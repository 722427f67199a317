"""Per-sample transforms: torchvision semantics checked by exact math, NumPy and PIL references."""
from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

import npgrad
from npgrad.vision import transforms as T
from npgrad.vision.transforms import functional as F


def _rgb(h=6, w=8, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _t(arr) -> npgrad.Tensor:
    return npgrad.from_numpy(np.ascontiguousarray(arr))


# ----------------------------------------------------------------------------- conversion
def test_to_tensor_pil_and_ndarray():
    arr = _rgb()
    out = T.ToTensor()(Image.fromarray(arr))
    assert out.dtype == npgrad.float32 and tuple(out.shape) == (3, 6, 8)
    expected = arr.transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    assert np.array_equal(out.data, expected)
    assert np.array_equal(T.ToTensor()(arr).data, expected)
    gray = arr[:, :, 0]
    assert np.array_equal(T.ToTensor()(Image.fromarray(gray)).data, expected[:1])
    assert np.array_equal(T.ToTensor()(gray).data, expected[:1])
    floats = np.linspace(0, 3, 24, dtype=np.float32).reshape(2, 4, 3)
    assert np.array_equal(T.ToTensor()(floats).data, floats.transpose(2, 0, 1))  # no scaling for non-uint8


def test_to_tensor_special_modes_and_errors():
    binary = Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).convert("1")
    assert T.ToTensor()(binary).data.tolist() == [[[0.0, 1.0], [1.0, 0.0]]]
    ints = Image.fromarray(np.array([[70000, -3]], np.int32))
    assert T.ToTensor()(ints).data.tolist() == [[[70000, -3]]]
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToTensor()(np.zeros((1, 2, 3, 4), np.uint8))


def test_pil_to_tensor():
    arr = _rgb()
    out = T.PILToTensor()(Image.fromarray(arr))
    assert out.dtype == npgrad.uint8 and np.array_equal(out.data, arr.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        T.PILToTensor()(arr)


def test_to_pil_image():
    x = np.random.default_rng(1).random((3, 4, 5)).astype(np.float32)
    img = T.ToPILImage()(_t(x))
    assert img.mode == "RGB" and img.size == (5, 4)
    assert np.array_equal(np.asarray(img), (x * np.float32(255)).astype(np.uint8).transpose(1, 2, 0))
    assert T.ToPILImage()(_t(x[:1])).mode == "L"
    assert T.ToPILImage(mode="F")(_t(x[:1])).mode == "F"
    assert T.ToPILImage()(_t(np.zeros((4, 2, 2), np.uint8))).mode == "RGBA"
    arr = _rgb()
    assert np.array_equal(np.asarray(T.ToPILImage()(arr)), arr)
    hsv = T.ToPILImage(mode="HSV")(arr)
    assert hsv.mode == "HSV" and np.array_equal(np.asarray(hsv), arr)
    with pytest.raises(ValueError, match="Incorrect mode"):
        T.ToPILImage(mode="RGB")(_t(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match="pic should not have > 4 channels"):
        T.ToPILImage()(_t(np.zeros((5, 2, 2), np.uint8)))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        T.ToPILImage()([1])


def test_to_tensor_to_pil_roundtrip():
    arr = _rgb(seed=3)
    back = np.asarray(T.ToPILImage()(T.ToTensor()(arr)))
    expected = ((arr.astype(np.float32) / np.float32(255)) * np.float32(255)).astype(np.uint8)
    assert np.array_equal(back, expected)


# ----------------------------------------------------------------------------- normalize
def test_normalize_exact_and_inplace():
    x = np.random.default_rng(2).random((3, 4, 4)).astype(np.float32)
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.5)
    t = _t(x.copy())
    out = T.Normalize(mean, std)(t)
    m = np.array(mean, np.float32)[:, None, None]
    s = np.array(std, np.float32)[:, None, None]
    assert np.array_equal(out.data, (x - m) / s) and out is not t and np.array_equal(t.data, x)
    same = T.Normalize(mean, std, inplace=True)(t)
    assert same is t and np.array_equal(t.data, (x - m) / s)
    batch = _t(np.stack([x, x]))
    assert np.array_equal(T.Normalize(mean, std)(batch).data[1], (x - m) / s)
    assert repr(T.Normalize(mean, std)) == "Normalize(mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.5))"


def test_normalize_errors():
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize([0], [1])(np.zeros((1, 2, 2), np.float32))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize([0], [1])(_t(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image of size"):
        T.Normalize([0], [1])(_t(np.zeros((2, 2), np.float32)))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize([0], [0])(_t(np.zeros((1, 2, 2), np.float32)))


# ----------------------------------------------------------------------------- geometry
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [2, (1, 3), (1, 2, 3, 0), [2]])
def test_pad_matches_numpy(mode, padding):
    arr = _rgb(5, 6)
    if isinstance(padding, int) or len(padding) == 1:
        p = padding if isinstance(padding, int) else padding[0]
        l, t, r, b = p, p, p, p
    elif len(padding) == 2:
        l, t, r, b = padding[0], padding[1], padding[0], padding[1]
    else:
        l, t, r, b = padding
    expected = np.pad(arr, ((t, b), (l, r), (0, 0)), mode=mode)
    pil = T.Pad(padding, fill=0, padding_mode=mode)(Image.fromarray(arr))
    assert pil.mode == "RGB" and np.array_equal(np.asarray(pil), expected)
    ten = T.Pad(padding, padding_mode=mode)(_t(arr.transpose(2, 0, 1)))
    assert np.array_equal(ten.data, expected.transpose(2, 0, 1))


def test_pad_fill_and_negative_and_errors():
    arr = _rgb(3, 3)
    out = np.asarray(T.Pad(1, fill=(10, 20, 30))(Image.fromarray(arr)))
    assert out[0, 0].tolist() == [10, 20, 30] and np.array_equal(out[1:4, 1:4], arr)
    gray = np.asarray(T.Pad(1, fill=7)(Image.fromarray(arr[:, :, 0])))
    assert gray[0, 0] == 7
    ten = T.Pad(1, fill=(1, 2, 3))(_t(arr.transpose(2, 0, 1)))
    assert ten.data[:, 0, 0].tolist() == [1, 2, 3]
    cropped = F.pad(_t(arr.transpose(2, 0, 1)), [-1, 0, 0, -1])
    assert np.array_equal(cropped.data, arr.transpose(2, 0, 1)[:, :2, 1:])
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        T.Pad("2")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(TypeError, match="Got inappropriate fill arg"):
        T.Pad(1, fill="red")


def test_center_crop_offsets_and_padding():
    arr = np.arange(5 * 7, dtype=np.uint8).reshape(5, 7)
    out = np.asarray(T.CenterCrop((2, 4))(Image.fromarray(arr)))
    top, left = int(round((5 - 2) / 2.0)), int(round((7 - 4) / 2.0))  # round(1.5) == 2, round(1.5) == 2
    assert (top, left) == (2, 2) and np.array_equal(out, arr[2:4, 2:6])
    ten = T.CenterCrop(3)(_t(arr[None]))
    assert np.array_equal(ten.data[0], arr[1:4, 2:5])
    big = T.CenterCrop((7, 8))(_t(arr[None])).data[0]  # larger than the image: zero padded
    assert big.shape == (7, 8) and np.array_equal(big[1:6, 0:7], arr) and big[0].sum() == 0 and big[:, 7].sum() == 0
    big_pil = np.asarray(T.CenterCrop((7, 8))(Image.fromarray(arr)))
    assert np.array_equal(big_pil, big)
    with pytest.raises(ValueError, match="Please provide only two dimensions"):
        T.CenterCrop((1, 2, 3))


def test_flips():
    arr = _rgb()
    img = Image.fromarray(arr)
    assert np.array_equal(np.asarray(T.RandomHorizontalFlip(p=1.0)(img)), arr[:, ::-1])
    assert np.array_equal(np.asarray(T.RandomVerticalFlip(p=1.0)(img)), arr[::-1])
    assert T.RandomHorizontalFlip(p=0.0)(img) is img
    ten = _t(arr.transpose(2, 0, 1))
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(ten).data, arr.transpose(2, 0, 1)[:, :, ::-1])
    assert np.array_equal(T.RandomVerticalFlip(1.0)(ten).data, arr.transpose(2, 0, 1)[:, ::-1])
    flipped = sum(T.RandomHorizontalFlip(0.3)(ten) is not ten for _ in range(1000))
    assert 240 < flipped < 360


def test_random_crop_windows_padding_and_seed():
    arr = np.arange(6 * 6, dtype=np.uint8).reshape(6, 6)
    img = Image.fromarray(arr)
    padded = np.pad(arr, 2)
    seen = set()
    for _ in range(300):
        out = np.asarray(T.RandomCrop(4, padding=2)(img))
        hits = [(i, j) for i in range(7) for j in range(7) if np.array_equal(padded[i : i + 4, j : j + 4], out)]
        assert len(hits) == 1
        seen.add(hits[0])
    assert len(seen) == 49  # every offset of the padded image is reachable
    npgrad.manual_seed(9)
    a = [T.RandomCrop(3)(_t(arr[None])).data.tolist() for _ in range(5)]
    npgrad.manual_seed(9)
    b = [T.RandomCrop(3)(_t(arr[None])).data.tolist() for _ in range(5)]
    assert a == b
    same = T.RandomCrop(6)(img)
    assert np.array_equal(np.asarray(same), arr)
    with pytest.raises(ValueError, match=r"Required crop size \(7, 7\) is larger than input image size \(6, 6\)"):
        T.RandomCrop(7)(img)


def test_random_crop_pad_if_needed_and_modes():
    arr = _rgb(3, 4)
    out = T.RandomCrop((5, 6), pad_if_needed=True, fill=(9, 9, 9))(Image.fromarray(arr))
    assert out.size == (6, 5)
    ref = np.asarray(out)
    assert (ref == 9).all(axis=2).sum() >= 5 * 6 - 3 * 4  # the padding is the fill color
    edge = np.asarray(T.RandomCrop(7, padding=2, padding_mode="edge")(Image.fromarray(arr)))
    assert edge.shape == (7, 7, 3)


def test_resize_matches_pil_and_aspect_rules():
    arr = _rgb(20, 40)
    img = Image.fromarray(arr)
    out = T.Resize(10)(img)
    assert out.size == (20, 10)
    assert np.array_equal(np.asarray(out), np.asarray(img.resize((20, 10), Image.Resampling.BILINEAR)))
    assert T.Resize((7, 9), interpolation=T.InterpolationMode.NEAREST)(img).size == (9, 7)
    assert np.array_equal(np.asarray(T.Resize((7, 9), interpolation=T.InterpolationMode.NEAREST)(img)),
                          np.asarray(img.resize((9, 7), Image.Resampling.NEAREST)))
    assert T.Resize(10, max_size=15)(img).size == (15, 7)  # long edge capped: short = int(15 * 10 / 20)
    with pytest.raises(ValueError, match="must be strictly greater than the requested size"):
        T.Resize(10, max_size=10)(img)
    assert T.Resize(20)(img) is img  # already the right size
    ten = T.Resize(10)(_t(arr.transpose(2, 0, 1)))
    assert tuple(ten.shape) == (3, 10, 20) and ten.dtype == npgrad.uint8
    assert np.abs(ten.data.astype(int) - np.asarray(out).transpose(2, 0, 1).astype(int)).max() <= 1
    const = _t(np.full((1, 8, 8), 0.25, np.float32))
    assert np.allclose(T.Resize(3)(const).data, 0.25)
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))


def test_random_resized_crop():
    arr = _rgb(30, 30)
    img = Image.fromarray(arr)
    for _ in range(50):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and 0 <= j and i + h <= 30 and j + w <= 30 and h > 0 and w > 0
        assert 0.08 * 900 * 0.8 <= h * w <= 900
        assert 3 / 4 * 0.8 <= w / h <= 4 / 3 * 1.25
    out = T.RandomResizedCrop(12)(img)
    assert out.size == (12, 12)
    full = T.RandomResizedCrop(30, scale=(1.0, 1.0), ratio=(1.0, 1.0))(img)
    assert np.array_equal(np.asarray(full), arr)
    wide = Image.fromarray(_rgb(10, 100))
    assert T.RandomResizedCrop.get_params(wide, (1.0, 1.0), (1.0, 1.0)) == (0, 45, 10, 10)  # fallback: center
    assert tuple(T.RandomResizedCrop((8, 6))(_t(arr.transpose(2, 0, 1))).shape) == (3, 8, 6)
    with pytest.warns(UserWarning, match="Scale and ratio should be of kind"):
        T.RandomResizedCrop(5, scale=(1.0, 0.5))


def test_color_jitter_pil_matches_image_enhance():
    img = Image.fromarray(_rgb(seed=4))
    for name, enhancer in (("brightness", ImageEnhance.Brightness), ("contrast", ImageEnhance.Contrast),
                           ("saturation", ImageEnhance.Color)):
        out = T.ColorJitter(**{name: (0.6, 0.6)})(img)
        assert np.array_equal(np.asarray(out), np.asarray(enhancer(img).enhance(0.6)))
    hue = np.asarray(T.ColorJitter(hue=(0.1, 0.1))(img))
    h, s, v = img.convert("HSV").split()
    shifted = ((np.asarray(h).astype(int) + int(0.1 * 255)) % 256).astype(np.uint8)
    ref = Image.merge("HSV", (Image.fromarray(shifted), s, v)).convert("RGB")
    assert np.array_equal(hue, np.asarray(ref))
    assert T.ColorJitter(hue=0.2)(img.convert("L")).mode == "L"


def test_color_adjustments_on_tensors_exact_math():
    x = np.random.default_rng(5).random((3, 4, 5)).astype(np.float32)
    t = _t(x)
    assert np.allclose(F.adjust_brightness(t, 1.5).data, np.clip(x * 1.5, 0, 1))
    gray = (np.float32(0.2989) * x[0] + np.float32(0.587) * x[1] + np.float32(0.114) * x[2])
    assert np.allclose(F.rgb_to_grayscale(t).data[0], gray)
    mean = gray.mean()
    assert np.allclose(F.adjust_contrast(t, 0.5).data, np.clip(0.5 * x + 0.5 * mean, 0, 1), atol=1e-6)
    assert np.allclose(F.adjust_saturation(t, 0.0).data, np.broadcast_to(gray, x.shape), atol=1e-6)
    hue = F.adjust_hue(t, 0.25).data
    for (r, g, b), out in zip(x.reshape(3, -1).T, hue.reshape(3, -1).T):
        hh, ss, vv = colorsys.rgb_to_hsv(r, g, b)
        assert np.allclose(out, colorsys.hsv_to_rgb((hh + 0.25) % 1.0, ss, vv), atol=1e-5)
    u8 = _t(np.array([[[100, 200]], [[50, 250]], [[0, 10]]], np.uint8))
    assert F.adjust_brightness(u8, 1.5).data.tolist() == [[[150, 255]], [[75, 255]], [[0, 15]]]
    with pytest.raises(ValueError, match=r"brightness_factor \(-1\) is not non-negative."):
        F.adjust_brightness(t, -1)
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]."):
        F.adjust_hue(t, 0.7)


def test_color_jitter_argument_checks_and_order():
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non negative."):
        T.ColorJitter(brightness=-0.1)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.6)
    with pytest.raises(TypeError, match="contrast should be a single number or a list/tuple with length 2."):
        T.ColorJitter(contrast=(1, 2, 3))
    cj = T.ColorJitter(brightness=0.5, contrast=0, saturation=(0.5, 1.5), hue=0.1)
    assert cj.brightness == (0.5, 1.5) and cj.contrast is None and cj.hue == (-0.1, 0.1)
    order, b, c, s, h = T.ColorJitter.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
    assert sorted(order.tolist()) == [0, 1, 2, 3] and 0.5 <= b <= 1.5 and c is None and -0.1 <= h <= 0.1
    img = Image.fromarray(_rgb())
    npgrad.manual_seed(3)
    a = np.asarray(cj(img))
    npgrad.manual_seed(3)
    assert np.array_equal(np.asarray(cj(img)), a)


def test_lambda_compose_and_reprs():
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    pipeline = T.Compose([T.Lambda(lambda im: ImageOps.invert(im)), T.ToTensor()])
    arr = _rgb()
    assert np.array_equal(pipeline(Image.fromarray(arr)).data, (255 - arr).transpose(2, 0, 1) / np.float32(255))
    text = repr(T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor()]))
    assert text == "Compose(\n    RandomCrop(size=(32, 32), padding=4)\n    RandomHorizontalFlip(p=0.5)\n    ToTensor()\n)"


def test_pil_palette_image_keeps_palette_through_pad():
    img = Image.fromarray(np.array([[0, 1], [2, 3]], np.uint8)).convert("P")
    out = T.Pad(1, padding_mode="edge")(img)
    assert out.mode == "P" and out.size == (4, 4)
