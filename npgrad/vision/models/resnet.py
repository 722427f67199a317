"""ResNets: the CIFAR family of He et al. (2016) (resnet20/32/44/56/110) and torchvision's ImageNet
layout (resnet18/34/50). Parameter names follow torchvision (``conv1``, ``bn1``, ``layer1.0.conv1``,
``layer1.0.downsample.0``, ``fc``), so state_dicts transfer.
"""
from __future__ import annotations

from typing import Any

from ... import nn

__all__ = [
    "BasicBlock", "Bottleneck", "ResNet", "CifarResNet", "resnet18", "resnet34", "resnet50",
    "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
]


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers plus a shortcut: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x))."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: Any) -> Any:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (carrying the stride, as torchvision's v1.5), 1x1 expand by 4, plus a shortcut."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        width = planes
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: Any) -> Any:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def _make_layer(block: type, inplanes: int, planes: int, blocks: int, stride: int) -> tuple[nn.Sequential, int]:
    downsample = None
    if stride != 1 or inplanes != planes * block.expansion:
        downsample = nn.Sequential(
            nn.Conv2d(inplanes, planes * block.expansion, 1, stride, bias=False), nn.BatchNorm2d(planes * block.expansion)
        )
    layers = [block(inplanes, planes, stride, downsample)]
    inplanes = planes * block.expansion
    layers += [block(inplanes, planes) for _ in range(1, blocks)]
    return nn.Sequential(*layers), inplanes


def _init_weights(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class ResNet(nn.Module):
    """ImageNet-layout ResNet (torchvision's): 7x7 stem, max-pool, four stages, global average pool, fc."""

    def __init__(self, block: type, layers: list[int], num_classes: int = 1000, in_channels: int = 3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        self.layer1, inplanes = _make_layer(block, inplanes, 64, layers[0], 1)
        self.layer2, inplanes = _make_layer(block, inplanes, 128, layers[1], 2)
        self.layer3, inplanes = _make_layer(block, inplanes, 256, layers[2], 2)
        self.layer4, inplanes = _make_layer(block, inplanes, 512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        _init_weights(self)

    def forward(self, x: Any) -> Any:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


class CifarResNet(nn.Module):
    """He et al.'s CIFAR ResNet (depth 6n+2): 3x3 conv 16, three stages of n BasicBlocks with 16/32/64
    channels (stride 2 at stages 2 and 3, 1x1 conv + BN projection shortcuts), global average pool, fc."""

    def __init__(self, depth: int = 20, num_classes: int = 10, in_channels: int = 3) -> None:
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"CIFAR ResNet depth must be 6n+2 (20, 32, 44, 56, 110, ...), got {depth}")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        inplanes = 16
        self.layer1, inplanes = _make_layer(BasicBlock, inplanes, 16, n, 1)
        self.layer2, inplanes = _make_layer(BasicBlock, inplanes, 32, n, 2)
        self.layer3, inplanes = _make_layer(BasicBlock, inplanes, 64, n, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)
        _init_weights(self)

    def forward(self, x: Any) -> Any:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(num_classes: int = 1000, **kw: Any) -> ResNet:
    """ResNet-18 (He et al., 2016, "Deep Residual Learning for Image Recognition") in torchvision's
    ImageNet layout (:class:`ResNet`): 7x7/2 conv 64 stem, 3x3/2 max-pool, four stages of [2, 2, 2, 2]
    BasicBlocks (64, 128, 256, 512 channels; stride 2 from stage 2 on), global average pool and fc.

    Input: (N, 3, H, W), designed for 224x224 (``in_channels`` via ``kw``); output: (N, num_classes) logits.
    11,689,512 parameters with the default 1000 classes. Parameter names match torchvision's, so its
    state_dicts load.
    """
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, **kw)


def resnet34(num_classes: int = 1000, **kw: Any) -> ResNet:
    """ResNet-34 (He et al., 2016, "Deep Residual Learning for Image Recognition") in torchvision's
    ImageNet layout (:class:`ResNet`): 7x7/2 conv 64 stem, 3x3/2 max-pool, four stages of [3, 4, 6, 3]
    BasicBlocks (64, 128, 256, 512 channels; stride 2 from stage 2 on), global average pool and fc.

    Input: (N, 3, H, W), designed for 224x224 (``in_channels`` via ``kw``); output: (N, num_classes) logits.
    21,797,672 parameters with the default 1000 classes. Parameter names match torchvision's, so its
    state_dicts load.
    """
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes, **kw)


def resnet50(num_classes: int = 1000, **kw: Any) -> ResNet:
    """ResNet-50 (He et al., 2016, "Deep Residual Learning for Image Recognition") in torchvision's
    ImageNet layout (:class:`ResNet`): 7x7/2 conv 64 stem, 3x3/2 max-pool, four stages of [3, 4, 6, 3]
    Bottleneck blocks (64, 128, 256, 512 base channels, x4 expansion; stride 2 from stage 2 on), global
    average pool and fc.

    Input: (N, 3, H, W), designed for 224x224 (``in_channels`` via ``kw``); output: (N, num_classes) logits.
    25,557,032 parameters with the default 1000 classes. Parameter names match torchvision's, so its
    state_dicts load.
    """
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, **kw)


def resnet20(num_classes: int = 10, **kw: Any) -> CifarResNet:
    """ResNet-20 for CIFAR (He et al., 2016, "Deep Residual Learning for Image Recognition", section 4.2):
    depth 6n+2 with n = 3 (:class:`CifarResNet`).

    3x3 conv 16, three stages of 3 BasicBlocks with 16, 32, 64 channels (stride 2 at stages 2 and 3, 1x1
    conv + BN projection shortcuts where the shape changes, the paper's option B), global average pool,
    fc 64->num_classes. Input: (N, 3, 32, 32) (``in_channels`` via ``kw``); output: (N, num_classes) logits.
    272,474 parameters with the default 10 classes.
    """
    return CifarResNet(20, num_classes, **kw)


def resnet32(num_classes: int = 10, **kw: Any) -> CifarResNet:
    """ResNet-32 for CIFAR: :func:`resnet20`'s layout with depth 6n+2, n = 5 BasicBlocks per stage.

    Input (N, 3, 32, 32); output (N, num_classes) logits. 466,906 parameters with the default 10 classes.
    """
    return CifarResNet(32, num_classes, **kw)


def resnet44(num_classes: int = 10, **kw: Any) -> CifarResNet:
    """ResNet-44 for CIFAR: :func:`resnet20`'s layout with depth 6n+2, n = 7 BasicBlocks per stage.

    Input (N, 3, 32, 32); output (N, num_classes) logits. 661,338 parameters with the default 10 classes.
    """
    return CifarResNet(44, num_classes, **kw)


def resnet56(num_classes: int = 10, **kw: Any) -> CifarResNet:
    """ResNet-56 for CIFAR: :func:`resnet20`'s layout with depth 6n+2, n = 9 BasicBlocks per stage.

    Input (N, 3, 32, 32); output (N, num_classes) logits. 855,770 parameters with the default 10 classes.
    """
    return CifarResNet(56, num_classes, **kw)


def resnet110(num_classes: int = 10, **kw: Any) -> CifarResNet:
    """ResNet-110 for CIFAR: :func:`resnet20`'s layout with depth 6n+2, n = 18 BasicBlocks per stage.

    Input (N, 3, 32, 32); output (N, num_classes) logits. 1,730,714 parameters with the default 10 classes.
    """
    return CifarResNet(110, num_classes, **kw)
