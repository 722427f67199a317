"""nn.functional: sparse ops (being written)."""
__all__: list[str] = []
