"""nn.functional: upsampling ops (being written)."""
__all__: list[str] = []
