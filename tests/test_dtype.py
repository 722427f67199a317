"""dtypes, the default dtype, and torch's type-promotion rules (checked against torch on every pair)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import npgrad
from npgrad import _dtype

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def N(name):
    return getattr(npgrad, name)


def T(name):
    return getattr(torch, name)


def test_dtype_objects_like_torch():
    for name in NAMES:
        d, t = N(name), T(name)
        assert repr(d) == repr(t).replace("torch", "npgrad")
        assert d.is_floating_point == t.is_floating_point
        assert d.is_signed == t.is_signed
        assert d.itemsize == t.itemsize
        assert not d.is_complex
    assert npgrad.float is npgrad.float32 and npgrad.double is npgrad.float64 and npgrad.half is npgrad.float16
    assert npgrad.long is npgrad.int64 and npgrad.int is npgrad.int32 and npgrad.short is npgrad.int16
    assert npgrad.float32 == np.float32 and npgrad.float32 != npgrad.float64
    assert {npgrad.float32: 1}[npgrad.float32] == 1


@pytest.mark.parametrize("a,b", list(itertools.combinations_with_replacement(NAMES, 2)))
def test_promote_types_matches_torch(a, b):
    assert repr(npgrad.promote_types(N(a), N(b))) == repr(torch.promote_types(T(a), T(b))).replace("torch", "npgrad")


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_result_type_dims_and_zero_dim_match_torch(a, b):
    for sa, sb in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
        ta, tb = torch.ones(sa, dtype=T(a)), torch.ones(sb, dtype=T(b))
        na, nb = npgrad.ones(sa, dtype=N(a)), npgrad.ones(sb, dtype=N(b))
        assert npgrad.result_type(na, nb).name == str(torch.result_type(ta, tb)).split(".")[1], (a, b, sa, sb)


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("scalar", [True, 3, 2.5])
def test_python_scalars_never_widen(a, scalar):
    expected = str(torch.result_type(torch.ones(2, dtype=T(a)), scalar)).split(".")[1]
    assert npgrad.result_type(npgrad.ones(2, dtype=N(a)), scalar).name == expected
    if a == "float32":
        assert (npgrad.ones(2) * 2.5).dtype == npgrad.float32
        assert (npgrad.ones(2) + 0.1).dtype == npgrad.float32 and (npgrad.ones(2) - 1e-3).dtype == npgrad.float32


def test_default_dtype():
    assert npgrad.get_default_dtype() is npgrad.float32
    assert npgrad.tensor([1.0]).dtype == npgrad.float32
    npgrad.set_default_dtype(npgrad.float64)
    try:
        assert npgrad.tensor([1.0]).dtype == npgrad.float64
        assert npgrad.zeros(2).dtype == npgrad.float64
        assert (npgrad.tensor([1, 2]) * 0.5).dtype == npgrad.float64
        assert npgrad.tensor([1, 2]).dtype == npgrad.int64
    finally:
        npgrad.set_default_dtype(npgrad.float32)
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        npgrad.set_default_dtype(npgrad.int32)


def test_python_types_as_dtypes():
    assert npgrad.ones(2).to(float).dtype == npgrad.float64 and torch.ones(2).to(float).dtype == torch.float64
    assert npgrad.zeros(2, dtype=int).dtype == npgrad.int64
    assert npgrad.zeros(2, dtype=bool).dtype == npgrad.bool
    assert npgrad.zeros(2, dtype=np.float16).dtype == npgrad.float16
    with pytest.raises(TypeError, match="unsupported dtype"):
        npgrad.zeros(2, dtype="complex128")


def test_finfo_iinfo_like_torch():
    for name in ("float16", "float32", "float64"):
        a, b = npgrad.finfo(N(name)), torch.finfo(T(name))
        for attr in ("bits", "eps", "max", "min", "tiny", "resolution"):
            assert getattr(a, attr) == pytest.approx(getattr(b, attr)), (name, attr)
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        a, b = npgrad.iinfo(N(name)), torch.iinfo(T(name))
        assert (a.bits, a.min, a.max) == (b.bits, b.min, b.max)
    assert npgrad.finfo().eps == torch.finfo().eps
    with pytest.raises(TypeError):
        npgrad.finfo(npgrad.int32)


def test_can_cast_matches_torch():
    for a, b in itertools.product(NAMES, NAMES):
        assert npgrad.can_cast(N(a), N(b)) == torch.can_cast(T(a), T(b)), (a, b)


def test_scalar_names_for_messages():
    assert _dtype.scalar_name(np.dtype(np.float32)) == "Float"
    assert _dtype.scalar_name(np.dtype(np.int64)) == "Long"


def test_dtype_pickles_to_the_singleton():
    import pickle

    assert pickle.loads(pickle.dumps(npgrad.float16)) is npgrad.float16
