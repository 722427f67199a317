"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward`` (torch's semantics).

    attention(Q, K, V) = softmax(Q K^T * scale + M) V,     scale = 1 / sqrt(E) by default

``M`` is the additive mask: a float mask is added as is; a boolean mask keeps the positions that are
True (SDPA) and sends the others to -inf. ``scaled_dot_product_attention`` uses torch's *safe* softmax
(a row whose every score is -inf gives zeros, not NaN), ``multi_head_attention_forward`` with
``need_weights=True`` the plain one (NaN rows, as torch). Scaling, masking and softmax are one fused
op; the GEMMs and the rest are differentiable Tensor ops, so double backward works.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ... import _dtype
from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled
from ...ops.linalg import matmul
from ...ops.shape import cat, chunk, pad, reshape, split, transpose
from ...tensor import Tensor
from .dropout import dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_TORCH_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long int",
                "int32": "int", "bool": "bool", "uint8": "unsigned char"}


class _AttentionSoftmax(Function):
    """``p = softmax(scale * s + mask)`` over the last dim, on one fresh buffer (few passes, one allocation).

    ``mask``: None or a float Tensor, added (differentiable); ``keep``: None or a constant bool array
    (False positions get -inf). ``safe``: a row whose every score is -inf gives zeros (torch's
    ``_safe_softmax``, used by SDPA) instead of NaN (plain softmax, used by MHA's weights path).
    backward: with ``u = p * (g - sum(g * p, -1))``, ``ds = scale * u`` and ``dmask = u``; Tensor ops on the
    saved output p when a graph is recorded (double backward), raw arrays otherwise.
    """

    @staticmethod
    def forward(ctx: Function, s: Tensor, mask: Tensor | None, keep: np.ndarray | None, scale: float,
                safe: bool) -> np.ndarray:
        shape = np.broadcast_shapes(s.data.shape, *(() if mask is None else (mask.data.shape,)),
                                    *(() if keep is None else (keep.shape,)))
        a = np.multiply(s.data, scale) if shape == s.data.shape else np.broadcast_to(s.data * scale, shape).copy()
        if keep is not None:
            np.copyto(a, -np.inf, where=~keep)
        if mask is not None:
            a += mask.data
        ctx.scale = scale
        if a.shape[-1] == 0:
            return a
        m = a.max(axis=-1, keepdims=True)
        if safe:
            m[m == -np.inf] = 0
        a -= m
        np.exp(a, out=a)
        total = a.sum(axis=-1, keepdims=True)
        if safe:
            np.divide(a, total, out=a, where=total != 0)
        else:
            a /= total
        ctx.save_for_backward(a)
        return a

    @staticmethod
    def backward(ctx: Function, grad: Tensor) -> tuple:
        (p,) = ctx.saved_tensors
        if is_grad_enabled():
            u = p * (grad - (grad * p).sum(-1, keepdim=True))
            ds = u * ctx.scale
        else:
            pd, gd = p.data, grad.data
            ud = gd - np.einsum("...i,...i->...", gd, pd)[..., None]
            ud *= pd
            u = Tensor._make(ud)
            ds = Tensor._make(ud * ctx.scale)
        need = ctx.needs_input_grad
        return (ds if need[0] else None), (u if need[1] else None), None, None, None


def _torch_name(dt: np.dtype) -> str:
    return _TORCH_NAMES.get(dt.name, dt.name)


def _additive_mask(mask: Tensor, dtype: np.dtype) -> Tensor:
    """MHA's bool mask (True = masked out) as an additive float mask of -inf and 0; float masks pass."""
    if mask.data.dtype == np.bool_:
        return Tensor._make(np.where(mask.data, -np.inf, 0.0).astype(dtype))
    return mask


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q K^T * scale + mask) V`` over the last two dims of ``(..., L, E)``, ``(..., S, E)``, ``(..., S, Ev)``.

    ``attn_mask``: bool (True = attend) or float (added), broadcastable to ``(..., L, S)``. ``is_causal``:
    position i attends to j <= i (top-left aligned; excludes ``attn_mask``). ``enable_gqa``: key/value
    heads (dim -3) are repeated to match the query's. ``dropout_p`` drops attention weights.
    """
    q, k, v = query, key, value
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{q.dim()} key.dim: {k.dim()} and value.dim: {v.dim()} instead.")
    dt = q.data.dtype
    if k.data.dtype != dt or v.data.dtype != dt:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_torch_name(dt)} key.dtype: {_torch_name(k.data.dtype)} and value.dtype: "
                           f"{_torch_name(v.data.dtype)} instead.")
    if attn_mask is not None and attn_mask.data.dtype != np.bool_ and attn_mask.data.dtype.kind != "f":
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_torch_name(attn_mask.data.dtype)} and  query.dtype: "
                           f"{_torch_name(dt)} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(f"Expected query and key to have the same embedding size, but got {q.shape[-1]} and "
                           f"{k.shape[-1]}")
    if enable_gqa and q.dim() >= 3 and k.shape[-3] != q.shape[-3]:
        k, v = (_repeat_heads(t, q.shape[-3]) for t in (k, v))
    scale_factor = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    keep = mask = None
    if is_causal:
        keep = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=np.bool_))
    elif attn_mask is not None and attn_mask.data.dtype == np.bool_:
        keep = attn_mask.data
    elif attn_mask is not None:
        mask = attn_mask if attn_mask.data.dtype == dt else attn_mask.to(_dtype._FROM_NP[dt])
    weights = _AttentionSoftmax.apply(matmul(q, transpose(k, -2, -1)), mask, keep, scale_factor, True)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return matmul(weights, v)


def _repeat_heads(t: Tensor, n_heads: int) -> Tensor:
    """GQA: repeat each of ``t``'s heads (dim -3) so that there are ``n_heads``."""
    kv_heads = t.shape[-3]
    if kv_heads == 0 or n_heads % kv_heads:
        raise RuntimeError(f"Number of heads in key and value must divide the number of heads in query "
                           f"({kv_heads} does not divide {n_heads})")
    rep = n_heads // kv_heads
    lead, tail = tuple(t.shape[:-3]), tuple(t.shape[-2:])
    expanded = t.unsqueeze(-3).expand(*lead, kv_heads, rep, *tail)  # head h -> copies h*rep .. h*rep+rep-1
    return reshape(expanded, lead + (n_heads,) + tail)


