"""Retention, in small transactions by a periodic job:
- the alert change log: changes older than the retention go, so WatchAlerts' log stays bounded (see
  adapters/change_log.py for what is never deleted and how an expired resume cursor is recognised);
- curve samples (about one row per second per SKU selling in a session): those of plans that
  closed longer ago than the sample retention go; GetConsumptionCurve of such a plan then shows
  no actual consumption."""

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


async def prune_samples(
    store: Store, now: datetime, retention: timedelta, batch: int = PRUNE_BATCH
) -> int:
    """Prunes the samples of plans closed longer ago than the retention; returns how many went."""
    pruned = 0
    while True:
        async with store.transaction() as tx:
            deleted = await tx.prune_samples(now - retention, batch)
        pruned += deleted
        if deleted < batch:
            return pruned


async def prune(
    store: Store, now: datetime, change_retention: timedelta, sample_retention: timedelta
) -> None:
    """One round of every retention."""
    await prune_change_log(store, now, change_retention)
    await prune_samples(store, now, sample_retention)
