"""Checkpointing: state_dict has torch's layout, and 25 steps + save/load + 25 steps is bit-identical
to 50 uninterrupted steps (through copy.deepcopy, a NumPy-only tree and an npgrad.save file)."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import npgrad
from npgrad import optim
from npgrad.serialization import load, save

from _optim_harness import Model, batches, make_pair, to_numpy_tree, torch_to_npgrad_tree, train, weights

RESUME_CONFIGS = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=1e-2, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=1e-2)),
    ("RMSprop", dict(lr=1e-2, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adadelta", dict()),
    ("Adamax", dict(lr=1e-2)),
    ("NAdam", dict(lr=1e-2)),
    ("RAdam", dict(lr=1e-2)),
]


def _roundtrip(sd: dict, how: str, tmp_path) -> dict:
    if how == "deepcopy":
        return copy.deepcopy(sd)
    if how == "numpy":
        return to_numpy_tree(sd)
    path = tmp_path / "opt.safetensors"
    save(sd, path)
    return load(path)


@pytest.mark.parametrize("how", ["deepcopy", "numpy", "file"])
@pytest.mark.parametrize("cfg", RESUME_CONFIGS, ids=lambda c: c[0])
def test_resume_is_bit_identical(cfg: tuple, how: str, tmp_path) -> None:
    name, kwargs = cfg
    data = batches()
    full_model = Model(npgrad, weights())
    full = train(full_model, getattr(optim, name)(full_model.params, **kwargs), data)

    first = Model(npgrad, weights())
    opt = getattr(optim, name)(first.params, **kwargs)
    train(first, opt, data[:25])
    sd = _roundtrip(opt.state_dict(), how, tmp_path)
    resumed = Model(npgrad, first.arrays())
    opt2 = getattr(optim, name)(resumed.params, **kwargs)
    opt2.load_state_dict(sd)
    second = train(resumed, opt2, data[25:])
    for a, b in zip(full[25:], second):
        for x, y in zip(a, b):
            assert np.array_equal(x, y)
    # the loaded state is a copy: stepping the original optimizer does not move the new one's state
    key = next(iter(opt2.state[resumed.params[0]]))
    before = np.array(opt2.state[resumed.params[0]][key].data, copy=True)
    train(first, opt, data[:3])
    assert np.array_equal(opt2.state[resumed.params[0]][key].data, before)


@pytest.mark.parametrize("cfg", RESUME_CONFIGS, ids=lambda c: c[0])
def test_state_dict_layout_matches_torch(cfg: tuple) -> None:
    name, kwargs = cfg
    data = batches(3)
    nm, no, tm, to = make_pair(name, kwargs)
    train(nm, no, data)
    train(tm, to, data)
    ours, theirs = no.state_dict(), to.state_dict()
    assert sorted(ours["state"]) == sorted(theirs["state"]) == [0, 1, 2, 3]
    for i in ours["state"]:
        assert set(ours["state"][i]) == set(theirs["state"][i]), i
        for key, value in ours["state"][i].items():
            ref = theirs["state"][i][key]
            assert isinstance(value, npgrad.Tensor) and value.shape == tuple(ref.shape)
            assert str(value.dtype).split(".")[1] == str(ref.dtype).split(".")[1], key
            np.testing.assert_allclose(value.data, ref.numpy(), rtol=1e-10, atol=1e-14)
    assert len(ours["param_groups"]) == len(theirs["param_groups"]) == 1
    for key, value in ours["param_groups"][0].items():
        assert theirs["param_groups"][0][key] == value, key


@pytest.mark.parametrize("cfg", RESUME_CONFIGS[:3] + RESUME_CONFIGS[7:], ids=lambda c: c[0])
def test_torch_checkpoint_continues_in_npgrad(cfg: tuple) -> None:
    """A torch optimizer's state_dict (tensors converted) loads into npgrad and training continues identically."""
    name, kwargs = cfg
    data = batches(30)
    tm = Model(torch, weights())
    to = getattr(torch.optim, name)(tm.params, **kwargs)
    train(tm, to, data[:15])
    nm = Model(npgrad, tm.arrays())
    no = getattr(optim, name)(nm.params, **kwargs)
    no.load_state_dict(torch_to_npgrad_tree(to.state_dict()))
    for a, b in zip(train(nm, no, data[15:]), train(tm, to, data[15:])):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def test_load_casts_state_to_param_dtype_but_not_step() -> None:
    p64 = npgrad.tensor(np.ones(3), dtype=npgrad.float64, requires_grad=True)
    opt = optim.Adam([p64], lr=0.1)
    p64.grad = npgrad.tensor(np.ones(3))
    opt.step()
    sd = opt.state_dict()
    p32 = npgrad.tensor(np.ones(3, np.float32), requires_grad=True)
    opt32 = optim.Adam([p32], lr=0.1)
    opt32.load_state_dict(sd)
    state = opt32.state[p32]
    assert state["exp_avg"].dtype == npgrad.float32 and state["exp_avg_sq"].dtype == npgrad.float32
    assert state["step"].dtype == sd["state"][0]["step"].dtype and float(state["step"]) == 1.0
    assert opt32.param_groups[0]["params"][0] is p32


def test_load_accepts_float_step_and_string_keys() -> None:
    """A JSON-style checkpoint (str keys, float step, list betas) is understood."""
    p = npgrad.tensor(np.zeros(2), requires_grad=True)
    opt = optim.Adam([p])
    sd = {"state": {"0": {"step": 4.0, "exp_avg": np.ones(2), "exp_avg_sq": np.ones(2)}},
          "param_groups": [{**{k: v for k, v in opt.param_groups[0].items() if k != "params"}, "betas": [0.9, 0.99],
                            "params": [0]}]}
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert isinstance(st["step"], npgrad.Tensor) and float(st["step"]) == 4.0
    assert opt.param_groups[0]["betas"] == (0.9, 0.99)
    p.grad = npgrad.tensor(np.ones(2))
    opt.step()
    assert float(st["step"]) == 5.0


def test_load_validates_groups_like_torch() -> None:
    a = npgrad.tensor(np.ones(2), requires_grad=True)
    b = npgrad.tensor(np.ones(2), requires_grad=True)
    sd = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="^loaded state dict has a different number of parameter groups$"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)
    # torch raises the same
    ta, tb = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        torch.optim.SGD([ta], lr=0.1).load_state_dict(torch.optim.SGD([ta, tb], lr=0.1).state_dict())


def test_state_dict_hooks() -> None:
    p = npgrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("load_pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("load_post"))
    sd = opt.state_dict()
    assert sd["extra"] == 1
    opt.load_state_dict(sd)
    assert seen == ["pre", "load_pre", "load_post"]
