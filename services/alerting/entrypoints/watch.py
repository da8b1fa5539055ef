"""WatchAlerts: a snapshot of the open alerts (from 0) or the changes after a stored sequence, then
live changes from the change log until the client cancels or the server drains."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime

from streamstock.alerting.v1 import alerts_pb2

from services.alerting.domain.alerts import Alert, AlertState, ChangeKind
from services.alerting.domain.errors import WatchSequenceExpired
from services.alerting.entrypoints import codec
from services.alerting.service_layer.ports import Page, Store

_BATCH = 500
_OPEN = [AlertState.PENDING.value, AlertState.FIRING.value]


def _wanted(alert: Alert, skus: Collection[str], tiers: Collection[int]) -> bool:
    return (not skus or alert.sku_id in skus) and (not tiers or alert.tier.value in tiers)


async def _snapshot(
    store: Store, tenant_id: str, skus: Collection[str], tiers: Collection[int]
) -> tuple[list[alerts_pb2.WatchAlertsResponse], int]:
    async with store.transaction() as tx:
        head = await tx.latest_change(tenant_id)
        alerts, _ = await tx.list_alerts(tenant_id, {"states": _OPEN}, Page(10_000, ""))
    now = codec.timestamp(datetime.now(UTC))
    snapshot = [
        alerts_pb2.WatchAlertsResponse(
            sequence=alert.sequence,
            change=ChangeKind.SNAPSHOT.value,
            alert=codec.alert_message(alert),
            change_time=now,
        )
        for alert in sorted(alerts, key=lambda a: a.sequence)
        if _wanted(alert, skus, tiers)
    ]
    return snapshot, head


async def watch_alerts(
    store: Store,
    tenant_id: str,
    after_sequence: int,
    skus: Collection[str],
    tiers: Collection[int],
    poll_seconds: float,
) -> AsyncIterator[alerts_pb2.WatchAlertsResponse]:
    after = after_sequence
    if after == 0:
        snapshot, after = await _snapshot(store, tenant_id, skus, tiers)
        for message in snapshot:
            yield message
    while True:
        async with store.transaction() as tx:
            # Checked with every read: a stream that falls behind the retention expires as well.
            horizon = await tx.change_horizon(tenant_id)
            if after < horizon:
                raise WatchSequenceExpired(
                    "the resume sequence is older than the retained change log",
                    oldest_sequence=horizon + 1,
                )
            changes = await tx.changes_after(tenant_id, after, _BATCH)
        for sequence, change, change_time in changes:
            after = sequence
            if _wanted(change.alert, skus, tiers):
                yield alerts_pb2.WatchAlertsResponse(
                    sequence=sequence,
                    change=change.kind.value,
                    alert=codec.alert_message(change.alert),
                    change_time=codec.timestamp(change_time),
                )
        if len(changes) < _BATCH:
            await asyncio.sleep(poll_seconds)
