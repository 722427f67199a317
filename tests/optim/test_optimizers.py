"""Every optimizer and option combination against torch.optim: the same float64 MLP, 50 steps on the
same mini-batches, parameters compared after every step."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import npgrad
from npgrad import optim
from npgrad.optim import _foreach

from _optim_harness import batches, make_pair, train, weights

CONFIGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, weight_decay=0.1)),
    ("SGD", dict(lr=1e-3, momentum=0.5, weight_decay=0.1, nesterov=True, maximize=True)),
    ("SGD", dict(lr=1e-3, maximize=True)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.95), eps=1e-6)),
    ("Adam", dict(lr=1e-2, weight_decay=0.1)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("Adam", dict(lr=1e-2, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("Adam", dict(lr=1e-2, decoupled_weight_decay=True, weight_decay=0.1)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, betas=(0.5, 0.9), maximize=True)),
    ("RMSprop", dict(lr=1e-2)),
    ("RMSprop", dict(lr=1e-2, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=1e-2, weight_decay=0.1)),
    ("RMSprop", dict(lr=1e-2, momentum=0.9)),
    ("RMSprop", dict(lr=1e-2, centered=True)),
    ("RMSprop", dict(lr=1e-3, centered=True, momentum=0.5, weight_decay=0.01, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, eps=1e-4, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4)),
    ("Adadelta", dict(weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=1e-2)),
    ("Adamax", dict(lr=1e-2, betas=(0.7, 0.9), eps=1e-4)),
    ("Adamax", dict(lr=1e-2, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=1e-2)),
    ("NAdam", dict(lr=1e-2, momentum_decay=0.01)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.1)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=1e-2)),
    ("RAdam", dict(lr=1e-2, betas=(0.9, 0.9))),
    ("RAdam", dict(lr=1e-2, weight_decay=0.1)),
    ("RAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


@pytest.fixture
def threads():
    """Three threads for the fused path (whatever this machine's core count), restored afterwards."""
    before = _foreach.get_num_threads()
    _foreach.set_num_threads(3)
    yield 3
    _foreach.set_num_threads(before)


def _ids(cfg: tuple) -> str:
    return cfg[0] + "-" + "-".join(f"{k}={v}" for k, v in cfg[1].items())


def _assert_same_history(ours: list, theirs: list) -> None:
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=f"step {step + 1}, param {i}")


@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids)
def test_matches_torch_every_step(cfg: tuple) -> None:
    name, kwargs = cfg
    data = batches()
    nm, no, tm, to = make_pair(name, kwargs)
    _assert_same_history(train(nm, no, data), train(tm, to, data))


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_and_missing_grads(name: str) -> None:
    """Two groups with their own lr; a parameter that never gets a gradient is skipped (no state)."""
    kw = dict(momentum=0.9) if name in ("SGD", "RMSprop") else {}
    extra = np.ones((2, 2))

    def groups(params: list) -> list:
        unused = type(params[0])(extra.copy()) if isinstance(params[0], torch.Tensor) else npgrad.tensor(extra.copy())
        unused.requires_grad_(True)
        return [{"params": params[:2], "lr": 0.03}, {"params": params[2:] + [unused]}]

    data = batches(20)
    nm, no, tm, to = make_pair(name, dict(lr=0.01, **kw), groups=groups)
    _assert_same_history(train(nm, no, data), train(tm, to, data))
    unused_np = no.param_groups[1]["params"][-1]
    assert unused_np.grad is None and np.array_equal(unused_np.data, extra)
    # Adagrad creates its state at construction (like torch); the others never touch the unused parameter
    assert float(no.state[unused_np]["step"]) == 0 if name == "Adagrad" else unused_np not in no.state
    assert no.param_groups[0]["lr"] == 0.03 and no.param_groups[1]["lr"] == 0.01


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adagrad"])
def test_step_returns_closure_loss(name: str) -> None:
    data = batches(5)
    nm, no, tm, to = make_pair(name, dict(lr=0.01))
    hist_n, hist_t = train(nm, no, data, closure=True), train(tm, to, data, closure=True)
    _assert_same_history(hist_n, hist_t)
    x, y = data[0]
    loss = no.step(lambda: nm.loss_and_backward(x, y))
    assert isinstance(loss, float) and loss > 0
    assert no.step() is None


