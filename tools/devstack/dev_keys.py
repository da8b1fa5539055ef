"""The API keys of the local stack, in one place: published on purpose, useless anywhere else.

The services accept keys as SHA-256 digests (`<sha256 hex>:<tenant>:<role>,...` in
STREAMSTOCK_API_KEYS); the plaintext keys below are what local callers put in `x-api-key`.
"""

import hashlib
from typing import Final

DEMO_TENANT: Final = "demo"

ADMIN_KEY: Final = "dev-admin-key"
OPERATOR_KEY: Final = "dev-operator-key"
PLATFORM_KEY: Final = "dev-platform-key"
VIEWER_KEY: Final = "dev-viewer-key"
# What the services present to each other; SERVICE principals act for every tenant.
SERVICE_KEY: Final = "dev-service-key"

_PRINCIPALS: Final = {
    ADMIN_KEY: (DEMO_TENANT, "admin"),
    OPERATOR_KEY: (DEMO_TENANT, "operator"),
    PLATFORM_KEY: (DEMO_TENANT, "platform"),
    VIEWER_KEY: (DEMO_TENANT, "viewer"),
    SERVICE_KEY: ("streamstock", "service"),
}


def api_keys_setting() -> str:
    """The value of STREAMSTOCK_API_KEYS that admits every key above."""
    return ",".join(
        f"{hashlib.sha256(key.encode()).hexdigest()}:{tenant}:{role}"
        for key, (tenant, role) in _PRINCIPALS.items()
    )
