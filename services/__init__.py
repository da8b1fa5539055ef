"""StreamStock services: one package per bounded context, plus the thin shared runtime."""
