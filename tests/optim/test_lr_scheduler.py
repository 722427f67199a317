"""Every learning-rate scheduler against torch.optim.lr_scheduler: the lr (and cycled momentum/beta1)
over 100 epochs, two param groups, equal to rtol 1e-12; a state_dict round trip at epoch 50 continues
the same sequence."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import npgrad
from npgrad.optim import lr_scheduler as ours_mod

EPOCHS = 100


def _opt(lib, kind: str = "SGD"):
    a = lib.zeros(3, requires_grad=True)
    b = lib.zeros(2, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _metric(epoch: int) -> float:
    return 1.0 / (1 + 0.1 * epoch) + 0.02 * math.sin(epoch) + (0.3 if 40 <= epoch < 45 else 0.0)


def _fractional(sched, epoch: int) -> None:
    for i in range(4):
        sched.step(epoch + i / 4)


CASES = {
    "StepLR": (lambda m, o: m.StepLR(o, step_size=7, gamma=0.5), "SGD", None),
    "MultiStepLR": (lambda m, o: m.MultiStepLR(o, milestones=[10, 25, 25, 60], gamma=0.3), "SGD", None),
    "ExponentialLR": (lambda m, o: m.ExponentialLR(o, gamma=0.97), "SGD", None),
    "CosineAnnealingLR-periodic": (lambda m, o: m.CosineAnnealingLR(o, T_max=30, eta_min=1e-3), "SGD", None),
    "CosineAnnealingLR": (lambda m, o: m.CosineAnnealingLR(o, T_max=EPOCHS), "SGD", None),
    "WarmRestarts": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4), "SGD", None),
    "WarmRestarts-Tmult1": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7), "SGD", None),
    "WarmRestarts-fractional": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01), "SGD",
                                _fractional),
    "LinearLR": (lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=20), "SGD", None),
    "ConstantLR": (lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=12), "SGD", None),
    "LambdaLR": (lambda m, o: m.LambdaLR(o, lr_lambda=lambda e: 0.95**e), "SGD", None),
    "LambdaLR-per-group": (lambda m, o: m.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.9 ** (e // 5)]), "SGD", None),
    "MultiplicativeLR": (lambda m, o: m.MultiplicativeLR(o, lambda e: 0.98 if e % 2 else 0.99), "SGD", None),
    "PolynomialLR": (lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.0), "SGD", None),
    "OneCycleLR-cos": (lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.3], total_steps=EPOCHS + 1), "SGD", None),
    "OneCycleLR-linear-3phase-adam": (lambda m, o: m.OneCycleLR(
        o, max_lr=0.4, epochs=10, steps_per_epoch=11, anneal_strategy="linear", three_phase=True,
        pct_start=0.25, div_factor=10.0, final_div_factor=100.0), "Adam", None),
    "OneCycleLR-no-momentum": (lambda m, o: m.OneCycleLR(o, max_lr=0.2, total_steps=120, cycle_momentum=False),
                               "SGD", None),
    "CyclicLR-triangular": (lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7), "SGD", None),
    "CyclicLR-triangular2": (lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=5,
                                                    step_size_down=13, mode="triangular2"), "SGD", None),
    "CyclicLR-exp_range-adam": (lambda m, o: m.CyclicLR(o, base_lr=0.001, max_lr=0.05, step_size_up=6,
                                                       mode="exp_range", gamma=0.97, base_momentum=0.8,
                                                       max_momentum=0.95), "Adam", None),
    "CyclicLR-scale_fn": (lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 0.5**x,
                                                 scale_mode="iterations", cycle_momentum=False), "SGD", None),
    "SequentialLR": (lambda m, o: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.1, total_iters=10),
                                                    m.CosineAnnealingLR(o, T_max=50)], milestones=[10]), "SGD", None),
    "SequentialLR-3": (lambda m, o: m.SequentialLR(o, [m.ConstantLR(o, factor=0.3, total_iters=4),
                                                      m.ExponentialLR(o, gamma=0.9),
                                                      m.StepLR(o, step_size=9, gamma=0.7)], milestones=[15, 40]),
                       "SGD", None),
    "ChainedScheduler": (lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.5, total_iters=5),
                                                         m.ExponentialLR(o, gamma=0.95)]), "SGD", None),
    "ChainedScheduler-cosine": (lambda m, o: m.ChainedScheduler([m.LinearLR(o, 0.2, total_iters=8),
                                                                m.CosineAnnealingLR(o, T_max=25)], o), "SGD", None),
    "Plateau-min-rel": (lambda m, o: m.ReduceLROnPlateau(o, patience=3), "SGD", "metric"),
    "Plateau-max-abs": (lambda m, o: m.ReduceLROnPlateau(o, mode="max", factor=0.5, patience=2, threshold=0.01,
                                                        threshold_mode="abs", cooldown=2, min_lr=[0.01, 0.02]),
                        "SGD", "metric"),
    "Plateau-min-abs-eps": (lambda m, o: m.ReduceLROnPlateau(o, factor=0.7, patience=1, threshold=0.001,
                                                            threshold_mode="abs", min_lr=0.03, eps=1e-3), "SGD",
                            "metric"),
}


def _record(opt, sched) -> list:
    row = [float(x) for x in sched.get_last_lr()]
    for g in opt.param_groups:
        row.append(float(g["lr"]))
        row.append(float(g["betas"][0]) if "betas" in g else float(g["momentum"]))
    return row


def _advance(sched, stepper, epoch: int) -> None:
    if stepper is None:
        sched.step()
    elif stepper == "metric":
        sched.step(_metric(epoch))
    else:
        stepper(sched, epoch)


def _run(module, lib, case: str, start: int = 0, stop: int = EPOCHS, state=None):
    build, kind, stepper = CASES[case]
    opt = _opt(lib, kind)
    sched = build(module, opt)
    if state is not None:
        sched.load_state_dict(state[0])
        opt.load_state_dict(state[1])
    rows = [_record(opt, sched)] if state is None else []
    for epoch in range(start, stop):
        opt.step()
        _advance(sched, stepper, epoch)
        rows.append(_record(opt, sched))
    return rows, opt, sched


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.mark.parametrize("case", list(CASES))
def test_lr_sequence_matches_torch(case: str) -> None:
    ours, _, _ = _run(ours_mod, npgrad, case)
    theirs, _, _ = _run(torch.optim.lr_scheduler, torch, case)
    np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-12, atol=0)


@pytest.mark.parametrize("how", ["deepcopy", "file"])
@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_round_trip_midway(case: str, how: str, tmp_path) -> None:
    full, _, _ = _run(ours_mod, npgrad, case)
    theirs, _, _ = _run(torch.optim.lr_scheduler, torch, case)
    first, opt, sched = _run(ours_mod, npgrad, case, stop=EPOCHS // 2)
    state = (sched.state_dict(), opt.state_dict())
    if how == "deepcopy":
        state = copy.deepcopy(state)
    else:
        from npgrad.serialization import load, save

        save({"sched": state[0], "opt": state[1]}, tmp_path / "s.safetensors")
        loaded = load(tmp_path / "s.safetensors")
        state = (loaded["sched"], loaded["opt"])
    second, _, _ = _run(ours_mod, npgrad, case, start=EPOCHS // 2, state=state)
    assert first + second == full
    np.testing.assert_allclose(np.array(first + second), np.array(theirs), rtol=1e-12, atol=0)


CLOSED_FORM = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[10, 25, 25, 60], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=30, eta_min=1e-3),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=20),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=12),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.0),
}


@pytest.mark.parametrize("case", list(CLOSED_FORM))
def test_step_with_epoch_uses_closed_form(case: str) -> None:
    epochs = [3, 17, 5, 60, 61, 29, 30, 99]
    results = []
    for module, lib in ((ours_mod, npgrad), (torch.optim.lr_scheduler, torch)):
        opt = _opt(lib)
        sched = CLOSED_FORM[case](module, opt)
        row = []
        for e in epochs:
            opt.step()
            sched.step(e)
            row.append([float(x) for x in sched.get_last_lr()])
        results.append(row)
    np.testing.assert_allclose(np.array(results[0]), np.array(results[1]), rtol=1e-12, atol=0)


def test_warnings_like_torch() -> None:
    for module, lib in ((ours_mod, npgrad), (torch.optim.lr_scheduler, torch)):
        opt = _opt(lib)
        sched = module.StepLR(opt, step_size=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step()
            sched.get_lr()
            sched.step(5)
        messages = [str(w.message) for w in caught]
        assert any("before `optimizer.step()`" in m for m in messages), lib
        assert any("please use `get_last_lr()`" in m for m in messages), lib
        assert any("epoch parameter in `scheduler.step()`" in m for m in messages), lib


def test_initial_lr_base_lrs_and_last_epoch() -> None:
    opt = _opt(npgrad)
    sched = ours_mod.ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05] == sched.base_lrs
    assert sched.last_epoch == 0 and sched.get_last_lr() == [0.1, 0.05]
    opt.step()
    sched.step()
    assert sched.last_epoch == 1 and sched.get_last_lr() == [0.05, 0.025]
    # resuming with last_epoch needs initial_lr in the groups
    with pytest.raises(KeyError, match="initial_lr"):
        ours_mod.StepLR(_opt(npgrad), step_size=3, last_epoch=4)
    resumed = ours_mod.ExponentialLR(opt, gamma=0.5, last_epoch=1)
    assert resumed.last_epoch == 2


def _overrun(sched) -> None:
    for _ in range(3):
        sched.step()


def _bad(module, lib, what: str):
    opt = _opt(lib)
    return {
        "not-optimizer": lambda: module.StepLR(object(), step_size=2),
        "constant-factor": lambda: module.ConstantLR(opt, factor=1.5),
        "linear-start": lambda: module.LinearLR(opt, start_factor=0.0),
        "linear-end": lambda: module.LinearLR(opt, end_factor=1.5),
        "warm-T0": lambda: module.CosineAnnealingWarmRestarts(opt, T_0=0),
        "warm-Tmult": lambda: module.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=0),
        "warm-neg-epoch": lambda: module.CosineAnnealingWarmRestarts(opt, T_0=3).step(-1),
        "onecycle-no-steps": lambda: module.OneCycleLR(opt, max_lr=0.1),
        "onecycle-pct": lambda: module.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=1.5),
        "onecycle-anneal": lambda: module.OneCycleLR(opt, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
        "onecycle-max_lr-len": lambda: module.OneCycleLR(opt, max_lr=[0.1], total_steps=10),
        "onecycle-overrun": lambda: _overrun(module.OneCycleLR(opt, max_lr=0.1, total_steps=2)),
        "cyclic-mode": lambda: module.CyclicLR(opt, 0.01, 0.1, mode="sawtooth"),
        "plateau-factor": lambda: module.ReduceLROnPlateau(opt, factor=1.0),
        "plateau-mode": lambda: module.ReduceLROnPlateau(opt, mode="median"),
        "plateau-min_lr": lambda: module.ReduceLROnPlateau(opt, min_lr=[0.1]),
        "sequential-milestones": lambda: module.SequentialLR(
            opt, [module.StepLR(opt, 2), module.StepLR(opt, 3)], milestones=[]),
        "sequential-empty": lambda: module.SequentialLR(opt, [], milestones=[]),
        "chained-plateau": lambda: module.ChainedScheduler([module.ReduceLROnPlateau(opt)]),
        "lambda-count": lambda: module.LambdaLR(opt, [lambda e: 1.0]),
        "multiplicative-callable": lambda: module.MultiplicativeLR(opt, 0.5),
    }[what]


BAD = ["not-optimizer", "constant-factor", "linear-start", "linear-end", "warm-T0", "warm-Tmult", "warm-neg-epoch",
       "onecycle-no-steps", "onecycle-pct", "onecycle-anneal", "onecycle-max_lr-len", "onecycle-overrun",
       "cyclic-mode", "plateau-factor", "plateau-mode", "plateau-min_lr", "sequential-milestones",
       "sequential-empty", "chained-plateau", "lambda-count", "multiplicative-callable"]


@pytest.mark.parametrize("what", BAD)
def test_bad_arguments_raise_like_torch(what: str) -> None:
    with pytest.raises(Exception) as theirs:
        _bad(torch.optim.lr_scheduler, torch, what)()
    with pytest.raises(type(theirs.value)) as ours:
        _bad(ours_mod, npgrad, what)()
    assert str(ours.value).replace("npgrad", "torch") == str(theirs.value).replace("npgrad", "torch")
