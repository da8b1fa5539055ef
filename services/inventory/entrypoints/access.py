"""Who may call which inventory RPC. Unlisted RPCs (stock administration) are for admins,
operators and StreamStock's own services."""

from __future__ import annotations

import dataclasses

from services.inventory.domain.errors import PlatformMismatch
from services.inventory.service_layer import commands, queries
from services.inventory.service_layer.unit import Unit
from services.runtime.auth import ALL_ROLES, AccessPolicy
from services.runtime.scope import Role, current_principal

_STAFF = frozenset({Role.ADMIN, Role.OPERATOR, Role.SERVICE})
_SELLERS = _STAFF | {Role.PLATFORM}

READS = ("GetSku", "ListSkus", "GetReservation", "ListReservations", "ListLedgerEntries")
HOLDS = (
    "Reserve",
    "Purchase",
    "ConfirmReservation",
    "ReleaseReservation",
    "ExtendReservation",
    "ResizeReservation",
    "ConsumeReservation",
    "ReturnSold",
)

ACCESS = AccessPolicy(
    roles_by_method={
        **dict.fromkeys(READS, ALL_ROLES),
        **dict.fromkeys(HOLDS, _SELLERS),
        "WatchEvents": _STAFF | {Role.VIEWER},
    }
)


def for_buyer_of_key_platform(command: commands.Reserve) -> commands.Reserve:
    """A platform key bound to one platform holds for buyers of that platform only: an empty
    buyer.platform_id takes the key's platform, another one is refused (PLATFORM_MISMATCH).
    Keys of other roles, and platform keys bound to no platform, name any platform."""
    bound = current_principal().platform_id
    named = command.buyer.platform_id
    if not bound or named == bound:
        return command
    if named:
        raise PlatformMismatch("the API key is bound to another platform", platform_id=named)
    buyer = dataclasses.replace(command.buyer, platform_id=bound)
    return dataclasses.replace(command, buyer=buyer)


async def require_hold_of_key_platform(unit: Unit, tenant_id: str, reservation_id: str) -> None:
    """A platform key bound to one platform changes holds of that platform only (read before
    the change: a hold's platform never changes). A missing hold is left to the call."""
    if current_principal().platform_id:
        platform_id = await queries.platform_of_hold(unit, tenant_id, reservation_id)
        if platform_id is not None:
            require_key_platform(platform_id)


def require_key_platform(platform_id: str) -> None:
    """A platform key bound to one platform acts on holds made on that platform only
    (PLATFORM_MISMATCH, metadata platform_id: the hold's)."""
    bound = current_principal().platform_id
    if bound and platform_id != bound:
        raise PlatformMismatch("the hold belongs to another platform", platform_id=platform_id)
