"""nn.functional: conv ops (being written)."""
__all__: list[str] = []
