"""Retention, in small transactions by a periodic job:
- the alert change log: changes older than the retention go, so WatchAlerts' log stays bounded (see
  adapters/change_log.py for what is never deleted and how an expired resume cursor is recognised);
- curve samples (about one row per second per SKU selling in a session): those of plans that
  closed longer ago than the sample retention go; GetConsumptionCurve of such a plan then shows
  no actual consumption."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from services.alerting.service_layer.ports import Store, Transaction
from services.runtime.periodic import in_batches

PRUNE_BATCH = 5_000


async def _prune_all(
    store: Store, delete: Callable[[Transaction, int], Awaitable[int]], batch: int
) -> int:
    """Deletes `batch` rows per transaction until a transaction deletes fewer; returns the total."""

    async def one_transaction(limit: int) -> int:
        async with store.transaction() as tx:
            return await delete(tx, limit)

    return await in_batches(one_transaction, batch)


async def prune_change_log(
    store: Store, now: datetime, retention: timedelta, batch: int = PRUNE_BATCH
) -> int:
    """Prunes until nothing older than the retention is left; returns how many changes went."""
    return await _prune_all(store, lambda tx, n: tx.prune_changes(now - retention, n), batch)


async def prune_samples(
    store: Store, now: datetime, retention: timedelta, batch: int = PRUNE_BATCH
) -> int:
    """Prunes the samples of plans closed longer ago than the retention; returns how many went."""
    return await _prune_all(store, lambda tx, n: tx.prune_samples(now - retention, n), batch)


async def prune(
    store: Store, now: datetime, change_retention: timedelta, sample_retention: timedelta
) -> None:
    """One round of every retention."""
    await prune_change_log(store, now, change_retention)
    await prune_samples(store, now, sample_retention)
