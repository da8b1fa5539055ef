"""PostgreSQL, Redis and outbound adapters of sync."""
