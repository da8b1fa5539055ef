"""inventory: owns stock and holds; the source of truth (DESIGN.md section 1)."""
