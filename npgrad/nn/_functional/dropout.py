"""nn.functional: dropout ops (being written)."""
__all__: list[str] = []
