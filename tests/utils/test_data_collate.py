"""default_collate / default_convert against torch.utils.data (structure, dtypes, values)."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import npgrad
from npgrad.utils.data import default_collate, default_convert

torch = pytest.importorskip("torch")
from torch.utils.data import default_collate as torch_collate  # noqa: E402
from torch.utils.data import default_convert as torch_convert  # noqa: E402

Point = collections.namedtuple("Point", "x y")


def _canon(obj):
    """A comparable description of a (possibly nested) npgrad or torch batch."""
    if isinstance(obj, npgrad.Tensor):
        return ("tensor", str(obj.data.dtype), obj.data.shape, obj.data.tolist())
    if isinstance(obj, torch.Tensor):
        arr = obj.numpy()
        return ("tensor", str(arr.dtype), arr.shape, arr.tolist())
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.shape, obj.tolist())
    if isinstance(obj, dict):
        return ("dict", {k: _canon(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, tuple(_canon(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_canon(v) for v in obj])
    return ("value", obj)


def _np_to_torch(obj):
    if isinstance(obj, npgrad.Tensor):
        return torch.from_numpy(obj.data.copy())
    if isinstance(obj, dict):
        return {k: _np_to_torch(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_np_to_torch(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(_np_to_torch(v) for v in obj)
    return obj


BATCHES = [
    [1, 2, 3],
    [1.5, 2.5],
    [1.0, 2],
    [1, 2.0],
    [True, False],
    [np.float32(1), np.float32(2)],
    [np.int32(3), np.int32(4)],
    [np.bool_(True), np.bool_(False)],
    [np.array(1.5), np.array(2.5)],
    [np.zeros((2, 3), np.uint8), np.ones((2, 3), np.uint8)],
    [np.arange(4, dtype=np.float64), np.arange(4, dtype=np.float64) * 2],
    ["a", "b"],
    [b"a", b"b"],
    [np.str_("a"), np.str_("b")],
    [(1, 2.0), (3, 4.0)],
    [[1, 2], [3, 4]],
    [(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)],
    [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    [{"img": np.ones((1, 2), np.float32), "meta": {"id": 3, "w": 0.5}}, {"img": np.zeros((1, 2), np.float32), "meta": {"id": 4, "w": 1.5}}],
    [Point(1, 2.0), Point(3, 4.0)],
    [(np.int64(1), [1.0, 2.0]), (np.int64(2), [3.0, 4.0])],
]


@pytest.mark.parametrize("batch", BATCHES, ids=range(len(BATCHES)))
def test_default_collate_matches_torch(batch):
    assert _canon(default_collate(batch)) == _canon(torch_collate(batch))


def test_collate_tensors_stacks_and_matches_torch():
    samples = [npgrad.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3) + i) for i in range(4)]
    out = default_collate(samples)
    assert isinstance(out, npgrad.Tensor) and tuple(out.shape) == (4, 2, 3)
    assert _canon(out) == _canon(torch_collate([_np_to_torch(s) for s in samples]))
    pairs = [(s, i) for i, s in enumerate(samples)]
    assert _canon(default_collate(pairs)) == _canon(torch_collate([(_np_to_torch(s), i) for s, i in pairs]))


@pytest.mark.parametrize(
    "batch",
    [[[1, 2], [3]], [object(), object()], [np.array(["a"]), np.array(["b"])], [np.zeros(2), np.zeros(3)]],
    ids=["ragged-list", "object", "str-array", "shape-mismatch"],
)
def test_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as theirs:
        torch_collate(batch)
    with pytest.raises(type(theirs.value)) as ours:
        default_collate(batch)
    assert str(ours.value) == str(theirs.value)


def test_collate_tensor_shape_mismatch_message():
    a, b = npgrad.from_numpy(np.zeros(2)), npgrad.from_numpy(np.zeros(3))
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1"):
        default_collate([a, b])


CONVERT = [
    np.zeros(3),
    np.float64(3.0),
    np.array(["a"]),
    (np.zeros(2), 1),
    [np.ones(2, np.float32), "s"],
    {"a": np.zeros(1, np.int32), "b": 2},
    Point(np.zeros(1), 5),
    "text",
    np.str_("s"),
    7,
]


@pytest.mark.parametrize("data", CONVERT, ids=range(len(CONVERT)))
def test_default_convert_matches_torch(data):
    assert _canon(default_convert(data)) == _canon(torch_convert(data))


def test_default_convert_keeps_tensors():
    t = npgrad.from_numpy(np.arange(3))
    assert default_convert(t) is t
    arr = np.arange(3)
    converted = default_convert(arr)
    assert isinstance(converted, npgrad.Tensor) and converted.data is arr  # shares memory like torch.as_tensor
