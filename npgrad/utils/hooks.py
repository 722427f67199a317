"""``npgrad.utils.hooks.RemovableHandle``, where ``torch.utils.hooks`` keeps it (defined in ``npgrad.autograd.hooks``)."""
from __future__ import annotations

from ..autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
