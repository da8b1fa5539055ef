"""riskcontrol's own settings, read from the environment next to the shared ServiceSettings.

    STREAMSTOCK_RISKCONTROL_KEY_SECRET              HMAC key of IP and device hashes (a Secret)
    STREAMSTOCK_RISKCONTROL_RULES_FILE              the rules document, hot reloaded
    STREAMSTOCK_RISKCONTROL_RULES_POLL_SECONDS      how often the document is checked (1)
    STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS        Redis budget without a caller deadline (100)
    STREAMSTOCK_RISKCONTROL_FOLLOW_INVENTORY        follow inventory's events (1)
    STREAMSTOCK_RISKCONTROL_REQUEST_RETENTION_SECONDS  how long answered request ids of the
        mutations are remembered (604800: 7 days); a retry after that is a new request
    STREAMSTOCK_RISKCONTROL_AUDIT_RETENTION_SECONDS    how long decisions, reported outcomes and
        ended list entries are kept (7776000: 90 days); at least the request retention
    STREAMSTOCK_RISKCONTROL_PROVISIONAL_GRACE_SECONDS  how long an allowed attempt counts against
        its buyer's purchase limit without inventory's event reporting its hold (120)

A retention of 0 keeps the rows forever.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from services.runtime.settings import SettingsError

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "rules" / "default.yaml"
# Local runs and tests only; a deployment sets its own secret (a Kubernetes Secret).
DEVELOPMENT_KEY_SECRET = "streamstock-development-only-risk-key-secret"
DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class RiskSettings:
    rules_file: Path = DEFAULT_RULES_FILE
    key_secret: str = DEVELOPMENT_KEY_SECRET
    assess_budget_seconds: float = 0.1
    rules_poll_seconds: float = 1.0
    follow_inventory: bool = True
    # Answered request ids of AddAccessListEntry, RemoveAccessListEntry, SetShadowMode and
    # ReportOutcome: long enough for any retry of a platform backend or an operator's tool.
    request_retention_seconds: float = 7 * DAY_SECONDS
    # The audit (decisions, outcomes, ended list entries): long enough to settle disputes and
    # chargebacks of a sale (a presale runs weeks from deposit to delivery) and to compare shadow
    # rules over the sales since the last tuning.
    audit_retention_seconds: float = 90 * DAY_SECONDS
    # An allowed attempt that inventory refused (or whose hold call failed) never becomes a hold
    # and no event tells riskcontrol: its units stop counting against the buyer's purchase limit
    # after this. Well above a hold's deadline (seconds at most) and the follower's normal lag.
    provisional_grace_seconds: float = 120.0

    def __post_init__(self) -> None:
        grace = self.provisional_grace_seconds
        if not math.isfinite(grace) or grace <= 0:
            raise SettingsError(
                f"riskcontrol provisional_grace_seconds must be positive, not {grace}"
            )
        for name in ("request_retention_seconds", "audit_retention_seconds"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise SettingsError(f"riskcontrol {name} must be 0 (keep) or positive, not {value}")
        audit, requests = self.audit_retention_seconds, self.request_retention_seconds
        # A retried ReportOutcome answers with its outcome's row, and a replayed Assess with its
        # decision (its replay record lasts a day): the audit must outlive both records.
        if audit and (not requests or audit < max(requests, DAY_SECONDS)):
            raise SettingsError(
                "STREAMSTOCK_RISKCONTROL_AUDIT_RETENTION_SECONDS must be 0 (keep) or at least one"
                " day and at least STREAMSTOCK_RISKCONTROL_REQUEST_RETENTION_SECONDS (not 0)"
            )

    @property
    def provisional_grace(self) -> timedelta:
        return timedelta(seconds=self.provisional_grace_seconds)

    @property
    def request_retention(self) -> timedelta | None:
        """None keeps every request record."""
        return _retention(self.request_retention_seconds)

    @property
    def audit_retention(self) -> timedelta | None:
        """None keeps the whole audit."""
        return _retention(self.audit_retention_seconds)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RiskSettings:
        env = os.environ if env is None else env

        def number(name: str, default: float) -> float:
            raw = env.get(f"STREAMSTOCK_RISKCONTROL_{name}", "")
            return float(raw) if raw else default

        try:
            budget_ms = number("ASSESS_BUDGET_MS", 100)
            poll = number("RULES_POLL_SECONDS", 1)
            requests = number("REQUEST_RETENTION_SECONDS", cls.request_retention_seconds)
            audit = number("AUDIT_RETENTION_SECONDS", cls.audit_retention_seconds)
            grace = number("PROVISIONAL_GRACE_SECONDS", cls.provisional_grace_seconds)
        except ValueError as exc:
            raise SettingsError(f"riskcontrol number setting is malformed: {exc}") from exc
        return cls(
            rules_file=Path(env.get("STREAMSTOCK_RISKCONTROL_RULES_FILE") or DEFAULT_RULES_FILE),
            key_secret=env.get("STREAMSTOCK_RISKCONTROL_KEY_SECRET") or DEVELOPMENT_KEY_SECRET,
            assess_budget_seconds=budget_ms / 1000,
            rules_poll_seconds=poll,
            follow_inventory=env.get("STREAMSTOCK_RISKCONTROL_FOLLOW_INVENTORY", "1")
            not in ("0", "false", "no"),
            request_retention_seconds=requests,
            audit_retention_seconds=audit,
            provisional_grace_seconds=grace,
        )


def _retention(seconds: float) -> timedelta | None:
    return timedelta(seconds=seconds) if seconds else None
