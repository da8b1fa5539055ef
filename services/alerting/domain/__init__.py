"""Pure alerting logic. Standard library only."""
