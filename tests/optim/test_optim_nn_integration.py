"""A real training loop beside torch: nn.Sequential + MSELoss + clip_grad_norm_ + optimizer + scheduler,
named parameters, and a mid-run checkpoint of model, optimizer and scheduler."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import npgrad
from npgrad.serialization import load, save


def _model(lib, seed: int = 0):
    nn = lib.nn
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3)).double()
    rng = np.random.default_rng(seed)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)) * 0.4))
    return model


def _setup(lib, name: str, model):
    opt = getattr(lib.optim, name)(model.named_parameters(), lr=0.02)
    sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=40)
    return opt, sched


def _train(lib, model, opt, sched, data) -> list:
    out = []
    for x, y in data:
        opt.zero_grad()
        loss = lib.nn.MSELoss()(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
        opt.step()
        sched.step()
        out.append([p.detach().numpy().copy() for p in model.parameters()])
    return out


@pytest.mark.parametrize("name", ["SGD", "AdamW", "NAdam"])
def test_training_loop_matches_torch_and_resumes(name: str, tmp_path) -> None:
    rng = np.random.default_rng(1)
    data = [(rng.standard_normal((8, 6)), rng.standard_normal((8, 3))) for _ in range(30)]
    tm = _model(torch)
    theirs = _train(torch, tm, *_setup(torch, name, tm), data)

    nm = _model(npgrad)
    opt, sched = _setup(npgrad, name, nm)
    ours = _train(npgrad, nm, opt, sched, data[:15])
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    save({"model": nm.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ck.safetensors")

    ck = load(tmp_path / "ck.safetensors")
    nm2 = _model(npgrad, seed=7)
    nm2.load_state_dict(ck["model"])
    opt2, sched2 = _setup(npgrad, name, nm2)
    sched2.load_state_dict(ck["sched"])
    opt2.load_state_dict(ck["optim"])
    ours += _train(npgrad, nm2, opt2, sched2, data[15:])
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=f"step {step + 1}")
