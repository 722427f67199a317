"""nn.functional: activation ops (being written)."""
__all__: list[str] = []
