"""Implementation files behind ``npgrad.nn.functional`` (one family of ops per file)."""
