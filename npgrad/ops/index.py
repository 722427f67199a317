"""Indexing ops (placeholder being written)."""
