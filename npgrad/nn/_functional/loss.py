"""nn.functional: loss ops (being written)."""
__all__: list[str] = []
