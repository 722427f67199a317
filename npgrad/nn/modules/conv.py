"""Convolution layers: Conv1d/2d, ConvTranspose1d/2d, and Unfold/Fold (torch's attributes, init and repr)."""
from __future__ import annotations

from typing import Any, Sequence

from ...ops.shape import pad as _pad
from ...tensor import Size, Tensor
from .._functional.conv import (
    conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, ntuple, same_padding, unfold,
)
from ._params import kaiming_reset_, weight_and_bias
from .module import Module

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Unfold", "Fold"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Shared state of the conv layers: weight (out, in/groups, *k) — (in, out/groups, *k) when transposed."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 output_padding: Any = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_t, stride_t, dil_t = ntuple(kernel_size, nd, "kernel_size"), ntuple(stride, nd, "stride"), ntuple(
            dilation, nd, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in stride_t):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {{'zeros', 'reflect', 'replicate', 'circular'}}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.dilation = kernel_t, stride_t, dil_t
        self.padding = padding if isinstance(padding, str) else ntuple(padding, nd, "padding")
        self.transposed = self._transposed
        self.output_padding = ntuple(output_padding, nd, "output_padding")
        self.groups, self.padding_mode = groups, padding_mode
        # F.pad order (last dim first) of the explicit padding used by the non-zero padding modes
        if padding == "same":
            pairs = same_padding(kernel_t, dil_t)
        elif padding == "valid":
            pairs = ((0, 0),) * nd
        else:
            pairs = tuple((p, p) for p in self.padding)
        self._reversed_padding_repeated_twice = [p for pair in reversed(pairs) for p in pair]
        shape = ((in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups))
        weight_and_bias(self, shape + kernel_t, (out_channels,), bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight ~ kaiming_uniform(a=sqrt(5)) = U(±1/sqrt(fan_in)); bias ~ U(±1/sqrt(fan_in))."""
        kaiming_reset_(self.weight, self.bias, zero_bias_without_fan_in=False)

    def extra_repr(self) -> str:
        """The constructor arguments that differ from their defaults, for the module's repr."""
        nd = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    _fn: Any = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:  # noqa: A002
        fn = type(self)._fn
        if self.padding_mode != "zeros":
            padded = _pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return fn(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """Convolve ``input`` with the layer's weight and bias (padding per ``padding_mode``)."""
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) (or (C_in, L)); see ``F.conv1d``."""

    _nd = 1
    _fn = staticmethod(conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) (or (C_in, H, W)); see ``F.conv2d``.

    H_out = floor((H + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1.
    """

    _nd = 2
    _fn = staticmethod(conv2d)


class _ConvTranspose(_ConvNd):
    _transposed = True
    _fn: Any = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple:  # noqa: A002
        """output_padding reaching ``output_size`` (which may include batch/channel dims), checked like torch."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        non_spatial = 2 if input.ndim == nd + 2 else 1
        size = output_size
        if len(size) == non_spatial + nd:
            size = size[non_spatial:]
        if len(size) != nd:
            raise ValueError(
                f"ConvTranspose{nd}D: for {input.ndim}D input, output_size must have {nd} or {non_spatial + nd} "
                f"elements (got {len(output_size)})"
            )
        mins, maxs = [], []
        for d in range(nd):
            lo = ((input.shape[d + non_spatial] - 1) * self.stride[d] - 2 * self.padding[d]
                  + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            mins.append(lo)
            maxs.append(lo + self.stride[d] - 1)
        for d in range(nd):
            if not mins[d] <= size[d] <= maxs[d]:
                raise ValueError(
                    f"requested an output size of {size}, but valid sizes range from {mins} to {maxs} (for an input "
                    f"of {Size(input.shape[non_spatial:])})"
                )
        return tuple(size[d] - mins[d] for d in range(nd))

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:  # noqa: A002
        """Transposed convolution of ``input``; ``output_size`` picks among the valid output sizes."""
        output_padding = self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                              self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution over (N, C_in, L); see ``F.conv_transpose1d``."""

    _nd = 1
    _fn = staticmethod(conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution over (N, C_in, H, W); see ``F.conv_transpose2d``.

    H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1.
    """

    _nd = 2
    _fn = staticmethod(conv_transpose2d)


class Unfold(Module):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C*prod(kernel_size), L); see ``F.unfold``."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """The sliding blocks of ``input`` as columns: (N, C, H, W) -> (N, C*kh*kw, L)."""
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        """The window arguments, for the module's repr."""
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Sum sliding local blocks back into (N, C, *output_size); see ``F.fold``."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """The columns of ``input`` (N, C*kh*kw, L) summed back into blocks of (N, C, *output_size)."""
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        """The output size and window arguments, for the module's repr."""
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
