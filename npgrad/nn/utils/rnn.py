"""``npgrad.nn.utils.rnn``: padding and packing of variable-length sequences (torch's module path)."""
from ..modules.rnn_utils import *  # noqa: F401,F403
from ..modules.rnn_utils import __all__  # noqa: F401
