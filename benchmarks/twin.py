"""Torch twins of npgrad model code: the same source file executed with ``nn`` bound to ``torch.nn``.

npgrad's model files import their layers as ``from ... import nn``; since npgrad mirrors torch.nn,
re-executing the file with ``nn = torch.nn`` builds the identical architecture in PyTorch. Tests and
benchmarks use this to compare outputs, gradients and speed with copied weights.
"""
from __future__ import annotations

import inspect
import types
from typing import Any


def torch_twin_module(module: types.ModuleType) -> types.ModuleType:
    import torch

    src = inspect.getsource(module)
    if "from ... import nn" not in src:
        raise ValueError(f"{module.__name__} does not import nn as 'from ... import nn'")
    twin = types.ModuleType(module.__name__ + "_torch_twin")
    twin.__dict__["__name__"] = twin.__name__
    exec(compile(src.replace("from ... import nn", "from torch import nn"), module.__file__, "exec"), twin.__dict__)
    twin.__dict__["torch"] = torch
    return twin


def twin_pair(module: types.ModuleType, constructor: str, *args: Any, **kwargs: Any) -> tuple:
    """(npgrad model, torch model) from ``module.constructor(*args, **kwargs)`` with identical weights."""
    import torch

    import npgrad

    torch.manual_seed(0)
    t_model = getattr(torch_twin_module(module), constructor)(*args, **kwargs)
    n_model = getattr(module, constructor)(*args, **kwargs)
    state = {k: npgrad.from_numpy(v.detach().numpy().copy()) for k, v in t_model.state_dict().items()}
    n_model.load_state_dict(state)
    return n_model, t_model
