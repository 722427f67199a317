"""nn.functional convolutions: conv1d/2d, conv_transpose1d/2d, unfold, fold (torch's signatures and errors).

Argument parsing and checks live here; the kernels and their autograd Functions are in
``npgrad/ops/conv.py``. 1-D ops run as 2-D ops over a height-1 plane; unbatched inputs get a
batch axis of 1 for the call.
"""
from __future__ import annotations

from typing import Any, Sequence

from ...ops import conv as K
from ...ops import windows as _W
from ...ops.shape import reshape
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"]

_TYPE = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long", "int32": "Int",
         "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def ntuple(value: Any, n: int, name: str) -> tuple:
    """An int (or a 1-sequence) repeated ``n`` times, or an ``n``-sequence, as a tuple of ints."""
    if isinstance(value, (list, tuple)):
        vals = tuple(int(v) for v in value)
        if len(vals) == 1:
            return vals * n
        if len(vals) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values to match the convolution "
                f"dimensions, but got {name}={list(vals)}"
            )
        return vals
    return (int(value),) * n


def _batched(x: Tensor, nd: int, name: str, what: str = "") -> tuple[Tensor, bool]:
    """(x with a batch axis, whether one was added); RuntimeError for a wrong rank."""
    if x.data.ndim == nd + 1:
        return reshape(x, (1,) + x.data.shape), True
    if x.data.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input of size: "
            f"{list(x.shape)}"
        )
    return x, False


def _as_2d(x: Tensor, nd: int) -> Tensor:
    """A 1-D op's (N, C, L) tensor seen as (N, C, 1, L)."""
    return x if nd == 2 else reshape(x, x.data.shape[:2] + (1,) + x.data.shape[2:])


def _check_types(x: Tensor, w: Tensor, b: Tensor | None) -> None:
    if x.data.dtype != w.data.dtype:
        raise RuntimeError(
            f"expected scalar type {_TYPE.get(x.data.dtype.name, x.data.dtype.name)} but found "
            f"{_TYPE.get(w.data.dtype.name, w.data.dtype.name)}"
        )
    if b is not None and b.data.dtype != x.data.dtype:
        raise RuntimeError(
            f"Input type ({_TYPE.get(x.data.dtype.name, '?').lower()}) and bias type "
            f"({_TYPE.get(b.data.dtype.name, '?').lower()}) should be the same"
        )


def _check_rank_and_groups(w: Tensor, groups: int, nd: int, stride: tuple) -> None:
    """torch's errors for a weight that is not (nd + 2)-dimensional and for non-positive ``groups``."""
    if w.data.ndim != nd + 2:
        raise RuntimeError(
            f"expected stride to be a single integer value or a list of {w.data.ndim - 2} values to match the "
            f"convolution dimensions, but got stride={list(stride)}"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_weight(w: Tensor, b: Tensor | None, groups: int, nd: int, stride: tuple) -> None:
    """Check a convolution's weight (out, in/groups, *k) and bias (out,) against ``groups``, like torch."""
    _check_rank_and_groups(w, groups, nd, stride)
    if w.data.shape[0] == 0 or w.data.shape[0] % groups:
        which = "divisible by" if w.data.shape[0] else "at least"
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be {which} {groups if w.data.shape[0] else 1} at dimension 0, "
            f"but got weight of size [{list(w.shape)}] instead"
        )
    if b is not None and (b.data.ndim != 1 or b.data.shape[0] != w.data.shape[0]):
        raise RuntimeError(
            f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with {w.data.shape[0]} "
            f"elements, but got bias of size {list(b.shape)} instead"
        )


def _check_params(stride: tuple, dilation: tuple, padding: Sequence[int]) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")


def _dims(vals: Sequence[int]) -> str:
    return " x ".join(str(v) for v in vals)


