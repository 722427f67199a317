"""Every public ``Tensor`` method and property has a docstring (npgrad/_tensor_docs.py attaches the
ones that delegate to a function), and the attached texts name the right function."""
from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

import npgrad
from npgrad import _tensor_docs
from npgrad import Tensor

REPO = Path(__file__).resolve().parent.parent


def _public_attributes() -> dict[str, object]:
    """Public name -> the function or property that ``Tensor.<name>`` resolves to."""
    out = {}
    for name in sorted({n for k in Tensor.__mro__ if k is not object for n in vars(k)}):
        if name.startswith("_"):
            continue
        owner = next(k for k in Tensor.__mro__ if name in vars(k))
        obj = vars(owner)[name]
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if inspect.isfunction(obj) or isinstance(obj, property):
            out[name] = obj
    return out


PUBLIC = _public_attributes()


def test_there_are_many_public_methods() -> None:
    assert len(PUBLIC) > 300


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_tensor_attribute_has_a_docstring(name: str) -> None:
    doc = PUBLIC[name].__doc__
    assert isinstance(doc, str) and doc.strip(), f"Tensor.{name} has no docstring"


def test_method_form_names_its_function() -> None:
    assert "npgrad.add" in Tensor.add.__doc__
    assert Tensor.add.__doc__.startswith("Method form of :func:`npgrad.add`")
    assert "npgrad.exp" in Tensor.exp.__doc__
    assert "npgrad.where(condition, x, y)" in Tensor.where.__doc__


def test_inplace_form_names_its_out_of_place_method() -> None:
    assert Tensor.exp_.__doc__.startswith("In-place version of :meth:`Tensor.exp`")
    assert Tensor.clamp_min_.__doc__.startswith("In-place version of :func:`npgrad.clamp_min`")
    assert "dtype" in Tensor.eq_.__doc__  # comparisons in place keep self's dtype


def test_hand_written_docstrings_are_kept() -> None:
    assert Tensor.add_.__doc__ == "self += alpha * other."
    assert Tensor.view.__doc__.startswith("A view with a new shape")


def test_aliases_carry_the_text_of_the_name_they_were_defined_with() -> None:
    # ``swapaxes = swapdims = transpose``: one function, documented as transpose
    assert Tensor.swapaxes is Tensor.transpose
    assert Tensor.transpose.__doc__.startswith("Method form of :func:`npgrad.transpose`")
    assert ":func:`npgrad.swap" not in Tensor.transpose.__doc__
    assert Tensor.neg.__doc__.startswith("Method form of :func:`npgrad.neg`")
    assert Tensor.lt_.__doc__.startswith("In-place version of :meth:`Tensor.lt`")
    assert Tensor.div.__doc__.startswith("Method form of :func:`npgrad.div`")


def test_function_forms_are_left_alone() -> None:
    for name in ("add", "exp", "transpose", "where", "sum", "neg", "abs"):
        doc = getattr(npgrad, name).__doc__ or ""
        assert not doc.startswith(("Method form", "In-place version")), f"npgrad.{name}'s docstring was overwritten"


def test_every_referenced_function_exists() -> None:
    refs = {(m.group(1), m.group(2), name) for name, obj in PUBLIC.items()
            for m in re.finditer(r":(func|meth):`(?:npgrad|Tensor)\.(\w+)`", obj.__doc__ or "")}
    assert refs
    for kind, target, name in refs:
        holder = npgrad if kind == "func" else Tensor
        assert callable(getattr(holder, target, None)), f"Tensor.{name}'s docstring names a missing {target}"


def test_operators_name_their_op() -> None:
    assert "npgrad.add" in Tensor.__add__.__doc__
    assert "npgrad.matmul" in Tensor.__matmul__.__doc__
    assert "Tensor.add_" in Tensor.__iadd__.__doc__
    for name in ("__add__", "__radd__", "__sub__", "__mul__", "__truediv__", "__pow__", "__neg__",
                 "__getitem__", "__setitem__", "__eq__", "__lt__", "__and__", "__invert__", "__len__", "__iter__"):
        assert (getattr(Tensor, name).__doc__ or "").strip(), f"Tensor.{name} has no docstring"


def test_add_docstrings_is_idempotent() -> None:
    before = {name: obj.__doc__ for name, obj in PUBLIC.items()}
    assert _tensor_docs.add_docstrings() == []
    assert {name: obj.__doc__ for name, obj in PUBLIC.items()} == before


def test_gen_api_docs_finds_no_undocumented_tensor_method() -> None:
    spec = importlib.util.spec_from_file_location("gen_api_docs", REPO / "scripts" / "gen_api_docs.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    section = next(s for s in gen.SECTIONS if s.title == "npgrad.Tensor")
    assert gen.missing_docstrings((section,)) == {"npgrad.Tensor": []}
