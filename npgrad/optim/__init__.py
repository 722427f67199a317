"""npgrad.optim: optimizers and learning-rate schedulers (mirrors torch.optim).

    optimizer = npgrad.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = npgrad.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    scheduler.step()

Every optimizer reproduces torch's update arithmetic operation by operation, so float64 runs
agree with torch to round-off, and ``state_dict()`` uses torch's layout.
"""
from . import lr_scheduler  # noqa: F401
from .adam import Adam, AdamW  # noqa: F401
from .adam_variants import Adamax, NAdam, RAdam  # noqa: F401
from .adaptive import Adadelta, Adagrad, RMSprop  # noqa: F401
from .lbfgs import LBFGS  # noqa: F401
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401

__all__ = [
    "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer", "RAdam", "RMSprop", "SGD",
    "lr_scheduler",
]
