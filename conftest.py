"""Settings shared by every test in the repository (tests/ and the services' own unit tests)."""

from hypothesis import settings

# The suite shares two cores with PostgreSQL, Redis and the services it hosts: a per-example
# deadline would judge the machine's load, not the code (CI once failed an example at 284 ms).
settings.register_profile("streamstock", deadline=None)
settings.load_profile("streamstock")
