"""riskcontrol use cases over ports."""
