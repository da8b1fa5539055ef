"""alerting's own settings, from the environment (STREAMSTOCK_ALERTING_*), beside the shared ones.

Retentions (STREAMSTOCK_ALERTING_<ROWS>_RETENTION_SECONDS, 0 keeps those rows forever; the job runs
every STREAMSTOCK_ALERTING_CHANGE_PRUNE_SECONDS, README "Retention"):
CHANGE (alert change log, 7 days), SAMPLE (curve samples after their plan closed, 30 days), REQUEST
(request ids answered, 7 days: a retry after it is a new request), ALERT (resolved alerts after they
resolved, 90 days), DELIVERY (finished deliveries of resolved alerts, 90 days), INBOX (in-app items of
resolved alerts someone acknowledged, 30 days), UNREAD_INBOX (those of alerts nobody acknowledged, 90
days), REMINDER (buyer reminders sent, failed, skipped or cancelled, 30 days after their hold
expired), QUARANTINE (quarantined inventory events, 90 days).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from services.alerting.service_layer.retention import Retentions
from services.runtime.settings import SettingsError

DAY = 86400.0


@dataclass(frozen=True)
class AlertingSettings:
    # The SMS/phone gateway: POST <gateway_url>/sms and <gateway_url>/calls.
    gateway_url: str = ""
    # Per-attempt timeout of every channel (webhook, gateway, inventory action).
    send_timeout_seconds: float = 5.0
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 300.0
    max_attempts: int = 8
    # A claimed delivery whose sender died returns to the queue after this lease.
    lease_seconds: float = 30.0
    # How often pending alerts, sell-out projections, plan ends and repeats are re-evaluated.
    tick_seconds: float = 5.0
    # How long alert changes stay in the log WatchAlerts resumes from (a week: a dashboard that was
    # away longer starts again from a snapshot), and how often the log is pruned.
    change_retention_seconds: float = 7 * DAY
    change_prune_seconds: float = 600.0
    # How long the curve samples of a plan are kept after it closed (30 days); pruned with the
    # change log, as is everything below (0 keeps the rows forever).
    sample_retention_seconds: float = 30 * DAY
    # How long an answered request id is remembered; a retry after that is a new request.
    request_retention_seconds: float = 7 * DAY
    # Resolved alerts, from their resolution, with their finished sale actions (audit).
    alert_retention_seconds: float = 90 * DAY
    # Finished deliveries of alerts no longer open, from when they were scheduled (audit).
    delivery_retention_seconds: float = 90 * DAY
    # In-app inbox items of resolved alerts, from their arrival: someone acknowledged the alert...
    inbox_retention_seconds: float = 30 * DAY
    # ... or nobody did (operators busy with the show review them afterwards: kept longer).
    unread_inbox_retention_seconds: float = 90 * DAY
    # Buyer reminders no longer pending, once their hold expired this long ago.
    reminder_retention_seconds: float = 30 * DAY
    # Inventory events the follower quarantined (service_layer/poison.py).
    quarantine_retention_seconds: float = 90 * DAY

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AlertingSettings:
        env = os.environ if env is None else env
        default = cls()

        def number(name: str, value: float) -> float:
            variable = f"STREAMSTOCK_ALERTING_{name}"
            raw = env.get(variable, "")
            try:
                parsed = float(raw) if raw else value
            except ValueError as error:
                raise SettingsError(f"{variable}: {error}") from error
            if not math.isfinite(parsed) or parsed < 0:
                raise SettingsError(f"{variable} must be a finite number of at least 0")
            return parsed

        def retention(rows: str) -> float:
            field = f"{rows.lower()}_retention_seconds"
            return number(f"{rows}_RETENTION_SECONDS", getattr(default, field))

        return cls(
            gateway_url=env.get("STREAMSTOCK_ALERTING_GATEWAY_URL", ""),
            send_timeout_seconds=number("SEND_TIMEOUT_SECONDS", default.send_timeout_seconds),
            retry_base_seconds=number("RETRY_BASE_SECONDS", default.retry_base_seconds),
            retry_cap_seconds=number("RETRY_CAP_SECONDS", default.retry_cap_seconds),
            max_attempts=int(number("MAX_ATTEMPTS", default.max_attempts)),
            lease_seconds=number("LEASE_SECONDS", default.lease_seconds),
            tick_seconds=number("TICK_SECONDS", default.tick_seconds),
            change_retention_seconds=retention("CHANGE"),
            change_prune_seconds=number("CHANGE_PRUNE_SECONDS", default.change_prune_seconds),
            sample_retention_seconds=retention("SAMPLE"),
            request_retention_seconds=retention("REQUEST"),
            alert_retention_seconds=retention("ALERT"),
            delivery_retention_seconds=retention("DELIVERY"),
            inbox_retention_seconds=retention("INBOX"),
            unread_inbox_retention_seconds=retention("UNREAD_INBOX"),
            reminder_retention_seconds=retention("REMINDER"),
            quarantine_retention_seconds=retention("QUARANTINE"),
        )

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def retentions(self) -> Retentions:
        def span(seconds: float) -> timedelta:
            return timedelta(seconds=seconds)

        return Retentions(
            changes=span(self.change_retention_seconds),
            samples=span(self.sample_retention_seconds),
            requests=span(self.request_retention_seconds),
            alerts=span(self.alert_retention_seconds),
            deliveries=span(self.delivery_retention_seconds),
            read_inbox=span(self.inbox_retention_seconds),
            unread_inbox=span(self.unread_inbox_retention_seconds),
            reminders=span(self.reminder_retention_seconds),
            quarantined=span(self.quarantine_retention_seconds),
        )
