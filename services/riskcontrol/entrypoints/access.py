"""Who may call which riskcontrol RPC (protos: each RPC's comment names its callers)."""

from __future__ import annotations

from services.runtime.auth import AccessPolicy
from services.runtime.scope import Role

_STAFF = frozenset({Role.ADMIN, Role.OPERATOR})
_READERS = _STAFF | {Role.VIEWER}

ACCESS = AccessPolicy(
    roles_by_method={
        "Assess": frozenset({Role.SERVICE}),
        "AssessBatch": frozenset({Role.SERVICE}),
        "CompleteChallenge": frozenset({Role.PLATFORM, Role.SERVICE}),
        "ReportOutcome": _STAFF | {Role.PLATFORM, Role.SERVICE},
        "AddAccessListEntry": _STAFF,
        "RemoveAccessListEntry": _STAFF,
        "ListAccessListEntries": _READERS,
        "GetRuleSet": _READERS | {Role.SERVICE},
        "ValidateRules": _STAFF,
        "SetShadowMode": frozenset({Role.ADMIN}),
        "ListDecisions": _READERS,
        "GetDecision": _READERS | {Role.SERVICE},
        "GetSignals": _STAFF | {Role.SERVICE},
    }
)
