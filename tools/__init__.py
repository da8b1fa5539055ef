"""Developer tooling: code generation and the local stack. Never imported by the services."""

import os

# The local stack forks PostgreSQL, Redis and the services (with a preexec_fn) from processes that
# also speak gRPC; gRPC's fork handlers can then abort the child. Set before grpc is imported.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
