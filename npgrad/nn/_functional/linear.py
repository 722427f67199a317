"""nn.functional: linear ops (being written)."""
__all__: list[str] = []
