"""PostgreSQL, Redis and outbound gRPC adapters of inventory."""
