"""Protobuf ↔ domain conversions of sync's contract."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.sync.v1 import (
    allocation_pb2,
    platforms_pb2,
    quotas_pb2,
    reconciliation_pb2,
    sales_pb2,
)

from services.sync.domain.allocation import Hysteresis
from services.sync.domain.errors import InvalidArgument
from services.sync.domain.policy import (
    DEFAULT_ACK_TIMEOUT_SECONDS,
    DEFAULT_HALF_LIFE_SECONDS,
    DEFAULT_PUSH_TIMEOUT_SECONDS,
    AllocationPolicy,
    EndpointKind,
    Platform,
    PlatformMode,
    PushEndpoint,
    Share,
)
from services.sync.domain.quota import Quota
from services.sync.domain.reconcile import PlatformCount
from services.sync.domain.sales import SaleKind, SaleLine
from services.sync.service_layer.ports import (
    PlatformRecord,
    QuotaRecord,
    ReconciliationRecord,
)


def timestamp(seconds: float | None) -> timestamp_pb2.Timestamp | None:
    if seconds is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.fromtimestamp(seconds, UTC))
    return stamp


def seconds_of(stamp: timestamp_pb2.Timestamp) -> float:
    return stamp.seconds + stamp.nanos / 1e9


def duration_seconds(value: duration_pb2.Duration, field: str, default: float) -> float:
    seconds = value.seconds + value.nanos / 1e9
    if seconds < 0:
        raise InvalidArgument(field, "must not be negative")
    return seconds or default


def duration(seconds: float) -> duration_pb2.Duration:
    value = duration_pb2.Duration()
    value.FromNanoseconds(int(seconds * 1e9))
    return value


# platforms


def platform_of(message: platforms_pb2.Platform) -> Platform:
    if message.mode == platforms_pb2.PLATFORM_MODE_UNSPECIFIED:
        raise InvalidArgument("platform.mode", "is required")
    if message.mode not in (platforms_pb2.PLATFORM_MODE_QUOTA, platforms_pb2.PLATFORM_MODE_SHARED):
        raise InvalidArgument("platform.mode", "is not a known mode")
    if message.push_endpoint.kind not in (0, 1, 2):
        raise InvalidArgument("platform.push_endpoint.kind", "is not a known kind")
    endpoint = message.push_endpoint
    return Platform(
        platform_id=message.platform_id,
        display_name=message.display_name,
        mode=PlatformMode(message.mode),
        endpoint=PushEndpoint(
            EndpointKind(endpoint.kind),
            endpoint.url,
            endpoint.credentials_ref,
            duration_seconds(
                endpoint.request_timeout,
                "platform.push_endpoint.request_timeout",
                DEFAULT_PUSH_TIMEOUT_SECONDS,
            ),
        ),
        ack_timeout_seconds=duration_seconds(
            message.ack_timeout, "platform.ack_timeout", DEFAULT_ACK_TIMEOUT_SECONDS
        ),
        disabled=message.disabled,
    )


def platform_message(record: PlatformRecord) -> platforms_pb2.Platform:
    platform, health = record.platform, record.health
    endpoint = platform.endpoint
    return platforms_pb2.Platform(
        platform_id=platform.platform_id,
        display_name=platform.display_name,
        mode=int(platform.mode),
        push_endpoint=platforms_pb2.PushEndpoint(
            kind=int(endpoint.kind),
            url=endpoint.url,
            credentials_ref=endpoint.credentials_ref,
            request_timeout=duration(endpoint.request_timeout_seconds),
        ),
        ack_timeout=duration(platform.ack_timeout_seconds),
        disabled=platform.disabled,
        health=platforms_pb2.PlatformHealth(
            reachable=health.reachable,
            consecutive_failures=health.consecutive_failures,
            last_success_time=timestamp(health.last_success_time),
            last_failure_time=timestamp(health.last_failure_time),
            last_error=health.last_error,
        ),
        create_time=timestamp(record.create_time),
        update_time=timestamp(record.update_time),
    )


# allocation policies


def policy_of(message: allocation_pb2.AllocationPolicy) -> AllocationPolicy:
    # proto3 cannot tell an unset fraction from 0; the contract's default applies to both.
    fraction = message.hysteresis_fraction or 0.1
    return AllocationPolicy(
        sku_id=message.sku_id,
        enabled=message.enabled,
        pool_reserve_units=message.pool_reserve_units,
        shares=tuple(
            Share(s.platform_id, s.weight, s.min_units, s.max_units) for s in message.shares
        ),
        hysteresis=Hysteresis(message.hysteresis_units or 1, fraction),
        half_life_seconds=duration_seconds(
            message.velocity_half_life, "policy.velocity_half_life", DEFAULT_HALF_LIFE_SECONDS
        ),
    )


def policy_message(
    policy: AllocationPolicy, inherited: bool, update_time: float
) -> allocation_pb2.AllocationPolicy:
    return allocation_pb2.AllocationPolicy(
        sku_id=policy.sku_id,
        enabled=policy.enabled,
        pool_reserve_units=policy.pool_reserve_units,
        shares=[
            allocation_pb2.PlatformShare(
                platform_id=s.platform_id,
                weight=s.weight,
                min_units=s.min_units,
                max_units=s.max_units,
            )
            for s in policy.shares
        ],
        hysteresis_units=policy.hysteresis.units,
        hysteresis_fraction=policy.hysteresis.fraction,
        velocity_half_life=duration(policy.half_life_seconds),
        inherited=inherited,
        update_time=timestamp(update_time),
    )


# quotas


def quota_message(record: QuotaRecord, velocity_per_minute: float) -> quotas_pb2.PlatformQuota:
    quota: Quota = record.quota
    return quotas_pb2.PlatformQuota(
        sku_id=quota.sku_id,
        platform_id=quota.platform_id,
        quota_units=quota.quota_units,
        listed_units=quota.listed_units,
        pushed_listed_units=quota.pushed_listed_units,
        sold_units=quota.sold_units,
        pushed_version=quota.pushed_version,
        acknowledged_version=quota.acknowledged_version,
        target_units=quota.target_units,
        velocity_per_minute=velocity_per_minute,
        reservation_id=quota.reservation_id,
        push_status=int(quota.push_status),
        last_push_time=timestamp(quota.last_push_time),
        last_ack_time=timestamp(quota.last_ack_time),
        update_time=timestamp(record.update_time),
    )


# sales


def sale_lines_of(lines: list[sales_pb2.SaleLine]) -> list[SaleLine]:
    converted = []
    for index, line in enumerate(lines):
        if line.kind not in (1, 2, 3):
            raise InvalidArgument(f"lines[{index}].kind", "must be SALE, CANCEL or REFUND")
        converted.append(
            SaleLine(
                line.order_id,
                line.line_id,
                line.sku_id,
                SaleKind(line.kind),
                line.quantity,
                seconds_of(line.occur_time) if line.HasField("occur_time") else 0.0,
            )
        )
    return converted


# reconciliations


def counts_of(counts: list[reconciliation_pb2.PlatformCount]) -> dict[str, PlatformCount]:
    found: dict[str, PlatformCount] = {}
    for index, count in enumerate(counts):
        if not count.sku_id:
            raise InvalidArgument(f"platform_counts[{index}].sku_id", "is required")
        if count.sold_units < 0 or count.listed_units < 0:
            raise InvalidArgument(f"platform_counts[{index}]", "counts must not be negative")
        found[count.sku_id] = PlatformCount(count.sold_units, count.listed_units)
    return found


def reconciliation_message(
    run: ReconciliationRecord, with_drifts: bool
) -> reconciliation_pb2.Reconciliation:
    return reconciliation_pb2.Reconciliation(
        reconciliation_id=run.reconciliation_id,
        trigger=run.trigger,
        state=run.state,
        platform_id=run.platform_id,
        sku_ids=list(run.sku_ids),
        repair=run.repair,
        start_time=timestamp(run.start_time),
        finish_time=timestamp(run.finish_time),
        checked_pair_count=run.checked_pair_count,
        drift_count=len(run.drifts),
        drifts=[_drift(d) for d in run.drifts] if with_drifts else [],
        error=run.error,
    )


def _drift(row: Mapping[str, object]) -> reconciliation_pb2.Drift:
    def number(key: str) -> int:
        value = row[key]
        return int(value) if isinstance(value, (int, float, str)) else 0

    return reconciliation_pb2.Drift(
        sku_id=str(row["sku_id"]),
        platform_id=str(row["platform_id"]),
        kind=number("kind"),
        expected_units=number("expected_units"),
        observed_units=number("observed_units"),
        difference_units=number("difference_units"),
        compensation=reconciliation_pb2.Compensation(
            kind=number("compensation"),
            units=number("units"),
            applied=bool(row["applied"]),
            reference=str(row["reference"]),
        ),
    )
