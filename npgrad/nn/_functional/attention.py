"""nn.functional: attention ops (being written)."""
__all__: list[str] = []
