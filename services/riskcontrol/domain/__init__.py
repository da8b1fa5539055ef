"""Pure riskcontrol logic. Standard library only."""
