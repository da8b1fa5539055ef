"""Who may call which alerting RPC, as each RPC's comment in the contract says."""

from __future__ import annotations

from services.runtime.auth import AccessPolicy
from services.runtime.scope import Role

_ADMIN = frozenset({Role.ADMIN})
_STAFF = frozenset({Role.ADMIN, Role.OPERATOR})
_READERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.VIEWER})

ACCESS = AccessPolicy(
    roles_by_method={
        **dict.fromkeys(
            (
                "UpsertAlertPolicy",
                "DeleteAlertPolicy",
                "UpsertReceiver",
                "DeleteReceiver",
                "UpdateBuyerReminderSettings",
                "ListQuarantinedEvents",
            ),
            _ADMIN,
        ),
        **dict.fromkeys(
            ("UpsertLiveSessionPlan", "EndLiveSessionPlan", "AcknowledgeAlert"), _STAFF
        ),
        "GetForecast": _READERS | {Role.SERVICE},
    },
    default_roles=_READERS,
)
