"""Request scope of the RPC being served, carried in contextvars (set by the interceptors)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    """What a caller may do. SERVICE keys belong to StreamStock's own services."""

    ADMIN = "admin"
    OPERATOR = "operator"
    PLATFORM = "platform"
    VIEWER = "viewer"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: its tenant and role. SERVICE principals act for every tenant.
    A PLATFORM key may be bound to one platform (`platform_id`); unbound, it acts for every
    platform of its tenant."""

    tenant_id: str
    role: Role
    key_id: str
    platform_id: str = ""

    def may_act_for(self, tenant_id: str) -> bool:
        return self.role is Role.SERVICE or tenant_id == self.tenant_id

    def may_act_as_platform(self, platform_id: str) -> bool:
        """False only for a key bound to another platform (the services check it where a
        request names the platform it acts as)."""
        return not self.platform_id or platform_id == self.platform_id


_principal: ContextVar[Principal | None] = ContextVar("principal", default=None)
_method: ContextVar[str] = ContextVar("method", default="")


def current_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise LookupError("no authenticated principal in this context")
    return principal


def enter(principal: Principal | None, method: str) -> None:
    _principal.set(principal)
    _method.set(method)


def log_fields() -> dict[str, str]:
    fields: dict[str, str] = {}
    if method := _method.get():
        fields["rpc"] = method
    if principal := _principal.get():
        fields["tenant"] = principal.tenant_id
        fields["caller"] = principal.key_id
    return fields
