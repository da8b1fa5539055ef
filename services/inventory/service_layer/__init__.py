"""Inventory use cases over ports."""
