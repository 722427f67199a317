"""Batched transforms: same results / distributions as the per-sample ones, no per-image loop."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import npgrad
from npgrad.vision import transforms as T
from npgrad.vision.transforms import batch as B
from npgrad.vision.transforms import functional as F


def _batch(n=16, h=8, w=8, c=3, seed=0):
    shape = (n, h, w, c) if c else (n, h, w)
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _no_per_image_calls(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("per-image functional op called from a batched transform")

    for name in ("crop", "pad", "hflip", "vflip", "to_tensor"):
        monkeypatch.setattr(F, name, boom)


@pytest.mark.parametrize("c", [3, 1, None])
def test_to_tensor_equals_per_sample(c):
    x = _batch(c=c)
    out = B.ToTensor()(x)
    assert out.dtype == npgrad.float32 and tuple(out.shape) == (16, c or 1, 8, 8)
    for k in range(16):
        assert np.array_equal(out.data[k], T.ToTensor()(x[k]).data)
    images = [Image.fromarray(x[k][..., 0] if c == 1 else x[k]) for k in range(3)]
    pil = B.ToTensor()(images)
    assert np.array_equal(pil.data, out.data[:3])
    assert B.PILToTensor()(x).dtype == npgrad.uint8
    assert np.array_equal(B.PILToTensor()(x).data[2], T.PILToTensor()(images[2]).data)


def test_to_tensor_never_aliases_input():
    x = np.random.default_rng(0).random((4, 3, 3, 1)).astype(np.float32)  # transposes to a contiguous view
    before = x.copy()
    B.from_transform(T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]))(x)
    assert np.array_equal(x, before)


def test_normalize_equals_per_sample():
    x = B.ToTensor()(_batch())
    ref = [T.Normalize((0.1, 0.2, 0.3), (0.3, 0.2, 0.1))(npgrad.from_numpy(x.data[k].copy())).data for k in range(16)]
    out = B.Normalize((0.1, 0.2, 0.3), (0.3, 0.2, 0.1))(x)
    assert np.array_equal(out.data, np.stack(ref))


def _find_offsets(padded, out, th, tw):
    hits = [(i, j) for i in range(padded.shape[0] - th + 1) for j in range(padded.shape[1] - tw + 1)
            if np.array_equal(padded[i : i + th, j : j + tw], out)]
    assert len(hits) == 1
    return hits[0]


def test_random_crop_each_image_is_a_window_of_its_padded_image(monkeypatch):
    _no_per_image_calls(monkeypatch)
    x = _batch(n=64)
    out = B.RandomCrop(8, padding=2)(x)
    assert out.shape == x.shape and out.dtype == np.uint8
    offsets = set()
    for k in range(64):
        padded = np.pad(x[k], ((2, 2), (2, 2), (0, 0)))
        offsets.add(_find_offsets(padded, out[k], 8, 8))
    assert len(offsets) > 15  # independent offsets per image (25 possible)


def test_random_crop_offsets_cover_range_uniformly():
    x = np.zeros((4000, 4, 4), np.uint8)
    x[:, 0, 0] = 1  # marker pixel: its position in the crop gives the offset
    out = B.RandomCrop(4, padding=1)(x)
    pos = np.argwhere(out == 1)
    assert len(pos) == 4000 - np.sum(~(out == 1).any(axis=(1, 2)))
    counts = np.bincount(pos[:, 1] * 3 + pos[:, 2], minlength=9)
    # marker visible for offsets (i, j) in {0, 1}² → row/col = 1 - offset
    assert counts[[0, 1, 3, 4]].min() > 300 and counts[[2, 5, 6, 7, 8]].sum() == 0


def test_random_crop_on_tensor_batches_and_modes():
    x = _batch(n=8, c=3)
    t = npgrad.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    out = B.RandomCrop((6, 5), padding=(1, 2), padding_mode="reflect")(t)
    assert isinstance(out, npgrad.Tensor) and tuple(out.shape) == (8, 3, 6, 5)
    for k in range(8):
        padded = np.pad(x[k], ((2, 2), (1, 1), (0, 0)), mode="reflect").transpose(2, 0, 1)
        hits = [(i, j) for i in range(padded.shape[1] - 5) for j in range(padded.shape[2] - 4)
                if np.array_equal(padded[:, i : i + 6, j : j + 5], out.data[k])]
        assert hits
    filled = B.RandomCrop(10, padding=1, fill=(7, 8, 9))(x)
    assert filled[:, 0, 0].tolist() == [[7, 8, 9]] * 8
    grown = B.RandomCrop(10, pad_if_needed=True)(_batch(n=2, h=4, w=6))
    assert grown.shape == (2, 10, 10, 3)
    assert np.array_equal(B.RandomCrop(8)(x), x)
    with pytest.raises(ValueError, match="Required crop size"):
        B.RandomCrop(9)(x)


def test_flips(monkeypatch):
    _no_per_image_calls(monkeypatch)
    x = _batch(n=400, c=3)
    out = B.RandomHorizontalFlip()(x)
    flipped = np.array([np.array_equal(out[k], x[k, :, ::-1]) for k in range(400)])
    kept = np.array([np.array_equal(out[k], x[k]) for k in range(400)])
    assert np.all(flipped ^ kept) and 140 < flipped.sum() < 260
    assert np.array_equal(B.RandomHorizontalFlip(p=1.0)(x), x[:, :, ::-1])
    assert np.array_equal(B.RandomVerticalFlip(p=1.0)(x), x[:, ::-1])
    assert np.array_equal(B.RandomHorizontalFlip(p=0.0)(x), x)
    gray = _batch(n=5, c=None)
    assert np.array_equal(B.RandomHorizontalFlip(p=1.0)(gray), gray[:, :, ::-1])
    t = npgrad.from_numpy(np.ascontiguousarray(x[:5].transpose(0, 3, 1, 2)))
    assert np.array_equal(B.RandomHorizontalFlip(p=1.0)(t).data, t.data[..., ::-1])
    assert np.array_equal(B.RandomVerticalFlip(p=1.0)(t).data, t.data[..., ::-1, :])
    before = x.copy()
    B.RandomHorizontalFlip(p=1.0)(x)
    assert np.array_equal(x, before)  # input untouched


def test_center_crop_and_pad_equal_per_sample():
    x = _batch(n=4, h=7, w=9)
    cc = B.CenterCrop((4, 5))(x)
    pad = B.Pad((1, 2, 3, 0), fill=5, padding_mode="constant")(x)
    big = B.CenterCrop(11)(x)
    for k in range(4):
        img = Image.fromarray(x[k])
        assert np.array_equal(cc[k], np.asarray(T.CenterCrop((4, 5))(img)))
        assert np.array_equal(pad[k], np.asarray(T.Pad((1, 2, 3, 0), fill=5)(img)))
        assert np.array_equal(big[k], np.asarray(T.CenterCrop(11)(img)))


def test_seeded_batches_are_reproducible():
    x = _batch(n=32)
    pipeline = B.Compose([B.RandomCrop(8, padding=2), B.RandomHorizontalFlip(), B.ToTensor()])
    npgrad.manual_seed(5)
    a = pipeline(x).data
    npgrad.manual_seed(5)
    assert np.array_equal(pipeline(x).data, a)
    npgrad.manual_seed(6)
    assert not np.array_equal(pipeline(x).data, a)


def test_from_transform_conversion():
    tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(0.3), T.ToTensor(),
                    T.Normalize((0.5,), (0.5,))])
    bt = B.from_transform(tf)
    assert isinstance(bt, B.Compose)
    kinds = [type(t) for t in bt.transforms]
    assert kinds == [B.RandomCrop, B.RandomHorizontalFlip, B.ToTensor, B.Normalize]
    assert bt.transforms[1].p == 0.3 and bt.transforms[0].padding == 4 and bt.transforms[3].inplace
    assert B.from_transform(T.Compose([T.ToTensor(), T.Lambda(lambda t: t)])) is None
    assert B.from_transform(T.ColorJitter(0.1)) is None
    assert isinstance(B.from_transform(T.ToTensor()), B.ToTensor)
    assert B.from_transform(bt) is bt

    class MyToTensor(T.ToTensor):
        pass

    assert B.from_transform(MyToTensor()) is None  # a subclass may change behaviour: not converted


def test_batched_pipeline_matches_per_sample_for_deterministic_steps():
    x = _batch(n=6, h=10, w=10)
    per_sample = T.Compose([T.CenterCrop(8), T.Pad(1, padding_mode="symmetric"), T.ToTensor(),
                            T.Normalize((0.4, 0.5, 0.6), (0.2, 0.3, 0.4))])
    batched = B.from_transform(per_sample)
    out = batched(x).data
    for k in range(6):
        assert np.array_equal(out[k], per_sample(Image.fromarray(x[k])).data)


def test_layout_errors():
    with pytest.raises(ValueError, match="expected a batch of images"):
        B.RandomCrop(2)(np.zeros((4, 4), np.uint8))
    with pytest.raises(TypeError, match="ToTensor expects"):
        B.ToTensor()(npgrad.from_numpy(np.zeros((1, 1, 2, 2), np.float32)))
    with pytest.raises(TypeError, match="Argument lambd should be callable"):
        B.Lambda(None)
    assert B.Lambda(lambda b: b[:1])(np.zeros((3, 2, 2), np.uint8)).shape == (1, 2, 2)
