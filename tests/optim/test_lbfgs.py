"""LBFGS against torch.optim.LBFGS: Rosenbrock and a quadratic over several parameter tensors, with and
without the strong-Wolfe line search; checkpoint round trip."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import npgrad
from npgrad import optim
from npgrad.serialization import load, save

from _optim_harness import Model, batches, torch_to_npgrad_tree, train, weights


def rosenbrock(x: np.ndarray) -> tuple[float, np.ndarray]:
    f = float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))
    g = np.zeros_like(x)
    g[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return f, g


class Problem:
    """f(flat params) with its gradient, written into ``.grad`` of each parameter by the closure."""

    def __init__(self, lib, x0s: list[np.ndarray], fn) -> None:
        self.lib, self.fn = lib, fn
        self.params = [lib.tensor(x.copy(), dtype=lib.float64, requires_grad=True) for x in x0s]
        self.calls = 0

    def flat(self) -> np.ndarray:
        return np.concatenate([p.detach().numpy().reshape(-1) for p in self.params])

    def closure(self):
        self.calls += 1
        f, g = self.fn(self.flat())
        offset = 0
        for p in self.params:
            n = p.numel()
            p.grad = self.lib.tensor(g[offset:offset + n].reshape(tuple(p.shape)))
            offset += n
        return self.lib.tensor(f)


def _run_both(x0s, fn, steps: int, **kwargs):
    ours, theirs = Problem(npgrad, x0s, fn), Problem(torch, x0s, fn)
    no, to = optim.LBFGS(ours.params, **kwargs), torch.optim.LBFGS(theirs.params, **kwargs)
    for _ in range(steps):
        loss_n = float(no.step(ours.closure))
        loss_t = float(to.step(theirs.closure))
        yield ours, theirs, no, to, loss_n, loss_t


ROSENBROCK_STARTS = [[-1.5, 2.0], [-1.2, 1.0, 0.5, -0.3, 1.2]]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("x0", ROSENBROCK_STARTS, ids=["2d", "5d"])
def test_rosenbrock_each_step_matches_torch(x0: list, line_search_fn) -> None:
    """Step for step: before every step npgrad takes torch's parameters and (converted) state dict, so
    round-off cannot pile up along Rosenbrock's ill-conditioned valley; each step must then agree."""
    lr = 1 if line_search_fn else 0.2
    kwargs = dict(lr=lr, max_iter=3, max_eval=8, history_size=4, line_search_fn=line_search_fn)
    ours, theirs = Problem(npgrad, [np.array(x0)], rosenbrock), Problem(torch, [np.array(x0)], rosenbrock)
    no, to = optim.LBFGS(ours.params, **kwargs), torch.optim.LBFGS(theirs.params, **kwargs)
    for _ in range(25):
        ours.params[0].data[...] = theirs.flat()
        no.load_state_dict(torch_to_npgrad_tree(to.state_dict()))
        loss_n, loss_t = float(no.step(ours.closure)), float(to.step(theirs.closure))
        assert loss_n == loss_t
        np.testing.assert_allclose(ours.flat(), theirs.flat(), rtol=1e-12, atol=1e-14)
        sn, st = no.state[ours.params[0]], to.state[theirs.params[0]]
        assert (sn["func_evals"], sn["n_iter"], len(sn["old_dirs"])) == (st["func_evals"], st["n_iter"], len(st["old_dirs"]))
        np.testing.assert_allclose(sn["d"].data, st["d"].numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("x0", ROSENBROCK_STARTS, ids=["2d", "5d"])
def test_rosenbrock_free_run_converges_like_torch(x0: list, line_search_fn) -> None:
    """Left to run on their own (100 iterations per step), both end at the same stationary point
    (the 5-d start leads to the local minimum near x_0 = -1) after the same number of evaluations."""
    lr = 1 if line_search_fn else 0.2
    ours, theirs = Problem(npgrad, [np.array(x0)], rosenbrock), Problem(torch, [np.array(x0)], rosenbrock)
    no = optim.LBFGS(ours.params, lr=lr, max_iter=100, line_search_fn=line_search_fn)
    to = torch.optim.LBFGS(theirs.params, lr=lr, max_iter=100, line_search_fn=line_search_fn)
    for _ in range(15):
        no.step(ours.closure)
        to.step(theirs.closure)
    assert np.linalg.norm(rosenbrock(ours.flat())[1]) < 1e-2
    np.testing.assert_allclose(ours.flat(), theirs.flat(), rtol=1e-9, atol=1e-10)
    assert ours.calls == theirs.calls


def _quadratic():
    rng = np.random.default_rng(4)
    m = rng.standard_normal((17, 17))
    a = m @ m.T / 17 + np.eye(17)
    b = rng.standard_normal(17)
    return lambda x: (float(0.5 * x @ a @ x - b @ x), a @ x - b)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("history_size,max_iter", [(3, 7), (100, 20)])
def test_quadratic_over_several_tensors(line_search_fn, history_size: int, max_iter: int) -> None:
    rng = np.random.default_rng(2)
    x0s = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    for ours, theirs, no, to, loss_n, loss_t in _run_both(
            x0s, _quadratic(), 4, lr=0.5, history_size=history_size, max_iter=max_iter,
            line_search_fn=line_search_fn, tolerance_change=1e-12, tolerance_grad=1e-10):
        np.testing.assert_allclose(ours.flat(), theirs.flat(), rtol=1e-10, atol=1e-12)
        assert loss_n == pytest.approx(loss_t, rel=1e-10, abs=1e-12)
        assert ours.calls == theirs.calls
        sn, st = no.state[ours.params[0]], to.state[theirs.params[0]]
        assert len(sn["old_dirs"]) == len(st["old_dirs"]) <= history_size
        np.testing.assert_allclose(sn["d"].data, st["d"].numpy(), rtol=1e-9, atol=1e-12)


def test_early_exit_when_gradient_is_small() -> None:
    p = npgrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.LBFGS([p], tolerance_grad=10.0)
    loss = opt.step(lambda: (setattr(p, "grad", npgrad.tensor(np.full(2, 0.5))), npgrad.tensor(3.0))[1])
    assert float(loss) == 3.0 and opt.state[p]["n_iter"] == 0 and opt.state[p]["func_evals"] == 1
    assert np.array_equal(p.data, np.ones(2))


def test_parameter_without_grad_counts_as_zero() -> None:
    used = npgrad.tensor(np.array([3.0]), requires_grad=True)
    unused = npgrad.tensor(np.array([7.0, 7.0]), requires_grad=True)
    opt = optim.LBFGS([used, unused], lr=0.5, max_iter=5)

    def closure():
        used.grad = npgrad.tensor(2 * used.data)
        return npgrad.tensor(float(used.data[0] ** 2))

    opt.step(closure)
    assert np.array_equal(unused.data, [7.0, 7.0]) and abs(used.data[0]) < 3.0


def test_mlp_with_autograd_closure_matches_torch() -> None:
    data = batches(4)
    nm, tm = Model(npgrad, weights()), Model(torch, weights())
    no = optim.LBFGS(nm.params, lr=0.5, max_iter=5, history_size=4, line_search_fn="strong_wolfe")
    to = torch.optim.LBFGS(tm.params, lr=0.5, max_iter=5, history_size=4, line_search_fn="strong_wolfe")
    for a, b in zip(train(nm, no, data, closure=True), train(tm, to, data, closure=True)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-11)


def test_checkpoint_round_trip_is_bit_identical(tmp_path) -> None:
    fn = _quadratic()
    x0s = [np.linspace(-1, 1, 17)]
    full = Problem(npgrad, x0s, fn)
    opt = optim.LBFGS(full.params, lr=0.5, history_size=3, max_iter=4)
    for _ in range(4):
        opt.step(full.closure)

    part = Problem(npgrad, x0s, fn)
    opt1 = optim.LBFGS(part.params, lr=0.5, history_size=3, max_iter=4)
    for _ in range(2):
        opt1.step(part.closure)
    save(opt1.state_dict(), tmp_path / "lbfgs.safetensors")
    resumed = Problem(npgrad, [part.flat()], fn)
    opt2 = optim.LBFGS(resumed.params, lr=0.5, history_size=3, max_iter=4)
    opt2.load_state_dict(load(tmp_path / "lbfgs.safetensors"))
    for _ in range(2):
        opt2.step(resumed.closure)
    assert np.array_equal(resumed.flat(), full.flat())


def test_unknown_line_search_raises_like_torch() -> None:
    p = npgrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.LBFGS([p], line_search_fn="armijo")

    def closure():
        p.grad = npgrad.tensor(p.data.copy())
        return npgrad.tensor(1.0)

    with pytest.raises(RuntimeError, match="^only 'strong_wolfe' is supported$"):
        opt.step(closure)
