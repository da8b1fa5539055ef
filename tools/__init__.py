"""Developer tooling: code generation and the local stack. Never imported by the services."""
