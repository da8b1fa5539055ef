"""Retention of the alert change log: a periodic job deletes changes older than the retention, in
small transactions, so WatchAlerts' log stays bounded (see adapters/change_log.py for what is never
deleted and how an expired resume cursor is recognised)."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.alerting.service_layer.ports import Store

PRUNE_BATCH = 5_000


async def prune_change_log(
    store: Store, now: datetime, retention: timedelta, batch: int = PRUNE_BATCH
) -> int:
    """Prunes until nothing older than the retention is left; returns how many changes went."""
    pruned = 0
    while True:
        async with store.transaction() as tx:
            deleted = await tx.prune_changes(now - retention, batch)
        pruned += deleted
        if deleted < batch:
            return pruned
