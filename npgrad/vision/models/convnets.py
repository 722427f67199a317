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
    layers: list = []
    cin = in_channels
    for v in (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"):
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            cin = v
    return VGG(nn.Sequential(*layers), num_classes, **kw)