def same_padding(kernel: tuple, dilation: tuple) -> tuple:
    """Per spatial dim (before, after) for padding='same' (torch puts the odd extra one after)."""
    out = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        out.append((total // 2, total - total // 2))
    return tuple(out)


def _conv(x: Tensor, w: Tensor, b: Tensor | None, stride: Any, padding: Any, dilation: Any, groups: int,
          nd: int) -> Tensor:
    name = f"conv{nd}d"
    x, unbatched = _batched(x, nd, name)
    stride_t, dil_t = ntuple(stride, nd, "stride"), ntuple(dilation, nd, "dilation")
    _check_weight(w, b, groups, nd, stride_t)
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride_t):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = same_padding(w.data.shape[2:], dil_t)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in ntuple(padding, nd, "padding"))
    _check_params(stride_t, dil_t, [p for pr in pads for p in pr])
    if x.data.shape[1] != w.data.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input{list(x.shape)} to have "
            f"{w.data.shape[1] * groups} channels, but got {x.data.shape[1]} channels instead"
        )
    _check_types(x, w, b)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.data.shape[2:], pads)]
    kern = [d * (k - 1) + 1 for k, d in zip(w.data.shape[2:], dil_t)]
    if any(p < k for p, k in zip(padded, kern)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({_dims(padded)}). Kernel size: ({_dims(kern)}). "
            f"Kernel size can't be greater than actual input size"
        )
    if nd == 1:
        pads, stride_t, dil_t = ((0, 0),) + pads, (1,) + stride_t, (1,) + dil_t
    y = K.conv2d(_as_2d(x, nd), _as_2d(w, nd), b, stride_t, pads[0] + pads[1], dil_t, groups)
    if nd == 1:
        y = reshape(y, y.data.shape[:2] + y.data.shape[3:])
    return reshape(y, y.data.shape[1:]) if unbatched else y


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation: y[n, o, l] = b[o] + sum_{c, k} w[o, c, k] * x_pad[n, c, stride*l + dilation*k]."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation over (N, C, H, W) (or unbatched (C, H, W)) with weight (O, C/groups, kh, kw).

    ``padding`` is an int, a pair, ``'valid'`` or ``'same'`` (stride 1 only); zeros are padded.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def transpose_output_size(in_size: Sequence[int], kernel: Sequence[int], stride: tuple, padding: tuple,
                          output_padding: tuple, dilation: tuple) -> tuple:
    """(H_in - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1 per spatial dim."""
    return tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for i, k, s, p, op, d in zip(in_size, kernel, stride, padding, output_padding, dilation))


