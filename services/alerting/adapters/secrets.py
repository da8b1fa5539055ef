"""Webhook signing keys, resolved by reference from the environment; keys never cross the API.

`STREAMSTOCK_ALERTING_SECRET_<REF>` holds the key of secret_ref `<ref>` (upper-cased, non
alphanumerics as `_`); a Kubernetes Secret mounted as environment supplies them.

Keys are scoped to tenants: `STREAMSTOCK_ALERTING_SCOPE_<REF>` lists, comma-separated, the tenant
ids that may use the key of `<ref>`. For any other tenant the ref does not exist: configuring it is
refused with SECRET_REF_UNKNOWN (so the refusal tells a tenant nothing about other tenants' refs)
and nothing is signed with it. A key without a scope variable is shared by every tenant (the
single-tenant default, e.g. `STREAMSTOCK_ALERTING_SECRET_DEFAULT`); `shared_refs` names them so
the service can warn at start.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "STREAMSTOCK_ALERTING_SECRET_"
SCOPE_PREFIX = "STREAMSTOCK_ALERTING_SCOPE_"


def _suffix(secret_ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", secret_ref).upper()


def variable_name(secret_ref: str) -> str:
    return PREFIX + _suffix(secret_ref)


def scope_variable_name(secret_ref: str) -> str:
    return SCOPE_PREFIX + _suffix(secret_ref)


class EnvironmentSecrets:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def key(self, secret_ref: str, tenant_id: str) -> bytes | None:
        """The key of the ref for this tenant; None when unset or scoped to other tenants."""
        value = self.env.get(variable_name(secret_ref)) if secret_ref else None
        if not value:
            return None
        scope = self.env.get(scope_variable_name(secret_ref))
        if scope is not None and tenant_id not in {t.strip() for t in scope.split(",")}:
            return None
        return value.encode()

    def for_tenant(self, tenant_id: str) -> TenantSecrets:
        return TenantSecrets(self, tenant_id)

    def shared_refs(self) -> list[str]:
        """Variables of keys every tenant may use (no scope variable)."""
        return sorted(
            name
            for name, value in self.env.items()
            if name.startswith(PREFIX)
            and value
            and SCOPE_PREFIX + name.removeprefix(PREFIX) not in self.env
        )


@dataclass(frozen=True)
class TenantSecrets:
    """The refs one tenant may use (configure.Secrets)."""

    secrets: EnvironmentSecrets
    tenant_id: str

    def knows(self, secret_ref: str) -> bool:
        return self.secrets.key(secret_ref, self.tenant_id) is not None
