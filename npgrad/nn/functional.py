"""npgrad.nn.functional: every layer as a function (``F.linear``, ``F.conv2d``, ``F.cross_entropy``, ...).

The implementations live in ``npgrad/nn/_functional/``, one family per file.
"""
from ..ops.pointwise import (  # noqa: F401
    celu, elu, gelu, hardsigmoid, hardswish, hardtanh, leaky_relu, logsigmoid, mish, relu, relu6, selu, sigmoid,
    silu, softplus, softsign, tanh, tanhshrink,
)
from ..ops.shape import pad  # noqa: F401
from ._functional.activation import *  # noqa: F401,F403
from ._functional.linear import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.loss_class import *  # noqa: F401,F403
from ._functional.loss_margin import *  # noqa: F401,F403
from ._functional.dropout import *  # noqa: F401,F403
from ._functional.sparse import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.pooling import *  # noqa: F401,F403
from ._functional.normalization import *  # noqa: F401,F403
from ._functional.upsampling import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
