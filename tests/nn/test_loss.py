"""Losses (functional and module forms) vs torch: values, input/target grads, options, errors, stability."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F

RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]


def _pair(a, grad):
    a = np.asarray(a)
    req = grad and a.dtype.kind == "f"
    return torch.tensor(a.copy(), requires_grad=req), npgrad.tensor(a.copy(), requires_grad=req)


def compare(n_fn, t_fn, arrays, grads=None, rtol=1e-10, atol=1e-12, double=False, **kw):
    """Run both losses on the same arrays; compare value and the grads of every grad-requiring input.

    ``grads``: indices of arrays that require grad (default: all floating ones). ``double`` also
    compares d/dx of sum(v * dL/dx) (double backward).
    """
    grads = range(len(arrays)) if grads is None else grads
    pairs = [_pair(a, i in grads) for i, a in enumerate(arrays)]
    t_in, n_in = [p[0] for p in pairs], [p[1] for p in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out = t_fn(*t_in, **kw)
        n_out = n_fn(*n_in, **{k: (npgrad.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v) for k, v in kw.items()})
    assert tuple(n_out.shape) == tuple(t_out.shape)
    assert n_out.dtype == getattr(npgrad, str(t_out.dtype).split(".")[1])
    np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    if not t_out.requires_grad:
        return
    g = RNG.standard_normal(tuple(t_out.shape)).astype(t_out.detach().numpy().dtype)
    req = [i for i, t in enumerate(t_in) if t.requires_grad]
    t_g = torch.autograd.grad(t_out, [t_in[i] for i in req], torch.tensor(g), create_graph=double)
    n_g = npgrad.autograd.grad(n_out, [n_in[i] for i in req], npgrad.tensor(g), create_graph=double)
    for i, tg, ng in zip(req, t_g, n_g):
        np.testing.assert_allclose(ng.detach().numpy(), tg.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"grad {i}")
    if double and not n_g[0].requires_grad:  # gradient independent of the input (e.g. NLL)
        v = torch.tensor(RNG.standard_normal(tuple(t_g[0].shape)))
        t_gg = torch.autograd.grad((t_g[0] * v).sum(), t_in[req[0]], allow_unused=True)[0]
        assert t_gg is None or not np.any(t_gg.numpy(force=True))
    elif double:
        v = RNG.standard_normal(tuple(t_g[0].shape))
        t_gg = torch.autograd.grad((t_g[0] * torch.tensor(v)).sum(), t_in[req[0]], allow_unused=True)[0]
        n_gg = npgrad.autograd.grad((n_g[0] * npgrad.tensor(v)).sum(), n_in[req[0]], allow_unused=True)[0]
        if t_gg is None:
            assert n_gg is None or not np.any(n_gg.numpy())
        else:
            np.testing.assert_allclose(n_gg.numpy(), t_gg.numpy(force=True), rtol=rtol, atol=atol, err_msg="double backward")


def rn(*shape):
    return RNG.standard_normal(shape)


# ----------------------------------------------------------------------------- regression
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
                                     ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7})])
def test_regression_losses(name, kw, reduction):
    compare(getattr(F, name), getattr(TF, name), [rn(4, 3), rn(4, 3)], reduction=reduction, double=True, **kw)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_weight(name, reduction):
    compare(getattr(F, name), getattr(TF, name), [rn(4, 3), rn(4, 3)], reduction=reduction,
            weight=torch.tensor(RNG.random((4, 3))))


def test_mse_broadcast_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(npgrad.randn(3, 1), npgrad.randn(3))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=3), st.sampled_from(REDUCTIONS))
def test_mse_hypothesis_shapes(shape, reduction):
    compare(F.mse_loss, TF.mse_loss, [rn(*shape), rn(*shape)], reduction=reduction)


# ----------------------------------------------------------------------------- cross entropy / nll
def _targets(n, c, ignore=True):
    t = RNG.integers(0, c, n)
    if ignore and n > 2:
        t[1] = -100
    return t


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_indices(reduction, smoothing, weighted):
    w = torch.tensor(RNG.random(5) + 0.1) if weighted else None
    compare(F.cross_entropy, TF.cross_entropy, [rn(6, 5), _targets(6, 5)], reduction=reduction,
            label_smoothing=smoothing, weight=w, double=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_kdim_and_ignore_index(reduction):
    t = RNG.integers(0, 4, (2, 3, 5))
    t[0, 1, 2] = 2
    compare(F.cross_entropy, TF.cross_entropy, [rn(2, 4, 3, 5), t], reduction=reduction, ignore_index=2,
            weight=torch.tensor(RNG.random(4)), label_smoothing=0.1)


def test_cross_entropy_unbatched():
    compare(F.cross_entropy, TF.cross_entropy, [rn(7), np.array(3)])
    compare(F.cross_entropy, TF.cross_entropy, [rn(7), rn(7)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probabilities(reduction, smoothing):
    p = RNG.random((4, 5, 3))
    p /= p.sum(1, keepdims=True)
    compare(F.cross_entropy, TF.cross_entropy, [rn(4, 5, 3), p], reduction=reduction, label_smoothing=smoothing,
            weight=torch.tensor(RNG.random(5)), double=True)


def test_cross_entropy_all_ignored_is_nan_like_torch():
    compare(F.cross_entropy, TF.cross_entropy, [rn(3, 4), np.full(3, -100)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_extreme_logits_are_finite(dtype):
    x = (RNG.choice([-1e4, 1e4], (8, 6)) + rn(8, 6)).astype(dtype)
    t = RNG.integers(0, 6, 8)
    rtol, atol = (1e-5, 1e-4) if dtype == np.float32 else (1e-10, 1e-9)
    compare(F.cross_entropy, TF.cross_entropy, [x, t], rtol=rtol, atol=atol, label_smoothing=0.1)
    out = F.cross_entropy(npgrad.tensor(x, requires_grad=True), npgrad.tensor(t))
    out.backward()
    assert np.isfinite(out.item())


def test_cross_entropy_float32_stays_float32():
    x = npgrad.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, npgrad.tensor([0, 1, 2, 0]), weight=npgrad.tensor([1.0, 2.0, 3.0]).double())
    loss.backward()
    assert loss.dtype == npgrad.float32 and x.grad.dtype == npgrad.float32


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    x = torch.log_softmax(torch.tensor(rn(6, 5)), 1).numpy()
    compare(F.nll_loss, TF.nll_loss, [x, _targets(6, 5)], reduction=reduction,
            weight=torch.tensor(RNG.random(5)), double=True)
    compare(F.nll_loss, TF.nll_loss, [rn(2, 5, 4), RNG.integers(0, 5, (2, 4))], reduction=reduction)


def test_class_loss_errors_match_torch():
    x = npgrad.randn(4, 10)
    with pytest.raises(IndexError, match=r"^Target 10 is out of bounds\.$"):
        F.cross_entropy(x, npgrad.tensor([1, 2, 3, 10]))
    with pytest.raises(IndexError, match="Target -5 is out of bounds."):
        F.nll_loss(x, npgrad.tensor([1, 2, 3, -5]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(3\)\."):
        F.cross_entropy(x, npgrad.tensor([1, 2, 3]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.cross_entropy(x, npgrad.tensor([1.0, 2, 3, 4]))
    with pytest.raises(RuntimeError, match="Expected floating point type for target with class probabilities, got Long"):
        F.cross_entropy(npgrad.randn(10), npgrad.tensor([1] * 10))
    with pytest.raises(RuntimeError, match=r"Expected target size \[4, 3\], got \[4\]"):
        F.cross_entropy(npgrad.randn(4, 10, 3), npgrad.tensor([1, 2, 3, 4]))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 10 classes"):
        F.nll_loss(x, npgrad.tensor([1, 2, 3, 4]), weight=npgrad.ones(5))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.cross_entropy(x, npgrad.tensor([1, 2, 3, 4]), reduction="foo")
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0. Got: 1.5"):
        F.cross_entropy(x, npgrad.tensor([1, 2, 3, 4]), label_smoothing=1.5)


# ----------------------------------------------------------------------------- binary cross entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    x = RNG.random((5, 3)) * 0.98 + 0.01
    x[0, 0], x[0, 1] = 0.0, 1.0  # log clamped at -100
    t = RNG.random((5, 3))
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, [x, t], reduction=reduction, grads=[0, 1])
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, [x[1:], t[1:]], reduction=reduction, grads=[0],
            weight=torch.tensor(RNG.random(3)), double=True, rtol=1e-8)  # 2nd derivative ~ 1/(x(1-x))^2


def test_binary_cross_entropy_errors():
    with pytest.raises(ValueError) as err:
        F.binary_cross_entropy(npgrad.rand(3, 1), npgrad.rand(3))
    with pytest.raises(ValueError) as t_err:
        TF.binary_cross_entropy(torch.rand(3, 1), torch.rand(3))
    assert str(err.value) == str(t_err.value).replace("torch", "npgrad")
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(npgrad.tensor([1.5]), npgrad.tensor([1.0]))
    with pytest.raises(ValueError, match=r"Target size \(npgrad.Size\(\[3\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(npgrad.rand(3, 1), npgrad.rand(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits(reduction, pos_weight):
    x = rn(5, 3) * 3
    x[0] = [1e4, -1e4, 0.0]
    t = RNG.random((5, 3))
    kw = {"pos_weight": torch.tensor(RNG.random(3) * 2)} if pos_weight else {}
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, [x, t], reduction=reduction,
            weight=torch.tensor(RNG.random((5, 3))), double=True, **kw)


def test_bce_with_logits_extreme_float32():
    x = np.array([[1e4, -1e4], [-1e4, 1e4]], np.float32)
    t = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, [x, t], rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- distribution losses
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = torch.log_softmax(torch.tensor(rn(4, 5)), 1).numpy()
    t = RNG.random((4, 5)) + 0.01
    t = np.log(t) if log_target else t
    compare(F.kl_div, TF.kl_div, [x, t], reduction=reduction, log_target=log_target, double=True)
    t[0, 0] = 0.0  # 0 log 0 = 0 (the target gradient is undefined there: only the input's is compared)
    compare(F.kl_div, TF.kl_div, [x, t], grads=[0], reduction=reduction, log_target=log_target)


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_nll(log_input, full, reduction):
    x = rn(4, 3) if log_input else RNG.random((4, 3)) + 0.1
    t = RNG.integers(0, 5, (4, 3)).astype(np.float64)
    compare(F.poisson_nll_loss, TF.poisson_nll_loss, [x, t], grads=[0], log_input=log_input, full=full,
            reduction=reduction)


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll(var_shape, full, reduction):
    var = RNG.random(var_shape)
    var.flat[0] = 1e-9  # clamped to eps, gradient passes through
    compare(F.gaussian_nll_loss, TF.gaussian_nll_loss, [rn(4, 3), rn(4, 3), var], full=full, reduction=reduction)


def test_gaussian_nll_errors():
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(npgrad.randn(4, 3), npgrad.randn(4, 3), npgrad.ones(2))
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(npgrad.randn(4, 3), npgrad.randn(4, 3), -1.0)


# ----------------------------------------------------------------------------- margin losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_family(reduction):
    y = RNG.choice([-1.0, 1.0], 5)
    compare(F.cosine_embedding_loss, TF.cosine_embedding_loss, [rn(5, 3), rn(5, 3), y], grads=[0, 1], margin=0.2,
            reduction=reduction)
    compare(F.cosine_embedding_loss, TF.cosine_embedding_loss, [rn(3), rn(3), np.array(-1.0)], grads=[0, 1])
    compare(F.margin_ranking_loss, TF.margin_ranking_loss, [rn(5), rn(5), y], grads=[0, 1], margin=0.3,
            reduction=reduction)
    compare(F.soft_margin_loss, TF.soft_margin_loss, [rn(5, 2) * 30, RNG.choice([-1.0, 1.0], (5, 2))], grads=[0],
            reduction=reduction)
    compare(F.hinge_embedding_loss, TF.hinge_embedding_loss, [rn(5, 2), RNG.choice([-1.0, 1.0], (5, 2))], grads=[0],
            margin=0.5, reduction=reduction)
    compare(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss,
            [rn(5, 4), RNG.integers(0, 2, (5, 4)).astype(float)], grads=[0], weight=torch.tensor(RNG.random(4)),
            reduction=reduction)


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_losses(p, swap, reduction):
    arrays = [rn(6, 4), rn(6, 4), rn(6, 4)]
    compare(F.triplet_margin_loss, TF.triplet_margin_loss, arrays, p=p, swap=swap, margin=1.5, reduction=reduction)
    compare(F.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss, arrays, swap=swap,
            reduction=reduction)
    n_out = F.triplet_margin_with_distance_loss(*[npgrad.tensor(a) for a in arrays],
                                                distance_function=lambda a, b: 1 - F.cosine_similarity(a, b))
    t_out = TF.triplet_margin_with_distance_loss(*[torch.tensor(a) for a in arrays],
                                                 distance_function=lambda a, b: 1 - TF.cosine_similarity(a, b))
    np.testing.assert_allclose(n_out.numpy(), t_out.numpy(), rtol=1e-10)


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin(p, reduction):
    compare(F.multi_margin_loss, TF.multi_margin_loss, [rn(5, 4), RNG.integers(0, 4, 5)], p=p, margin=0.7,
            weight=torch.tensor(RNG.random(4)), reduction=reduction)
    compare(F.multi_margin_loss, TF.multi_margin_loss, [rn(4), np.array(2)], p=p, reduction=reduction)


# ----------------------------------------------------------------------------- modules
MODULES = [
    ("L1Loss", {}, lambda: [rn(3, 4), rn(3, 4)]),
    ("MSELoss", {"reduction": "sum"}, lambda: [rn(3, 4), rn(3, 4)]),
    ("SmoothL1Loss", {"beta": 0.3}, lambda: [rn(3, 4), rn(3, 4)]),
    ("HuberLoss", {"delta": 0.4, "reduction": "none"}, lambda: [rn(3, 4), rn(3, 4)]),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 0}, lambda: [rn(5, 4), RNG.integers(0, 4, 5)]),
    ("NLLLoss", {"reduction": "sum"}, lambda: [rn(5, 4), RNG.integers(0, 4, 5)]),
    ("BCELoss", {}, lambda: [RNG.random((3, 2)), RNG.random((3, 2))]),
    ("BCEWithLogitsLoss", {}, lambda: [rn(3, 2), RNG.random((3, 2))]),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, lambda: [rn(3, 2), rn(3, 2)]),
    ("PoissonNLLLoss", {"full": True}, lambda: [rn(3, 2), RNG.random((3, 2)) * 4]),
    ("GaussianNLLLoss", {"full": True}, lambda: [rn(3, 2), rn(3, 2), RNG.random((3, 2))]),
    ("CosineEmbeddingLoss", {"margin": 0.1}, lambda: [rn(3, 2), rn(3, 2), np.array([1.0, -1.0, 1.0])]),
    ("MarginRankingLoss", {"margin": 0.1}, lambda: [rn(3), rn(3), np.array([1.0, -1.0, 1.0])]),
    ("SoftMarginLoss", {}, lambda: [rn(3, 2), np.array([[1.0, -1.0]] * 3)]),
    ("HingeEmbeddingLoss", {"margin": 2.0}, lambda: [rn(3, 2), np.array([[1.0, -1.0]] * 3)]),
    ("TripletMarginLoss", {"p": 1.0}, lambda: [rn(3, 2), rn(3, 2), rn(3, 2)]),
    ("TripletMarginWithDistanceLoss", {"margin": 0.5}, lambda: [rn(3, 2), rn(3, 2), rn(3, 2)]),
    ("MultiMarginLoss", {"p": 2}, lambda: [rn(3, 4), RNG.integers(0, 4, 3)]),
    ("MultiLabelSoftMarginLoss", {}, lambda: [rn(3, 4), RNG.integers(0, 2, (3, 4)).astype(float)]),
]


@pytest.mark.parametrize("name,kw,make", MODULES, ids=[m[0] for m in MODULES])
def test_loss_modules_match_torch(name, kw, make):
    tm, nm = getattr(torch.nn, name)(**kw), getattr(nn, name)(**kw)
    assert repr(nm) == repr(tm)
    arrays = make()
    compare(nm, tm, arrays, grads=[0])


def test_weighted_loss_modules_register_buffers():
    w = np.array([1.0, 2.0, 3.0])
    for name, kw in [("CrossEntropyLoss", {"weight": w}), ("NLLLoss", {"weight": w}), ("BCELoss", {"weight": w}),
                     ("BCEWithLogitsLoss", {"pos_weight": w}), ("MultiMarginLoss", {"weight": w}),
                     ("MultiLabelSoftMarginLoss", {"weight": w})]:
        tm = getattr(torch.nn, name)(**{k: torch.tensor(v) for k, v in kw.items()})
        nm = getattr(nn, name)(**{k: npgrad.tensor(v) for k, v in kw.items()})
        assert list(nm.state_dict()) == list(tm.state_dict()), name
    ce = nn.CrossEntropyLoss(weight=npgrad.tensor(w)).float()
    assert ce.weight.dtype == npgrad.float32


def test_legacy_size_average_reduce():
    x, t = rn(3, 2), rn(3, 2)
    for sa, red in [(False, None), (None, False), (True, True)]:
        compare(F.mse_loss, TF.mse_loss, [x, t], size_average=sa, reduce=red)
        assert nn.MSELoss(size_average=sa, reduce=red).reduction == torch.nn.MSELoss(size_average=sa, reduce=red).reduction


def test_gradcheck_cross_entropy_and_bce_logits():
    x = npgrad.tensor(rn(3, 4), requires_grad=True)
    t = npgrad.tensor(RNG.integers(0, 4, 3))
    assert npgrad.autograd.gradcheck(lambda a: F.cross_entropy(a, t, label_smoothing=0.2), (x,))
    y = npgrad.tensor(RNG.random((3, 4)))
    assert npgrad.autograd.gradcheck(
        lambda a: F.binary_cross_entropy_with_logits(a, y, pos_weight=npgrad.tensor([1.0, 2.0, 0.5, 3.0])), (x,))
