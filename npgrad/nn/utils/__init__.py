"""npgrad.nn.utils: gradient clipping, parameter <-> vector conversion and module hook plumbing."""
from . import hooks, rnn  # noqa: F401
from .clip_grad import (  # noqa: F401
    clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm, parameters_to_vector,
    vector_to_parameters,
)
