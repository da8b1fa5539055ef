"""Pure sync logic. Standard library only."""
