"""PostgreSQL, Redis and outbound adapters of riskcontrol."""
