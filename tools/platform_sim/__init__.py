"""A simulated sales platform for tests and the live-sale run (`python -m tools.platform_sim`)."""
