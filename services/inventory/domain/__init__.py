"""Pure inventory logic: stock, reservations, sale policies, errors. Standard library only."""
