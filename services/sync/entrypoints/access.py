"""Who may call which sync RPC, as the contract's comments say."""

from __future__ import annotations

from services.runtime.auth import AccessPolicy
from services.runtime.scope import Role, current_principal
from services.sync.domain.errors import PlatformMismatch

_ADMIN = frozenset({Role.ADMIN})
_READERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.VIEWER})
_PLATFORMS = frozenset({Role.PLATFORM, Role.SERVICE})
_STAFF = frozenset({Role.ADMIN, Role.OPERATOR})

ACCESS = AccessPolicy(
    roles_by_method={
        "RegisterPlatform": _ADMIN,
        "UpdatePlatform": _ADMIN,
        "GetPlatform": _READERS | {Role.PLATFORM},
        "ListPlatforms": _READERS,
        "UpsertAllocationPolicy": _ADMIN,
        "GetAllocationPolicy": _READERS,
        "ListAllocationPolicies": _READERS,
        "DeleteAllocationPolicy": _ADMIN,
        "ListPlatformQuotas": _READERS | {Role.PLATFORM},
        "GetSkuAllocation": _READERS,
        "AcknowledgeListing": _PLATFORMS,
        "ReportSales": _PLATFORMS,
        "Rebalance": _STAFF,
        "Reconcile": _STAFF,
        "ListReconciliations": _READERS,
        "GetReconciliation": _READERS,
    },
    default_roles=frozenset({Role.ADMIN}),
)


def act_as_platform(platform_id: str) -> None:
    """A platform key bound to one platform acts as that platform only: the methods a platform
    may call name it in `platform_id` (an empty one, meaning every platform, is refused too).
    Keys of other roles, and platform keys bound to no platform, pass."""
    if not current_principal().may_act_as_platform(platform_id):
        raise PlatformMismatch("the API key is bound to another platform", platform_id=platform_id)
