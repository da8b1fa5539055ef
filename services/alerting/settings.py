"""alerting's own settings, from the environment (STREAMSTOCK_ALERTING_*), beside the shared ones."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta


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
    change_retention_seconds: float = 7 * 86400.0
    change_prune_seconds: float = 600.0
    # How long the curve samples of a plan are kept after it closed (30 days); pruned with the
    # change log.
    sample_retention_seconds: float = 30 * 86400.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AlertingSettings:
        env = os.environ if env is None else env
        default = cls()

        def number(name: str, value: float) -> float:
            raw = env.get(f"STREAMSTOCK_ALERTING_{name}", "")
            return float(raw) if raw else value

        return cls(
            gateway_url=env.get("STREAMSTOCK_ALERTING_GATEWAY_URL", ""),
            send_timeout_seconds=number("SEND_TIMEOUT_SECONDS", default.send_timeout_seconds),
            retry_base_seconds=number("RETRY_BASE_SECONDS", default.retry_base_seconds),
            retry_cap_seconds=number("RETRY_CAP_SECONDS", default.retry_cap_seconds),
            max_attempts=int(number("MAX_ATTEMPTS", default.max_attempts)),
            lease_seconds=number("LEASE_SECONDS", default.lease_seconds),
            tick_seconds=number("TICK_SECONDS", default.tick_seconds),
            change_retention_seconds=number(
                "CHANGE_RETENTION_SECONDS", default.change_retention_seconds
            ),
            change_prune_seconds=number("CHANGE_PRUNE_SECONDS", default.change_prune_seconds),
            sample_retention_seconds=number(
                "SAMPLE_RETENTION_SECONDS", default.sample_retention_seconds
            ),
        )

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def change_retention(self) -> timedelta:
        return timedelta(seconds=self.change_retention_seconds)

    @property
    def sample_retention(self) -> timedelta:
        return timedelta(seconds=self.sample_retention_seconds)
