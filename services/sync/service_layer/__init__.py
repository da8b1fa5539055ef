"""sync use cases over ports."""
