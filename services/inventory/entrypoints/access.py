"""Who may call which inventory RPC. Unlisted RPCs (stock administration) are for admins,
operators and StreamStock's own services."""

from __future__ import annotations

from services.runtime.auth import ALL_ROLES, AccessPolicy
from services.runtime.scope import Role

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