def test_lr_as_tensor_and_float32() -> None:
    """A 1-element tensor lr works; float32 parameters stay float32 and track torch to float32 precision."""
    ws = [w.astype(np.float32) for w in weights()]
    pn = [npgrad.tensor(w.copy(), requires_grad=True) for w in ws]
    pt = [torch.tensor(w.copy(), requires_grad=True) for w in ws]
    no = optim.Adam(pn, lr=npgrad.tensor(0.01))
    to = torch.optim.Adam(pt, lr=torch.tensor(0.01))
    rng = np.random.default_rng(3)
    for _ in range(20):
        for a, b in zip(pn, pt):
            g = rng.standard_normal(a.shape).astype(np.float32)
            a.grad, b.grad = npgrad.tensor(g), torch.tensor(g)
        no.step()
        to.step()
    for a, b in zip(pn, pt):
        assert a.dtype == npgrad.float32 and no.state[a]["exp_avg"].dtype == npgrad.float32
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert no.state[pn[0]]["step"].dtype == npgrad.float32 and float(no.state[pn[0]]["step"]) == 20.0


@pytest.mark.parametrize("cfg", [c for c in CONFIGS if c[1].get("maximize") or c[0] in ("NAdam", "Adagrad")], ids=_ids)
def test_fused_blocked_threaded_path_is_bit_identical_to_per_param_loop(cfg: tuple, monkeypatch, threads) -> None:
    """foreach=None (blocks of CHUNK elements, pulled by 3 threads) gives exactly the foreach=False results."""
    monkeypatch.setattr(_foreach, "CHUNK", 64)
    monkeypatch.setattr(_foreach, "THREAD_MIN", 0)
    name, kwargs = cfg
    shapes = [(40, 30), (30,), (7, 40), (50, 1, 3)]
    ws = weights(5, shapes)
    rng = np.random.default_rng(9)
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(8)]
    results = []
    for foreach in (False, None, True):
        params = [npgrad.tensor(w.copy(), requires_grad=True) for w in ws]
        opt = getattr(optim, name)(params, foreach=foreach, **kwargs)
        for gs in grads:
            for p, g in zip(params, gs):
                p.grad = npgrad.tensor(g)
            opt.step()
        results.append([p.data.copy() for p in params])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert np.array_equal(a, b)


def test_non_contiguous_param_and_zero_grad() -> None:
    """A transposed (non-contiguous) parameter is updated in place; zero_grad(False) zeros, default sets None."""
    base = np.arange(12.0).reshape(3, 4)
    p = npgrad.tensor(base.copy().T, requires_grad=True)  # F-ordered data
    p.data = np.asfortranarray(p.data)
    t = torch.tensor(base.copy().T, requires_grad=True)
    no, to = optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([t], lr=0.1, momentum=0.9)
    for _ in range(3):
        g = np.linspace(-1, 1, 12).reshape(4, 3)
        p.grad, t.grad = npgrad.tensor(g.copy()), torch.tensor(g.copy())
        no.step()
        to.step()
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12)
    no.zero_grad(set_to_none=False)
    assert p.grad is not None and not p.grad.data.any()
    no.zero_grad()
    assert p.grad is None


def test_step_hooks_and_repr() -> None:
    p = npgrad.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", float(p.data[0]))))
    p.grad = npgrad.tensor(np.ones(3))
    opt.step()
    assert calls == [("pre", True), ("post", 0.5)]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.5\n" in text


def test_version_counter_bumped() -> None:
    """The in-place update bumps the parameter's version like torch's in-place ops."""
    p = npgrad.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([p])
    v = p._version
    p.grad = npgrad.tensor(np.ones(3))
    opt.step()
    assert p._version == v + 1


def test_add_param_group_and_named_params() -> None:
    a = npgrad.tensor(np.ones(2), requires_grad=True)
    b = npgrad.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([("a", a)], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": [("b", b)], "lr": 0.2})
    assert opt.param_groups[0]["param_names"] == ["a"] and opt.param_groups[1]["param_names"] == ["b"]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.2
    sd = opt.state_dict()
    assert sd["param_groups"][1]["params"] == [1] and sd["param_groups"][1]["param_names"] == ["b"]
    c = npgrad.tensor(np.ones(1), requires_grad=True)
    with pytest.raises(ValueError, match="cannot add param group without names to the optimizer"):
        opt.add_param_group({"params": c})
    plain = optim.SGD([a], lr=0.1)
    plain.add_param_group({"params": c})  # a lone tensor is wrapped in a list
    assert plain.param_groups[1]["params"][0] is c and len(plain.param_groups[1]["params"]) == 1


def test_worker_thread_errors_propagate(monkeypatch, threads) -> None:
    monkeypatch.setattr(_foreach, "CHUNK", 4)
    monkeypatch.setattr(_foreach, "THREAD_MIN", 0)
    seen = []

    def kernel(arrays, scratch, consts):
        seen.append(arrays[0].size)
        if len(seen) == 5:
            raise FloatingPointError("boom")

    with pytest.raises(FloatingPointError, match="boom"):
        _foreach.run_kernel(kernel, 1, [((np.zeros(40),), ())])
    assert _foreach.get_num_threads() == 3
    with pytest.raises(ValueError, match="positive"):
        _foreach.set_num_threads(0)
