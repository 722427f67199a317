"""nn.functional: pooling ops (being written)."""
__all__: list[str] = []
