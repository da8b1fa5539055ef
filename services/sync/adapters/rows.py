"""Mapping between sync's table rows and its domain values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.sync.domain.allocation import Hysteresis
from services.sync.domain.policy import (
    AllocationPolicy,
    EndpointKind,
    Platform,
    PlatformMode,
    PushEndpoint,
    Share,
)
from services.sync.domain.quota import PushStatus, Quota
from services.sync.domain.velocity import Velocity
from services.sync.service_layer.ports import (
    PlatformHealth,
    PlatformRecord,
    PolicyRecord,
    QuotaRecord,
    ReconciliationRecord,
)

Row = Mapping[str, Any]


def stamp(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def platform_of(row: Row) -> PlatformRecord:
    platform = Platform(
        platform_id=row["platform_id"],
        display_name=row["display_name"],
        mode=PlatformMode(row["mode"]),
        endpoint=PushEndpoint(
            EndpointKind(row["endpoint_kind"]),
            row["endpoint_url"],
            row["credentials_ref"],
            row["request_timeout_s"],
        ),
        ack_timeout_seconds=row["ack_timeout_s"],
        disabled=row["disabled"],
    )
    health = PlatformHealth(
        row["reachable"],
        row["consecutive_failures"],
        seconds(row["last_success_time"]),
        seconds(row["last_failure_time"]),
        row["last_error"],
        seconds(row["probe_time"]),
    )
    return PlatformRecord(
        platform, health, row["create_time"].timestamp(), row["update_time"].timestamp()
    )


def platform_values(platform: Platform) -> tuple[Any, ...]:
    endpoint = platform.endpoint
    return (
        platform.display_name,
        int(platform.mode),
        int(endpoint.kind),
        endpoint.url,
        endpoint.credentials_ref,
        endpoint.request_timeout_seconds,
        platform.ack_timeout_seconds,
        platform.disabled,
    )


def policy_of(row: Row) -> PolicyRecord:
    shares = tuple(Share(**share) for share in json.loads(row["shares"]))
    policy = AllocationPolicy(
        sku_id=row["sku_id"],
        enabled=row["enabled"],
        pool_reserve_units=row["pool_reserve_units"],
        shares=shares,
        hysteresis=Hysteresis(row["hysteresis_units"], row["hysteresis_fraction"]),
        half_life_seconds=row["half_life_s"],
    )
    return PolicyRecord(policy, row["update_time"].timestamp())


def shares_json(policy: AllocationPolicy) -> str:
    return json.dumps(
        [
            {
                "platform_id": s.platform_id,
                "weight": s.weight,
                "min_units": s.min_units,
                "max_units": s.max_units,
            }
            for s in policy.shares
        ]
    )


QUOTA_COLUMNS = (
    "quota_units",
    "listed_units",
    "pushed_listed_units",
    "pushed_sold_applied",
    "sold_units",
    "consumed_units",
    "returned_units",
    "pushed_version",
    "acknowledged_version",
    "platform_sold_units",
    "target_units",
    "velocity_rate",
    "velocity_time",
    "reservation_id",
    "escrow_seq",
    "push_status",
    "shrink_pending",
    "needs_push",
    "last_push_time",
    "last_ack_time",
)


def quota_of(row: Row) -> Quota:
    return Quota(
        tenant_id=row["tenant_id"],
        sku_id=row["sku_id"],
        platform_id=row["platform_id"],
        quota_units=row["quota_units"],
        listed_units=row["listed_units"],
        pushed_listed_units=row["pushed_listed_units"],
        pushed_sold_applied=row["pushed_sold_applied"],
        sold_units=row["sold_units"],
        consumed_units=row["consumed_units"],
        returned_units=row["returned_units"],
        pushed_version=row["pushed_version"],
        acknowledged_version=row["acknowledged_version"],
        platform_sold_units=row["platform_sold_units"],
        target_units=row["target_units"],
        velocity=Velocity(row["velocity_rate"], row["velocity_time"]),
        reservation_id=row["reservation_id"],
        escrow_seq=row["escrow_seq"],
        push_status=PushStatus(row["push_status"]),
        shrink_pending=row["shrink_pending"],
        needs_push=row["needs_push"],
        last_push_time=seconds(row["last_push_time"]),
        last_ack_time=seconds(row["last_ack_time"]),
    )


def quota_record(row: Row) -> QuotaRecord:
    return QuotaRecord(quota_of(row), row["update_time"].timestamp())


def quota_values(quota: Quota) -> tuple[Any, ...]:
    return (
        quota.quota_units,
        quota.listed_units,
        quota.pushed_listed_units,
        quota.pushed_sold_applied,
        quota.sold_units,
        quota.consumed_units,
        quota.returned_units,
        quota.pushed_version,
        quota.acknowledged_version,
        quota.platform_sold_units,
        quota.target_units,
        quota.velocity.rate_per_second,
        quota.velocity.observed_at,
        quota.reservation_id,
        quota.escrow_seq,
        int(quota.push_status),
        quota.shrink_pending,
        quota.needs_push,
        stamp(quota.last_push_time),
        stamp(quota.last_ack_time),
    )


def reconciliation_of(row: Row) -> ReconciliationRecord:
    return ReconciliationRecord(
        reconciliation_id=row["reconciliation_id"],
        trigger=row["trigger"],
        state=row["state"],
        platform_id=row["platform_id"],
        sku_ids=tuple(row["sku_ids"]),
        repair=row["repair"],
        start_time=row["start_time"].timestamp(),
        finish_time=seconds(row["finish_time"]),
        checked_pair_count=row["checked_pair_count"],
        drifts=tuple(json.loads(row["drifts"])),
        error=row["error"],
    )
