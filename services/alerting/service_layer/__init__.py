"""alerting use cases over ports."""