# ----------------------------------------------------------------------------- multi-head attention
def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: Any, other_name: str, target_type: np.dtype,
                    check_other: bool = True) -> Tensor | None:
    """Bool masks (True = masked out) become float masks with -inf; float masks pass through."""
    if mask is None:
        return None
    mdt = mask.data.dtype
    if mdt != np.bool_ and mdt.kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mdt != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mdt == np.bool_:
        return _additive_mask(mask, target_type)
    return mask


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """torch's rank checks; returns whether the input is batched (3-D query)."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query tensor")


def _in_projection(query: Tensor, key: Tensor, value: Tensor, embed_dim: int, in_proj_weight: Tensor | None,
                   in_proj_bias: Tensor | None, separate: tuple | None) -> tuple:
    """q, k, v = the three input projections (one GEMM when query, key and value are the same tensor)."""
    if separate is None:
        if query is key and key is value:
            return split(linear(query, in_proj_weight, in_proj_bias), embed_dim, -1)
        if key is value:
            w_q, w_kv = split(in_proj_weight, [embed_dim, 2 * embed_dim])
            b_q, b_kv = (None, None) if in_proj_bias is None else split(in_proj_bias, [embed_dim, 2 * embed_dim])
            return (linear(query, w_q, b_q),) + split(linear(key, w_kv, b_kv), embed_dim, -1)
        w_q, w_k, w_v = chunk(in_proj_weight, 3)
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else chunk(in_proj_bias, 3)
    else:
        w_q, w_k, w_v = separate
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else chunk(in_proj_bias, 3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None, bias_v: Tensor | None,
    add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
    training: bool = True, key_padding_mask: Tensor | None = None, need_weights: bool = True,
    attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
    static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first ``(L, N, E)`` inputs (or unbatched ``(L, E)``), as torch.

    Masks: ``key_padding_mask`` ``(N, S)`` and ``attn_mask`` ``(L, S)`` or ``(N*H, L, S)``, bool (True =
    masked out) or float (added). Returns ``(attn_output, attn_weights or None)``; the weights are
    averaged over heads when ``average_attn_weights``.
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    dt = query.data.dtype
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       None if attn_mask is None else attn_mask.data.dtype, "attn_mask", dt)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dt, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        separate = None
    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias, separate)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None else
                             "bias_v is set but bias_k is None")

    q = transpose(reshape(q, (tgt_len, bsz * num_heads, head_dim)), 0, 1)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v")
    if add_zero_attn:
        zeros = Tensor._make(np.zeros((bsz * num_heads, 1, head_dim), dtype=k.data.dtype))
        k, v = cat([k, zeros], 1), cat([v, zeros.to(v.dtype)], 1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}"
                if key_padding_mask.shape[0] != bsz else
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got {key_padding_mask.shape[1]}"
            )
        kpm = reshape(key_padding_mask, (bsz, 1, 1, src_len)).expand(-1, num_heads, -1, -1)
        kpm = reshape(kpm, (bsz * num_heads, 1, src_len))
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        weights = _AttentionSoftmax.apply(matmul(q, transpose(k, -2, -1)), attn_mask, None,
                                          math.sqrt(1.0 / float(head_dim)), False)
        if dropout_p > 0.0:
                weights = dropout(weights, dropout_p, True)
        out = matmul(weights, v)
        out = reshape(transpose(out, 0, 1), (tgt_len * bsz, embed_dim))
        out = reshape(linear(out, out_proj_weight, out_proj_bias), (tgt_len, bsz, embed_dim))
        weights = reshape(weights, (bsz, num_heads, tgt_len, src_len))
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = reshape(attn_mask, (bsz, num_heads, -1, src_len))
    q = reshape(q, (bsz, num_heads, tgt_len, head_dim))
    k = reshape(k, (bsz, num_heads, src_len, head_dim))
    v = reshape(v, (bsz, num_heads, src_len, head_dim))
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = reshape(out.permute(2, 0, 1, 3), (bsz * tgt_len, embed_dim))
    out = reshape(linear(out, out_proj_weight, out_proj_bias), (tgt_len, bsz, embed_dim))
    if not batched:
        out = out.squeeze(1)
    return out, None


def _heads(t: Tensor, static: Tensor | None, bsz: int, num_heads: int, head_dim: int, name: str) -> Tensor:
    """(S, N, E) -> (N*H, S, head_dim), or the given ``static`` tensor after checking its shape."""
    if static is None:
        return transpose(reshape(t, (t.shape[0], bsz * num_heads, head_dim)), 0, 1)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static
