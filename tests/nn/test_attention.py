"""F.scaled_dot_product_attention and nn.MultiheadAttention against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from _torch_compare import assert_module_parity, copy_torch_params


def _grads_close(n_ts: list, t_ts: list, rtol: float, atol: float) -> None:
    for i, (a, b) in enumerate(zip(n_ts, t_ts)):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.data), f"input {i}"
        else:
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"grad {i}")


def _sdpa_both(arrays: list, mask: np.ndarray | None, mask_grad: bool = False, **kw: object) -> None:
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    n_in = [npgrad.tensor(a, requires_grad=True) for a in arrays]
    t_mask = n_mask = None
    if mask is not None:
        t_mask = torch.tensor(mask, requires_grad=mask_grad)
        n_mask = npgrad.tensor(mask, requires_grad=mask_grad)
    t_out = TF.scaled_dot_product_attention(*t_in, attn_mask=t_mask, **kw)
    n_out = F.scaled_dot_product_attention(*n_in, attn_mask=n_mask, **kw)
    f64 = arrays[0].dtype == np.float64
    rtol, atol = (1e-9, 1e-11) if f64 else (1e-5, 1e-6)
    np.testing.assert_allclose(n_out.data, t_out.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(0).standard_normal(tuple(t_out.shape)).astype(arrays[0].dtype)
    (t_out * torch.tensor(w)).sum().backward()
    (n_out * npgrad.tensor(w)).sum().backward()
    _grads_close(n_in + ([n_mask] if mask_grad else []), t_in + ([t_mask] if mask_grad else []), rtol, atol)


@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), L=st.integers(1, 5), S=st.integers(1, 5),
       E=st.integers(1, 6), Ev=st.integers(1, 4), mask=st.sampled_from(["none", "bool", "float", "causal"]),
       scale=st.sampled_from([None, 0.3]), seed=st.integers(0, 99))
def test_sdpa_matches_torch(batch: list, L: int, S: int, E: int, Ev: int, mask: str, scale: float | None,
                            seed: int) -> None:
    rs = np.random.default_rng(seed)
    lead = tuple(batch)
    arrays = [rs.standard_normal(lead + (L, E)), rs.standard_normal(lead + (S, E)), rs.standard_normal(lead + (S, Ev))]
    m = None
    kw: dict = {"scale": scale}
    if mask == "bool":
        m = rs.random((L, S)) > 0.3  # broadcast over batch dims; may mask whole rows
    elif mask == "float":
        m = rs.standard_normal(lead[-1:] + (L, S)) if lead else rs.standard_normal((L, S))
    elif mask == "causal":
        kw["is_causal"] = True
    _sdpa_both(arrays, m, mask_grad=mask == "float", **kw)


def test_sdpa_float32_and_fully_masked_rows() -> None:
    rs = np.random.default_rng(1)
    arrays = [rs.standard_normal(s).astype(np.float32) for s in [(2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)]]
    m = np.ones((4, 6), dtype=bool)
    m[1] = False
    _sdpa_both(arrays, m)
    q, k, v = (npgrad.tensor(a) for a in arrays)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.tensor(m))
    assert np.all(out.data[:, :, 1] == 0) and out.dtype == npgrad.float32
    fm = np.zeros((4, 6), dtype=np.float32)
    fm[2] = -np.inf
    assert np.all(F.scaled_dot_product_attention(q, k, v, attn_mask=npgrad.tensor(fm)).data[:, :, 2] == 0)


def test_sdpa_gqa_and_unbatched() -> None:
    rs = np.random.default_rng(2)
    _sdpa_both([rs.standard_normal(s) for s in [(2, 6, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)]], None, enable_gqa=True)
    _sdpa_both([rs.standard_normal(s) for s in [(3, 4), (5, 4), (5, 2)]], None)
    with pytest.raises(RuntimeError, match="Number of heads in key and value must divide"):
        F.scaled_dot_product_attention(*(npgrad.randn(*s) for s in [(1, 6, 3, 4), (1, 4, 5, 4), (1, 4, 5, 4)]),
                                       enable_gqa=True)


def test_sdpa_gradcheck_and_double_backward() -> None:
    q, k, v = (npgrad.randn(*s, dtype=npgrad.float64, requires_grad=True) for s in [(2, 3, 2), (2, 4, 2), (2, 4, 3)])
    m = npgrad.randn(3, 4, dtype=npgrad.float64, requires_grad=True)
    assert npgrad.autograd.gradcheck(lambda a, b, c, d: F.scaled_dot_product_attention(a, b, c, attn_mask=d),
                                     (q, k, v, m))
    assert npgrad.autograd.gradgradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True),
                                         (q, k, v))


def test_sdpa_errors() -> None:
    q = npgrad.randn(2, 3, 4, dtype=npgrad.float64)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=npgrad.ones(3, 3, dtype=npgrad.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="Expected query, key, and value to have the same dtype"):
        F.scaled_dot_product_attention(q, q.float(), q)
    with pytest.raises(RuntimeError, match="Expected attn_mask dtype to be bool or float"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=npgrad.zeros(3, 3, dtype=npgrad.int64))
    with pytest.raises(RuntimeError, match="at least 2 dimensional"):
        F.scaled_dot_product_attention(q[0, 0], q[0], q[0])


def test_sdpa_dropout() -> None:
    q = npgrad.randn(2, 8, 4, dtype=npgrad.float64)
    base = F.scaled_dot_product_attention(q, q, q)
    dropped = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert dropped.shape == base.shape and not np.allclose(dropped.data, base.data)
    assert np.all(F.scaled_dot_product_attention(q, q, q, dropout_p=1.0).data == 0)


# ----------------------------------------------------------------------------- MultiheadAttention
class _MhaTorch(torch.nn.Module):
    def __init__(self, m: torch.nn.Module, mode: str, kw: dict) -> None:
        super().__init__()
        self.m, self.mode, self.kw = m, mode, kw

    def forward(self, q, k=None, v=None):  # noqa: ANN001, ANN201
        kw = {k_: (torch.tensor(v_) if isinstance(v_, np.ndarray) else v_) for k_, v_ in self.kw.items()}
        if self.mode == "self":
            return self.m(q, q, q, **kw)
        if self.mode == "kv":
            return self.m(q, k, k, **kw)
        return self.m(q, k, v, **kw)


class _MhaNp(nn.Module):
    def __init__(self, m: nn.Module, mode: str, kw: dict) -> None:
        super().__init__()
        self.m, self.mode, self.kw = m, mode, kw

    def forward(self, q, k=None, v=None):  # noqa: ANN001, ANN201
        kw = {k_: (npgrad.tensor(v_) if isinstance(v_, np.ndarray) else v_) for k_, v_ in self.kw.items()}
        if self.mode == "self":
            return self.m(q, q, q, **kw)
        if self.mode == "kv":
            return self.m(q, k, k, **kw)
        return self.m(q, k, v, **kw)


def _mha_case(ctor: dict, mode: str, fkw: dict, L: int = 4, S: int = 5, N: int = 2, batched: bool = True,
              dtype: type = np.float64) -> None:
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(**ctor).to(torch.float64 if dtype == np.float64 else torch.float32)
    nm = nn.MultiheadAttention(**ctor).to(npgrad.float64 if dtype == np.float64 else npgrad.float32)
    E, bf = ctor["embed_dim"], ctor.get("batch_first", False)
    kd, vd = ctor.get("kdim") or E, ctor.get("vdim") or E
    rs = np.random.default_rng(3)

    def arr(n: int, d: int) -> np.ndarray:
        shape = ((N, n, d) if bf else (n, N, d)) if batched else (n, d)
        return rs.standard_normal(shape).astype(dtype)

    if mode == "self":
        inputs = [arr(L, E)]
    elif mode == "kv":
        inputs = [arr(L, E), arr(S, kd)]
    else:
        inputs = [arr(L, E), arr(S, kd), arr(S, vd)]
    tol = {} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    out = assert_module_parity(_MhaNp(nm, mode, fkw), _MhaTorch(tm, mode, fkw), *inputs, **tol)
    assert (out[1] is None) == (not fkw.get("need_weights", True))


def _bool_mask(shape: tuple, seed: int = 4) -> np.ndarray:
    m = np.random.default_rng(seed).random(shape) > 0.7
    m[..., 0] = False  # keep every row attending somewhere (torch's weights are NaN on fully masked rows)
    return m


MHA_CASES = [
    ({"embed_dim": 8, "num_heads": 2}, "self", {}),
    ({"embed_dim": 8, "num_heads": 2}, "self", {"need_weights": False}),
    ({"embed_dim": 8, "num_heads": 4, "batch_first": True}, "kv", {"average_attn_weights": False}),
    ({"embed_dim": 8, "num_heads": 2, "kdim": 3, "vdim": 5}, "cross", {}),
    ({"embed_dim": 8, "num_heads": 2, "kdim": 3, "vdim": 5, "batch_first": True}, "cross", {"need_weights": False}),
    ({"embed_dim": 6, "num_heads": 3, "bias": False}, "cross", {}),
    ({"embed_dim": 8, "num_heads": 2, "add_bias_kv": True, "add_zero_attn": True}, "cross", {}),
    ({"embed_dim": 8, "num_heads": 2, "add_bias_kv": True}, "cross",
     {"key_padding_mask": _bool_mask((2, 5)), "need_weights": False}),
    ({"embed_dim": 8, "num_heads": 2}, "cross", {"key_padding_mask": _bool_mask((2, 5))}),
    ({"embed_dim": 8, "num_heads": 2}, "cross", {"attn_mask": _bool_mask((4, 5))}),
    ({"embed_dim": 8, "num_heads": 2}, "cross", {"attn_mask": _bool_mask((4, 5)), "need_weights": False}),
    ({"embed_dim": 8, "num_heads": 2}, "cross",
     {"attn_mask": np.random.default_rng(5).standard_normal((4, 4, 5)), "key_padding_mask":
      np.random.default_rng(6).standard_normal((2, 5)), "need_weights": False}),
    ({"embed_dim": 8, "num_heads": 2, "add_zero_attn": True}, "cross",
     {"attn_mask": np.random.default_rng(5).standard_normal((4, 5)), "average_attn_weights": False}),
]


@pytest.mark.parametrize("ctor,mode,fkw", MHA_CASES)
def test_mha_parity(ctor: dict, mode: str, fkw: dict) -> None:
    _mha_case(ctor, mode, fkw)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_causal(need_weights: bool) -> None:
    causal = np.triu(np.ones((4, 4), dtype=bool), 1)
    _mha_case({"embed_dim": 8, "num_heads": 2}, "self",
              {"attn_mask": causal, "is_causal": True, "need_weights": need_weights}, S=4)


def test_mha_unbatched_and_float32() -> None:
    _mha_case({"embed_dim": 8, "num_heads": 2}, "cross", {"key_padding_mask": _bool_mask((5,))}, batched=False)
    _mha_case({"embed_dim": 8, "num_heads": 2}, "self", {"need_weights": False}, batched=False)
    _mha_case({"embed_dim": 16, "num_heads": 4, "batch_first": True}, "self", {}, dtype=np.float32)
    _mha_case({"embed_dim": 16, "num_heads": 4}, "kv", {"need_weights": False}, dtype=np.float32)


def test_mha_parameters_and_init() -> None:
    for ctor in ({"embed_dim": 8, "num_heads": 2}, {"embed_dim": 8, "num_heads": 2, "kdim": 3, "vdim": 5,
                                                     "add_bias_kv": True, "bias": False}):
        nm, tm = nn.MultiheadAttention(**ctor), torch.nn.MultiheadAttention(**ctor)
        assert [(n, tuple(p.shape)) for n, p in nm.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
        assert repr(nm).replace("npgrad", "torch") == repr(tm)
    nm = nn.MultiheadAttention(8, 2)
    assert np.all(nm.in_proj_bias.data == 0) and np.all(nm.out_proj.bias.data == 0)
    bound = np.sqrt(6 / (8 + 24))
    assert np.abs(nm.in_proj_weight.data).max() <= bound and nm.in_proj_weight.data.std() > 0.3 * bound
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(7, 2)
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        nn.MultiheadAttention(0, 2)


def test_mha_dropout_train_vs_eval() -> None:
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(8, 2, dropout=0.5).double()
    nm = nn.MultiheadAttention(8, 2, dropout=0.5).double()
    copy_torch_params(nm, tm)
    x = np.random.default_rng(7).standard_normal((4, 2, 8))
    nm.eval()
    tm.eval()
    with torch.no_grad():
        t_out, t_w = tm(*(torch.tensor(x),) * 3)
    n_out, n_w = nm(*(npgrad.tensor(x),) * 3)
    np.testing.assert_allclose(n_out.data, t_out.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(n_w.data, t_w.numpy(), rtol=1e-9, atol=1e-11)
    nm.train()
    assert not np.allclose(nm(*(npgrad.tensor(x),) * 3)[0].data, n_out.data)


def test_mha_errors() -> None:
    m = nn.MultiheadAttention(8, 2).double()
    q = npgrad.randn(4, 2, 8, dtype=npgrad.float64)
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        m(q, q[0], q[0])
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is .*, but should be \(4, 4\)"):
        m(q, q, q, attn_mask=npgrad.zeros(3, 4, dtype=npgrad.bool))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(q, q, q, is_causal=True)
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 8, but got 6"):
        m(q[..., :6], q[..., :6], q[..., :6])
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask are supported"):
        m(q, q, q, attn_mask=npgrad.zeros(4, 4, dtype=npgrad.int64))
