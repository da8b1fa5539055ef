"""Thin runtime shared by the four services: server bootstrap, telemetry, auth, error mapping."""
