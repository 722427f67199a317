"""Image transforms with torchvision's API (``transforms.functional`` as ``F``), plus batched
variants in ``transforms.batch`` for whole uint8 batches."""
from __future__ import annotations

from . import batch, functional
from .functional import InterpolationMode
from .transforms import (
    CenterCrop,
    ColorJitter,
    Compose,
    Lambda,
    Normalize,
    Pad,
    PILToTensor,
    RandomCrop,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomVerticalFlip,
    Resize,
    ToPILImage,
    ToTensor,
)

__all__ = [
    "CenterCrop", "ColorJitter", "Compose", "InterpolationMode", "Lambda", "Normalize", "PILToTensor", "Pad",
    "RandomCrop", "RandomHorizontalFlip", "RandomResizedCrop", "RandomVerticalFlip", "Resize", "ToPILImage",
    "ToTensor", "batch", "functional",
]
