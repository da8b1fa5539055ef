"""Retention of everything that grows with alerts, notifications and requests, in small
transactions by one periodic job (README "Retention" says what is kept forever and why):
- the alert change log: changes older than the retention go, so WatchAlerts' log stays bounded (see
  adapters/change_log.py for what is never deleted and how an expired resume cursor is recognised);
- curve samples (about one row per second per SKU selling in a session): those of plans that
  closed longer ago than the sample retention go; GetConsumptionCurve of such a plan then shows
  no actual consumption;
- request records: a request id answered longer ago than the request retention is forgotten, and
  a retry of it is a new request;
- inbox items, deliveries and resolved alerts (with their finished sale actions), in that order:
  what a kept row shows or needs is kept with it (adapters/retention_sql.py), nothing of an open
  alert goes, and an inbox item nobody acknowledged is kept longer than an acknowledged one;
- buyer reminders no longer pending, once their hold expired longer ago than the retention;
- quarantined events.
A zero retention keeps that table's rows forever."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.alerting.service_layer.ports import Store, Transaction
from services.runtime.periodic import RETENTION_BATCH, in_batches

log = logging.getLogger(__name__)

KEEP_FOREVER = timedelta(0)

Delete = Callable[[Transaction, datetime, int], Awaitable[int]]


@dataclass(frozen=True)
class Retentions:
    """How long each kind of row is kept (KEEP_FOREVER, the default here: not pruned); the
    service's defaults are in settings.py."""

    changes: timedelta = KEEP_FOREVER
    samples: timedelta = KEEP_FOREVER
    requests: timedelta = KEEP_FOREVER
    alerts: timedelta = KEEP_FOREVER
    deliveries: timedelta = KEEP_FOREVER
    read_inbox: timedelta = KEEP_FOREVER
    unread_inbox: timedelta = KEEP_FOREVER
    reminders: timedelta = KEEP_FOREVER
    quarantined: timedelta = KEEP_FOREVER


@dataclass(frozen=True)
class Retention:
    """One kind of row: what it is called in the logs, how long it is kept, how it is deleted
    (`delete(tx, older_than, limit)` deletes at most `limit` rows and returns how many)."""

    rows: str
    keep: timedelta
    delete: Delete


def retentions_in_order(kept: Retentions) -> list[Retention]:
    """Dependents first: an inbox item holds its delivery and alert, a delivery its alert."""
    return [
        Retention(
            "acknowledged inbox items",
            kept.read_inbox,
            lambda tx, before, n: tx.prune_inbox(before, True, n),
        ),
        Retention(
            "unacknowledged inbox items",
            kept.unread_inbox,
            lambda tx, before, n: tx.prune_inbox(before, False, n),
        ),
        Retention("deliveries", kept.deliveries, lambda tx, b, n: tx.prune_deliveries(b, n)),
        Retention("resolved alerts", kept.alerts, lambda tx, b, n: tx.prune_alerts(b, n)),
        Retention("buyer reminders", kept.reminders, lambda tx, b, n: tx.prune_reminders(b, n)),
        Retention("request records", kept.requests, lambda tx, b, n: tx.prune_requests(b, n)),
        Retention(
            "quarantined events", kept.quarantined, lambda tx, b, n: tx.prune_quarantined(b, n)
        ),
        Retention("alert changes", kept.changes, lambda tx, b, n: tx.prune_changes(b, n)),
        Retention("curve samples", kept.samples, lambda tx, b, n: tx.prune_samples(b, n)),
    ]


async def prune_rows(
    store: Store, now: datetime, retention: Retention, batch: int = RETENTION_BATCH
) -> int:
    """Deletes `batch` rows older than the retention per transaction until a transaction deletes
    fewer; returns the total (0 at once when the rows are kept forever)."""
    if retention.keep <= KEEP_FOREVER:
        return 0
    older_than = now - retention.keep

    async def one_transaction(limit: int) -> int:
        async with store.transaction() as tx:
            return await retention.delete(tx, older_than, limit)

    deleted = await in_batches(one_transaction, batch)
    if deleted:
        log.info("pruned %d %s older than %s", deleted, retention.rows, retention.keep)
    return deleted


async def prune(store: Store, now: datetime, kept: Retentions) -> dict[str, int]:
    """One round of every retention; returns how many rows of each kind went."""
    return {
        retention.rows: await prune_rows(store, now, retention)
        for retention in retentions_in_order(kept)
    }


def _only(rows: str, kept: Retentions) -> Retention:
    return next(r for r in retentions_in_order(kept) if r.rows == rows)


async def prune_change_log(
    store: Store, now: datetime, retention: timedelta, batch: int = RETENTION_BATCH
) -> int:
    """Prunes until nothing older than the retention is left; returns how many changes went."""
    return await prune_rows(
        store, now, _only("alert changes", Retentions(changes=retention)), batch
    )


async def prune_samples(
    store: Store, now: datetime, retention: timedelta, batch: int = RETENTION_BATCH
) -> int:
    """Prunes the samples of plans closed longer ago than the retention; returns how many went."""
    return await prune_rows(
        store, now, _only("curve samples", Retentions(samples=retention)), batch
    )
