"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, Flatten/Unflatten, Identity vs torch."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import npgrad
import npgrad.nn as nn
from _torch_compare import assert_module_parity


def _layers(lib, n=4):
    return [lib.Linear(3, 3) for _ in range(n)]


def test_sequential_indexing_slicing_and_mutation_like_torch():
    t = torch.nn.Sequential(*_layers(torch.nn))
    s = nn.Sequential(*_layers(nn))
    assert len(s) == len(t) == 4
    assert s[-1] is s[3] and s[0] is list(s)[0]
    sl = s[1:3]
    assert isinstance(sl, nn.Sequential) and list(sl._modules) == list(t[1:3]._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        s[4]
    for m in (s, t):
        del m[1]
        m.append(m[0].__class__(3, 3))
        m.insert(0, m[0].__class__(3, 3))
        m.insert(-1, m[0].__class__(3, 3))
        del m[1:3]
    assert list(s._modules) == list(t._modules)
    assert [n for n, _ in s.named_parameters()] == [n for n, _ in t.named_parameters()]
    s.extend(nn.Sequential(nn.ReLU()))
    assert isinstance(s[-1], nn.ReLU)
    popped = s.pop(0)
    assert isinstance(popped, nn.Linear)
    s[0] = nn.Tanh()
    assert isinstance(s[0], nn.Tanh)
    assert len(s + nn.Sequential(nn.ReLU())) == len(s) + 1
    assert "0" not in dir(s)


def test_sequential_ordered_dict_and_forward_parity():
    t = torch.nn.Sequential(OrderedDict(fc1=torch.nn.Linear(4, 5), act=torch.nn.GELU(), fc2=torch.nn.Linear(5, 2)))
    s = nn.Sequential(OrderedDict(fc1=nn.Linear(4, 5), act=nn.GELU(), fc2=nn.Linear(5, 2)))
    assert list(s.state_dict()) == list(t.state_dict())
    assert repr(s) == repr(t)
    assert s.act is s[1]
    assert_module_parity(s.double(), t.double(), np.random.default_rng(0).standard_normal((3, 4)))


def test_module_list():
    t, m = torch.nn.ModuleList(_layers(torch.nn, 3)), nn.ModuleList(_layers(nn, 3))
    m.append(nn.ReLU())
    t.append(torch.nn.ReLU())
    m.extend([nn.Tanh()])
    t.extend([torch.nn.Tanh()])
    m.insert(1, nn.Identity())
    t.insert(1, torch.nn.Identity())
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    assert isinstance(m[1:3], nn.ModuleList) and len(m[1:3]) == 2
    del m[0]
    del t[0]
    assert repr(m) == repr(t)
    m[-1] = nn.Sigmoid()
    assert isinstance(m[len(m) - 1], nn.Sigmoid)
    assert len(m + nn.ModuleList([nn.ReLU()])) == len(m) + 1
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        m.extend(3)
    with pytest.raises(NotImplementedError):
        m(npgrad.ones(1))


def test_module_dict():
    m = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    t = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 2), "b": torch.nn.ReLU()})
    m.update([("c", nn.Tanh())])
    t.update([("c", torch.nn.Tanh())])
    assert repr(m) == repr(t) and list(m.keys()) == ["a", "b", "c"] and "a" in m and len(m) == 3
    assert list(m.state_dict()) == list(t.state_dict())
    assert isinstance(m.pop("b"), nn.ReLU) and list(m) == ["a", "c"]
    with pytest.raises(ValueError, match="has length 1; 2 is required"):
        m.update([("x",)])
    m.clear()
    assert len(m) == 0


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(npgrad.randn(2, 3)), npgrad.randn(3)])
    tl = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(2, 3)), torch.randn(3)])
    assert isinstance(pl[1], nn.Parameter) and len(pl) == 2
    assert repr(pl) == repr(tl).replace("torch", "npgrad")
    pl.append(npgrad.ones(1))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert len(pl[0:2]) == 2
    pd = nn.ParameterDict({"w": npgrad.randn(2, 3)})
    td = torch.nn.ParameterDict({"w": torch.randn(2, 3)})
    assert repr(pd) == repr(td).replace("torch", "npgrad")
    pd["b"] = nn.Parameter(npgrad.zeros(2))
    assert list(pd.keys()) == ["w", "b"] and "b" in pd and isinstance(pd["w"], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]
    assert pd.get("nope") is None and pd.pop("b").shape == (2,)
    merged = pd | nn.ParameterDict({"z": npgrad.ones(1)})
    assert list(merged.keys()) == ["w", "z"]

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = pl

    assert [n for n, _ in Holder().named_parameters()] == ["ps.0", "ps.1", "ps.2"]


@pytest.mark.parametrize("args", [(1, -1), (0, -1), (1, 2), (-3, -2)])
def test_flatten(args):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    assert_module_parity(nn.Flatten(*args), torch.nn.Flatten(*args), x)
    assert repr(nn.Flatten(*args)) == repr(torch.nn.Flatten(*args))


def test_unflatten_and_identity():
    x = np.random.default_rng(0).standard_normal((2, 12))
    assert_module_parity(nn.Unflatten(1, (3, -1)), torch.nn.Unflatten(1, (3, -1)), x)
    assert repr(nn.Unflatten(1, (3, 4))) == repr(torch.nn.Unflatten(1, (3, 4)))
    assert_module_parity(nn.Identity(54, unused="x"), torch.nn.Identity(54, unused="x"), x)
    assert repr(nn.Identity()) == "Identity()"
