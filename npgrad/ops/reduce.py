"""Reductions (placeholder being written)."""
