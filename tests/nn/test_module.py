"""nn.Module: registration, iteration, state_dict, conversion, hooks, repr, deepcopy, error context."""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import npgrad
import npgrad.nn as nn
from _torch_compare import assert_module_parity, copy_torch_params


def _net(lib):
    """The same nested architecture built with torch.nn or npgrad.nn."""

    class Block(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.Linear(6, 6)
            self.act = lib.Tanh()
            self.register_buffer("counter", lib_tensor(lib, [0.0, 1.0]))
            self.register_buffer("scratch", lib_tensor(lib, [5.0]), persistent=False)

        def forward(self, x):
            return self.act(self.fc(x)) + self.counter.sum()

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.layers = lib.Sequential(lib.Linear(4, 6), lib.ReLU(), Block(), lib.Linear(6, 3))
            self.heads = lib.ModuleDict({"a": lib.Linear(3, 2), "b": lib.Linear(3, 2, bias=False)})
            self.emb = lib.Embedding(5, 4, padding_idx=1)
            self.scale = lib.Parameter(lib_tensor(lib, [2.0]))

        def forward(self, x):
            h = self.layers(x) * self.scale
            return self.heads["a"](h) + self.heads["b"](h)

    return Net()


def lib_tensor(lib, data):
    return torch.tensor(data) if lib is torch.nn else npgrad.tensor(data)


def test_state_dict_keys_and_parameter_order_match_torch():
    tn, nn_ = _net(torch.nn), _net(nn)
    assert list(nn_.state_dict().keys()) == list(tn.state_dict().keys())
    assert [n for n, _ in nn_.named_parameters()] == [n for n, _ in tn.named_parameters()]
    assert [n for n, _ in nn_.named_buffers()] == [n for n, _ in tn.named_buffers()]
    assert [n for n, _ in nn_.named_modules()] == [n for n, _ in tn.named_modules()]
    assert [n for n, _ in nn_.named_children()] == [n for n, _ in tn.named_children()]
    assert "layers.2.scratch" not in nn_.state_dict()
    assert list(nn_.state_dict()._metadata) == list(tn.state_dict()._metadata)


def test_parity_of_nested_model_after_copying_weights():
    tn, nn_ = _net(torch.nn).double(), _net(nn).double()
    x = np.random.default_rng(0).standard_normal((5, 4))
    assert_module_parity(nn_, tn, x, rtol=1e-10, atol=1e-12)


def test_repr_matches_torch():
    assert repr(_net(nn)) == repr(_net(torch.nn)).replace("torch", "npgrad")
    seq = [nn.Linear(2, 3), nn.Linear(2, 3), nn.ReLU()]
    tseq = [torch.nn.Linear(2, 3), torch.nn.Linear(2, 3), torch.nn.ReLU()]
    assert repr(nn.ModuleList(seq)) == repr(torch.nn.ModuleList(tseq))
    assert repr(nn.Sequential(*seq)) == repr(torch.nn.Sequential(*tseq))
    assert repr(nn.Sequential()) == "Sequential()"
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_load_state_dict_error_texts_match_torch():
    tn, nn_ = _net(torch.nn), _net(nn)
    sd = {k: v for k, v in tn.state_dict().items() if k not in ("scale", "emb.weight")}
    sd["extra.weight"] = torch.zeros(2)
    sd["layers.0.weight"] = torch.zeros(7, 4)
    with pytest.raises(RuntimeError) as t_err:
        tn.load_state_dict(sd)
    with pytest.raises(RuntimeError) as n_err:
        nn_.load_state_dict({k: v.numpy() for k, v in sd.items()})
    assert str(n_err.value) == str(t_err.value).replace("torch", "npgrad")
    assert 'Missing key(s) in state_dict: "scale", "emb.weight". ' in str(n_err.value)
    assert "size mismatch for layers.0.weight: copying a param with shape npgrad.Size([7, 4])" in str(n_err.value)


def test_load_state_dict_non_strict_and_value_kinds():
    tn, nn_ = _net(torch.nn), _net(nn)
    sd = tn.state_dict()
    del sd["scale"]
    sd["bogus"] = torch.ones(1)
    t_res = tn.load_state_dict(sd, strict=False)
    n_sd = {k: (v.numpy() if i % 2 else npgrad.tensor(v.numpy())) for i, (k, v) in enumerate(sd.items())}
    weight_before = nn_.layers[0].weight
    n_res = nn_.load_state_dict(n_sd, strict=False)
    assert n_res.missing_keys == t_res.missing_keys and n_res.unexpected_keys == t_res.unexpected_keys
    assert nn_.layers[0].weight is weight_before  # copied in place
    np.testing.assert_array_equal(nn_.layers[0].weight.detach().numpy(), tn.layers[0].weight.detach().numpy())
    assert repr(nn_.load_state_dict(nn_.state_dict())) == "<All keys matched successfully>"


def test_load_state_dict_assign_and_keep_vars():
    m = nn.Linear(2, 3)
    new_w = npgrad.ones(3, 2)
    m.load_state_dict({"weight": new_w, "bias": npgrad.zeros(3)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert m.weight.data is new_w.data
    assert m.state_dict(keep_vars=True)["weight"] is m.weight
    assert not m.state_dict()["weight"].requires_grad


def test_state_dict_values_share_storage_and_round_trip():
    a, b = _net(nn), _net(nn)
    b.load_state_dict(a.state_dict())
    for (k, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(va.numpy(), vb.numpy(), err_msg=k)
    sd = a.state_dict()
    sd["scale"].data[...] = 7.0
    assert float(a.scale.detach().numpy()[0]) == 7.0


def test_setattr_registration_rules_and_errors():
    m = nn.Module()
    m.p = nn.Parameter(npgrad.ones(2))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("buf", npgrad.zeros(1))
    m.plain = 3
    assert list(m._parameters) == ["p"] and list(m._modules) == ["sub"] and list(m._buffers) == ["buf"]
    with pytest.raises(TypeError, match="cannot assign 'npgrad.FloatTensor' as parameter 'p'"):
        m.p = npgrad.ones(2)
    with pytest.raises(TypeError, match="as child module 'sub'"):
        m.sub = 3
    m.buf = npgrad.ones(1)  # a tensor may replace a buffer
    assert m._buffers["buf"] is m.buf
    m.p = None
    assert m.p is None and list(m.parameters()) == list(m.sub.parameters())
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", npgrad.ones(1))
    with pytest.raises(KeyError):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("q", _non_leaf_param())
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'missing'"):
        m.missing
    del m.sub
    assert "sub" not in m._modules
    assert "buf" in dir(m) and "p" in dir(m)
    m.b2 = nn.Buffer(npgrad.ones(2), persistent=False)
    assert "b2" in m._buffers and "b2" not in m.state_dict()
    assert isinstance(m.b2, nn.Buffer) and not isinstance(npgrad.ones(1), nn.Buffer)


def _non_leaf_param():
    p = nn.Parameter(npgrad.ones(1))
    q = p * 2
    q.__class__ = nn.Parameter
    return q


def test_get_submodule_parameter_buffer():
    n = _net(nn)
    assert n.get_submodule("layers.2.fc") is n.layers[2].fc
    assert n.get_parameter("layers.2.fc.weight") is n.layers[2].fc.weight
    assert n.get_buffer("layers.2.counter") is n.layers[2].counter
    with pytest.raises(AttributeError, match="Sequential has no attribute `9`"):
        n.get_submodule("layers.9")
    with pytest.raises(AttributeError, match="`act` is not an nn.Parameter"):
        n.get_parameter("layers.2.act")


def test_train_eval_zero_grad_requires_grad_apply():
    n = _net(nn)
    n.eval()
    assert not any(m.training for m in n.modules())
    n.train()
    assert all(m.training for m in n.modules())
    with pytest.raises(ValueError):
        n.train("yes")
    out = n(npgrad.randn(3, 4)).sum()
    out.backward()
    assert all(p.grad is not None for p in n.layers.parameters())
    n.zero_grad(set_to_none=False)
    assert all(not np.any(p.grad.numpy()) for p in n.layers.parameters())
    n.zero_grad()
    assert all(p.grad is None for p in n.parameters())
    n.requires_grad_(False)
    assert not any(p.requires_grad for p in n.parameters())
    seen = []
    n.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"


def test_dtype_conversion_keeps_identity():
    n = _net(nn)
    params = list(n.parameters())
    n.double()
    assert all(p is q for p, q in zip(n.parameters(), params))
    assert all(p.dtype == npgrad.float64 for p in n.parameters())
    assert n.layers[2].counter.dtype == npgrad.float64
    n.to(npgrad.float32)
    assert all(p.dtype == npgrad.float32 for p in n.parameters())
    n.half()
    assert n.scale.dtype == npgrad.float16
    n.float()
    n.to("cpu")
    assert n.cpu() is n
    with pytest.raises(TypeError, match="only accepts floating point"):
        n.to(npgrad.int64)
    m = nn.Linear(2, 2).type(npgrad.float64)
    assert m.weight.dtype == npgrad.float64


def test_deepcopy_and_pickle():
    n = _net(nn)
    n.shared = n.layers[0]  # shared submodule stays shared in the copy
    c = copy.deepcopy(n)
    x = npgrad.randn(2, 4)
    np.testing.assert_allclose(c(x).detach().numpy(), n(x).detach().numpy())
    assert c.layers[0].weight is not n.layers[0].weight
    assert c.shared is c.layers[0]
    c.layers[0].weight.data[...] = 0
    assert np.any(n.layers[0].weight.detach().numpy())
    p = pickle.loads(pickle.dumps(nn.Linear(3, 2)))
    assert isinstance(p.weight, nn.Parameter) and p.weight.requires_grad


def test_parameter_and_buffer_basics():
    t = npgrad.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.data is t.data and p.requires_grad and p.is_leaf
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(nn.Parameter(t, requires_grad=False)) == "Parameter containing:\ntensor([1., 2.])"
    assert nn.Parameter().shape == (0,)
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q.data is not p.data
    assert len({p, q}) == 2  # hashable, by identity
    b = nn.Buffer(npgrad.ones(2, requires_grad=True))
    assert not b.requires_grad and b.persistent


def test_forward_hooks_order_kwargs_and_removal():
    lin = nn.Linear(3, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre1"))
    lin.register_forward_pre_hook(lambda m, args: calls.append("pre0"), prepend=True)
    lin.register_forward_pre_hook(lambda m, args, kw: ((args[0] * 0,), kw), with_kwargs=True)
    lin.register_forward_hook(lambda m, args, out: out + 1)
    h2 = lin.register_forward_hook(lambda m, args, kw, out: calls.append(("post", kw)), with_kwargs=True)
    out = lin(npgrad.ones(4, 3))
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(lin.bias.detach().numpy() + 1, (4, 2)), rtol=1e-6)
    assert calls == ["pre0", "pre1", ("post", {})]
    h1.remove()
    h2.remove()
    with lin.register_forward_pre_hook(lambda m, a: calls.append("ctx")):
        lin(npgrad.ones(1, 3))
    lin(npgrad.ones(1, 3))
    assert calls.count("ctx") == 1 and calls.count("pre1") == 1


def test_forward_pre_hook_can_replace_single_arg():
    lin = nn.Identity()
    lin.register_forward_pre_hook(lambda m, args: args[0] * 3)
    np.testing.assert_allclose(lin(npgrad.ones(2)).numpy(), [3.0, 3.0])


def _record_backward_hooks(module, store):
    module.register_full_backward_pre_hook(lambda m, go: store.append(("pre", [g.detach().numpy().copy() for g in go])))
    module.register_full_backward_hook(lambda m, gi, go: store.append(
        ("full", [None if g is None else g.detach().numpy().copy() for g in gi], [g.detach().numpy().copy() for g in go])))


def test_full_backward_hooks_match_torch():
    tm, nm = torch.nn.Linear(3, 2).double(), nn.Linear(3, 2).double()
    copy_torch_params(nm, tm)
    t_store, n_store = [], []
    _record_backward_hooks(tm, t_store)
    _record_backward_hooks(nm, n_store)
    x = np.random.default_rng(1).standard_normal((4, 3))
    tx, nx = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
    (tm(tx) ** 2).sum().backward()
    (nm(nx) ** 2).sum().backward()
    assert [s[0] for s in n_store] == [s[0] for s in t_store] == ["pre", "full"]
    np.testing.assert_allclose(n_store[0][1][0], t_store[0][1][0], rtol=1e-12)
    np.testing.assert_allclose(n_store[1][1][0], t_store[1][1][0], rtol=1e-12)
    np.testing.assert_allclose(n_store[1][2][0], t_store[1][2][0], rtol=1e-12)


def test_backward_hooks_can_rewrite_grads():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 0 + 1,))
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
    x = npgrad.randn(4, 3, requires_grad=True)
    (lin(x) * 5).sum().backward()
    expected = 10 * np.ones((4, 2)) @ lin.weight.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(lin.bias.grad.numpy(), [4.0, 4.0], rtol=1e-6)


def test_backward_hook_without_input_grad_gets_none():
    lin = nn.Linear(3, 2)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    lin(npgrad.randn(4, 3)).sum().backward()
    assert seen == [((None,), (4, 2))]


def test_error_inside_submodule_names_the_layer_once():
    model = nn.Sequential(OrderedDict(layers=nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(64, 10))))
    with pytest.raises(RuntimeError) as err:
        model(npgrad.randn(8, 16))
    msg = str(err.value)
    assert msg == ("Linear 'layers.2': mat1 and mat2 shapes cannot be multiplied (8x32 and 64x10) "
                   "(input shape (8, 32))")
    assert isinstance(err.value.__cause__, RuntimeError)
    assert "Linear '" not in str(err.value.__cause__)


def test_error_in_root_module_is_untouched_and_torch_like():
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(8x5 and 4x3\)$"):
        nn.Linear(4, 3)(npgrad.randn(8, 5))


def test_forward_not_implemented():
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_always_call_forward_hook_runs_on_error():
    lin = nn.Linear(3, 2)
    seen = []
    lin.register_forward_hook(lambda m, args, out: seen.append(out), always_call=True)
    lin.register_forward_hook(lambda m, args, out: seen.append("never"))
    with pytest.raises(RuntimeError):
        lin(npgrad.randn(2, 5))
    assert seen == [None]
