"""Settings shared by every test in the repository (tests/ and the services' own unit tests)."""

import os

# Before anything imports grpc: the suite forks PostgreSQL and Redis servers (with a preexec_fn)
# while gRPC servers run in this process, and gRPC's fork handlers then sometimes abort the child
# (seen in CI: redis-server exited with SIGABRT, "epoll_wait error: Bad file descriptor").
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from hypothesis import settings

# The suite shares two cores with PostgreSQL, Redis and the services it hosts: a per-example
# deadline would judge the machine's load, not the code (CI once failed an example at 284 ms).
settings.register_profile("streamstock", deadline=None)
settings.load_profile("streamstock")
