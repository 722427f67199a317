"""AlexNet-style CNN for 28x28 digits and VGG-11 with BatchNorm (torchvision's layout and names)."""
from __future__ import annotations

from typing import Any

from ... import nn

__all__ = ["AlexNetMNIST", "alexnet_mnist", "VGG", "vgg11_bn"]


class AlexNetMNIST(nn.Module):
    """AlexNet's shape (5 conv + 3 fully connected layers) scaled to 1x28x28, with BatchNorm.

    features: conv3 32 - pool - conv3 64 - pool - conv3 128 - conv3 128 - conv3 64 - pool  (28 -> 3)
    classifier: dropout - fc 576->256 - dropout - fc 256->256 - fc 256->classes
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> None:
        super().__init__()

        def block(cin: int, cout: int) -> list:
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

        self.features = nn.Sequential(
            *block(in_channels, 32), nn.MaxPool2d(2),
            *block(32, 64), nn.MaxPool2d(2),
            *block(64, 128), *block(128, 128), *block(128, 64), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(64 * 3 * 3, 256), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(256, 256), nn.ReLU(inplace=True), nn.Linear(256, num_classes),
        )

    def forward(self, x: Any) -> Any:
        return self.classifier(self.features(x).flatten(1))


def alexnet_mnist(num_classes: int = 10, **kw: Any) -> AlexNetMNIST:
    """An AlexNet-shaped CNN for 28x28 images (:class:`AlexNetMNIST`): the five-conv + three-fc layout of
    Krizhevsky et al., 2012 ("ImageNet Classification with Deep Convolutional Neural Networks"), shrunk to
    3x3 convs (with BatchNorm) of 32-64-128-128-64 channels and 256-wide fc layers.

    Input: (N, in_channels, 28, 28) (``in_channels`` = 1 by default; ``dropout`` = 0.5 also via ``kw``);
    output: (N, num_classes) logits. 530,538 parameters with the defaults.
    """
    return AlexNetMNIST(num_classes, **kw)


class VGG(nn.Module):
    """torchvision's VGG: ``features`` (conv-BN-ReLU stacks and max-pools), 7x7 adaptive average pool,
    and a 3-layer ``classifier`` with dropout."""

    def __init__(self, features: nn.Sequential, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(dropout), nn.Linear(4096, num_classes),
        )

    def forward(self, x: Any) -> Any:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def vgg11_bn(num_classes: int = 1000, in_channels: int = 3, **kw: Any) -> VGG:
    """VGG-11 ("configuration A") with BatchNorm after every conv (Simonyan & Zisserman, 2015, "Very Deep
    Convolutional Networks for Large-Scale Image Recognition"), torchvision's layout and parameter names.

    Eight 3x3 conv-BN-ReLU layers (64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M; M = 2x2 max-pool),
    a 7x7 adaptive average pool and three fc layers 25088->4096->4096->num_classes with dropout
    (``dropout`` = 0.5 via ``kw``). Input: (N, in_channels, H, W), designed for 224x224 (any H, W >= 32
    work); output: (N, num_classes) logits. 132,868,840 parameters with the defaults (1000 classes).
    """
    layers: list = []
    cin = in_channels
    for v in (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"):
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            cin = v
    return VGG(nn.Sequential(*layers), num_classes, **kw)
