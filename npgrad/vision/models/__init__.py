"""Model constructors in torchvision's style (``npgrad.vision.models.resnet20(num_classes=10)``)."""
from .classic import *  # noqa: F401,F403
from .convnets import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
