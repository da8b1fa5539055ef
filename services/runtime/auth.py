"""API keys in metadata → tenant and role; requests naming another tenant are refused.

Keys are configured as SHA-256 digests (`STREAMSTOCK_API_KEYS="<sha256 hex>:<tenant>:<role>,..."`),
so neither the environment nor a ConfigMap ever holds a usable key. A platform's key may be bound
to its platform: `<sha256 hex>:<tenant>:platform:<platform id>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from services.runtime.errors import AccessError
from services.runtime.scope import Principal, Role

API_KEY_HEADER = "x-api-key"

# Health checks and reflection must answer probes and tools that carry no key.
PUBLIC_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class ApiKeyConfigError(ValueError):
    """STREAMSTOCK_API_KEYS is malformed; the message names the bad entry."""


@dataclass(frozen=True)
class ApiKeyRegistry:
    """Known keys by digest."""

    principals: Mapping[str, Principal]

    @classmethod
    def parse(cls, spec: str) -> ApiKeyRegistry:
        principals: dict[str, Principal] = {}
        for position, entry in enumerate(e.strip() for e in spec.split(",") if e.strip()):
            parts = entry.split(":")
            bound = len(parts) == 4 and parts[2] == Role.PLATFORM.value and parts[3]
            if len(parts) != 3 and not bound:
                raise ApiKeyConfigError(
                    f"entry {position + 1} must be <sha256>:<tenant>:<role> or "
                    f"<sha256>:<tenant>:platform:<platform id>, got {entry!r}"
                )
            key_digest, tenant, role = parts[0].lower(), parts[1], parts[2]
            platform_id = parts[3] if bound else ""
            if not _HEX_DIGEST.fullmatch(key_digest) or not tenant:
                raise ApiKeyConfigError(f"entry {position + 1} has a bad digest or empty tenant")
            if key_digest in principals:
                raise ApiKeyConfigError(
                    f"entry {position + 1} repeats the key of an earlier entry "
                    f"(tenant {principals[key_digest].tenant_id!r})"
                )
            try:
                principals[key_digest] = Principal(tenant, Role(role), key_digest[:8], platform_id)
            except ValueError as exc:
                raise ApiKeyConfigError(f"entry {position + 1} has unknown role {role!r}") from exc
        return cls(principals)

    def authenticate(self, metadata: Sequence[tuple[str, str | bytes]]) -> Principal:
        presented = _presented_key(metadata)
        if presented is None:
            raise AccessError("API_KEY_MISSING", f"metadata {API_KEY_HEADER!r} is required")
        presented_digest = digest(presented)
        for known_digest, principal in self.principals.items():
            if hmac.compare_digest(known_digest, presented_digest):
                return principal
        raise AccessError("API_KEY_UNKNOWN", "the API key is not known")


def _presented_key(metadata: Sequence[tuple[str, str | bytes]]) -> str | None:
    for key, value in metadata:
        text = value.decode() if isinstance(value, bytes) else value
        if key == API_KEY_HEADER and text:
            return text
        if key == "authorization" and text.lower().startswith("bearer "):
            return text[7:].strip()
    return None


@dataclass(frozen=True)
class AccessPolicy:
    """Which roles may call which RPC (by method name). Unlisted RPCs: the default roles."""

    roles_by_method: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    default_roles: frozenset[Role] = frozenset({Role.ADMIN, Role.OPERATOR, Role.SERVICE})

    def check(self, principal: Principal, method_name: str) -> None:
        allowed = self.roles_by_method.get(method_name, self.default_roles)
        if principal.role not in allowed:
            raise AccessError(
                "ROLE_NOT_ALLOWED",
                f"role {principal.role.value} may not call {method_name}",
                role=principal.role.value,
                method=method_name,
            )


def check_tenant(principal: Principal, request: object) -> None:
    """Refuses a request that names a tenant other than the caller's."""
    tenant_id = getattr(request, "tenant_id", None)
    if tenant_id is None or principal.role is Role.SERVICE:
        return
    if tenant_id == "":
        raise AccessError("INVALID_ARGUMENT", "tenant_id is required", field="tenant_id")
    if not principal.may_act_for(tenant_id):
        raise AccessError(
            "TENANT_MISMATCH",
            "the API key does not belong to the requested tenant",
            tenant_id=tenant_id,
        )


ALL_ROLES = frozenset(Role)
