"""The benchmark workloads, written once against a framework namespace ``lib`` (``npgrad`` or ``torch``).

Because npgrad mirrors PyTorch's API, the same model code builds both sides; weights are then
copied from the torch model into the npgrad one so both start identical.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def mlp(lib: Any) -> Any:
    """W1/W2: MLP 784-512-256-10 with ReLU."""
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn(lib: Any) -> Any:
    """W3: Conv(1,32,3,p1)-ReLU-MaxPool2-Conv(32,64,3,p1)-ReLU-MaxPool2-Flatten-Linear(3136,128)-ReLU-Linear(128,10)."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def _model_zoo(lib: Any, module: Any, constructor: str) -> Any:
    """npgrad's own model ``module.constructor()``; in torch, its twin (the same source run with torch.nn)."""
    if lib.__name__ == "torch":
        from .twin import torch_twin_module

        module = torch_twin_module(module)
    return getattr(module, constructor)()


def resnet20(lib: Any) -> Any:
    """W4: ResNet-20 for CIFAR (16/32/64 channels, 3x3 BasicBlocks, 1x1-conv+BN projection shortcuts)."""
    from npgrad.vision.models import resnet

    return _model_zoo(lib, resnet, "resnet20")


def lenet5(lib: Any) -> Any:
    """L5: LeNet-5 (conv 6@5x5 pad 2, pool, conv 16@5x5, pool, fc 120-84-10) on 1x28x28."""
    from npgrad.vision.models import classic

    return _model_zoo(lib, classic, "lenet5")


def copy_weights(np_model: Any, torch_model: Any) -> None:
    """Load the torch model's state_dict into the npgrad model (same key names by construction)."""
    import npgrad

    state = {k: npgrad.from_numpy(v.detach().numpy().copy()) for k, v in torch_model.state_dict().items()}
    np_model.load_state_dict(state)


def batch(shape: tuple, classes: int = 10, seed: int = 0) -> tuple:
    rs = np.random.default_rng(seed)
    x = rs.standard_normal(shape).astype(np.float32)
    y = rs.integers(0, classes, shape[0]).astype(np.int64)
    return x, y


def train_step_fn(lib: Any, model: Any, x: np.ndarray, y: np.ndarray, lr: float = 0.01) -> Any:
    """A closure doing one SGD(momentum 0.9) step: zero_grad, forward, cross-entropy, backward, step."""
    xs, ys = lib.from_numpy(x), lib.from_numpy(y)
    opt = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        opt.step()
        return loss

    return step


def infer_fn(lib: Any, model: Any, x: np.ndarray) -> Any:
    xs = lib.from_numpy(x)
    model.eval()

    def step() -> Any:
        with lib.no_grad():
            return model(xs)

    return step


def build_pair(builder: Any, **kw: Any) -> tuple:
    """The same architecture in both libraries with identical weights."""
    import torch

    import npgrad

    torch.manual_seed(0)
    t_model = builder(torch, **kw)
    n_model = builder(npgrad, **kw)
    copy_weights(n_model, t_model)
    return n_model, t_model
