"""PostgreSQL, Redis and outbound adapters of alerting."""