def _conv_transpose(x: Tensor, w: Tensor, b: Tensor | None, stride: Any, padding: Any, output_padding: Any,
                    groups: int, dilation: Any, nd: int) -> Tensor:
    name = f"conv_transpose{nd}d"
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    x, unbatched = _batched(x, nd, name)
    stride_t, dil_t = ntuple(stride, nd, "stride"), ntuple(dilation, nd, "dilation")
    pad_t, opad_t = ntuple(padding, nd, "padding"), ntuple(output_padding, nd, "output_padding")
    _check_rank_and_groups(w, groups, nd, stride_t)
    _check_params(stride_t, dil_t, pad_t)
    if x.data.shape[1] != w.data.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(w.shape)}, expected input{list(x.shape)} to have "
            f"{w.data.shape[0]} channels, but got {x.data.shape[1]} channels instead"
        )
    if w.data.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of "
            f"size [{list(w.shape)}] instead"
        )
    cout = w.data.shape[1] * groups
    if b is not None and (b.data.ndim != 1 or b.data.shape[0] != cout):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(w.shape)}, expected bias to be 1-dimensional with {cout} "
            f"elements, but got bias of size {list(b.shape)} instead"
        )
    for op, s, d in zip(opad_t, stride_t, dil_t):
        if op >= s and op >= d:
            dims = ("height", "width") if nd == 2 else ("width",)
            parts = [f"output_padding_{n}: {v}" for n, v in zip(dims, opad_t)]
            parts += [f"stride_{n}: {v}" for n, v in zip(dims, stride_t)]
            parts += [f"dilation_{n}: {v}" for n, v in zip(dims, dil_t)]
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    _check_types(x, w, b)
    out = transpose_output_size(x.data.shape[2:], w.data.shape[2:], stride_t, pad_t, opad_t, dil_t)
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({_dims(x.data.shape[2:])}). Calculated output size per channel: "
            f"({_dims(out)}). Output size is too small"
        )
    if nd == 1:
        stride_t, pad_t, dil_t, out = (1,) + stride_t, (0,) + pad_t, (1,) + dil_t, (1,) + out
    pads4 = (pad_t[0], pad_t[0], pad_t[1], pad_t[1])
    y = K.conv_transpose2d(_as_2d(x, nd), _as_2d(w, nd), b, stride_t, pads4, out, dil_t, groups)
    if nd == 1:
        y = reshape(y, y.data.shape[:2] + y.data.shape[3:])
    return reshape(y, y.data.shape[1:]) if unbatched else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution (the gradient of conv1d w.r.t. its input); weight (C_in, C_out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution (the gradient of conv2d w.r.t. its input); weight (C_in, C_out/groups, kh, kw).

    H_out = (H_in - 1)*stride - 2*padding + dilation*(kh - 1) + output_padding + 1.
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def _window_args(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    return (ntuple(kernel_size, 2, "kernel_size"), ntuple(dilation, 2, "dilation"), ntuple(padding, 2, "padding"),
            ntuple(stride, 2, "stride"))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:  # noqa: A002
    """Sliding local blocks (im2col): (N, C, H, W) -> (N, C*kh*kw, L), blocks in row-major order."""
    k, d, p, s = _window_args(kernel_size, dilation, padding, stride)
    x, unbatched = input, input.data.ndim == 3
    if input.data.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.data.ndim}D)")
    if unbatched:
        x = reshape(x, (1,) + x.data.shape)
    h, w = x.data.shape[2:]
    out = tuple(K.conv_out_size(n, kk, ss, pp, pp, dd) for n, kk, ss, pp, dd in zip((h, w), k, s, p, d))
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
            f"padding=({p[0]}, {p[1]}), calculated shape of the array of sliding blocks as ({out[0]}, {out[1]}), "
            f"but its components must be at least one."
        )
    cols = _W.UnfoldFn.apply(x, _W.window_plan((h, w), k, s, p, d, out))
    n, c = x.data.shape[:2]
    cols = reshape(cols, (n, c * k[0] * k[1], out[0] * out[1]))
    return reshape(cols, cols.data.shape[1:]) if unbatched else cols


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Tensor:
    """Sum sliding local blocks (N, C*kh*kw, L) back into (N, C, *output_size) (col2im; unfold's adjoint)."""
    k, d, p, s = _window_args(kernel_size, dilation, padding, stride)
    size = ntuple(output_size, 2, "output_size")
    x, unbatched = input, input.data.ndim == 2
    if input.data.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {input.data.ndim}D)")
    if unbatched:
        x = reshape(x, (1,) + x.data.shape)
    n, ck, length = x.data.shape
    if ck % (k[0] * k[1]):
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
            f"input.size(1)={ck} and kernel_size=({k[0]}, {k[1]})."
        )
    out = tuple(K.conv_out_size(nn, kk, ss, pp, pp, dd) for nn, kk, ss, pp, dd in zip(size, k, s, p, d))
    if out[0] * out[1] != length:
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
            f"padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), expected size of input's dimension 2 to match the "
            f"calculated number of sliding blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got "
            f"input.size(2)={length}."
        )
    cols = reshape(x, (n, ck // (k[0] * k[1])) + k + out)
    y = _W.FoldFn.apply(cols, _W.window_plan(size, k, s, p, d, out))
    return reshape(y, y.data.shape[1:]) if unbatched else y
