"""Small classic classifiers: an MLP and LeNet-5 (for 28x28 single-channel images such as MNIST)."""
from __future__ import annotations

from typing import Sequence

from ... import nn

__all__ = ["MLP", "mlp", "LeNet5", "lenet5"]


class MLP(nn.Module):
    """Flatten, then Linear-ReLU blocks and a final Linear: ``in_features -> hidden... -> num_classes``."""

    def __init__(self, in_features: int = 784, hidden: Sequence[int] = (256, 128), num_classes: int = 10,
                 dropout: float = 0.0) -> None:
        super().__init__()
        layers: list = [nn.Flatten()]
        width = in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):  # type: ignore[no-untyped-def]
        return self.layers(x)


def mlp(in_features: int = 784, hidden: Sequence[int] = (256, 128), num_classes: int = 10, dropout: float = 0.0) -> MLP:
    """A multi-layer perceptron classifier (:class:`MLP`): Flatten, then Linear + ReLU (+ Dropout when
    ``dropout`` > 0) for each width in ``hidden``, then a final Linear to ``num_classes`` logits.

    Input: (N, *) with prod(*) == ``in_features`` (default (N, 1, 28, 28) MNIST images); output: (N, num_classes).
    Default configuration 784-256-128-10: 235,146 parameters.
    """
    return MLP(in_features, tuple(hidden), num_classes, dropout)


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998) for 1x28x28 input: conv5(pad 2)-pool-conv5-pool-120-84-classes, ReLU."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes),
        )

    def forward(self, x):  # type: ignore[no-untyped-def]
        return self.classifier(self.features(x))


def lenet5(num_classes: int = 10, in_channels: int = 1) -> LeNet5:
    """LeNet-5 (:class:`LeNet5`; LeCun et al., 1998, "Gradient-based learning applied to document
    recognition"), with ReLU and max-pooling in place of the original sigmoid units and subsampling.

    conv 5x5 6 (padding 2) - pool 2 - conv 5x5 16 - pool 2 - fc 400->120 - fc 120->84 - fc 84->num_classes.
    Input: (N, in_channels, 28, 28); output: (N, num_classes) logits. 61,706 parameters with the defaults.
    """
    return LeNet5(num_classes, in_channels)
