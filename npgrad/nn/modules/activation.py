"""nn.modules.activation (being written)."""
__all__: list[str] = []
