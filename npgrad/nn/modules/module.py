"""nn.modules.module (being written)."""
__all__: list[str] = []
