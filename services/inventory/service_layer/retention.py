"""What inventory forgets, and when (see the service README, "Retention").

Answered request ids are remembered for the request retention (7 days unless configured), long
enough for any retry of a platform backend, and then forgotten, so the idempotency records do not
grow with every hold ever taken. A request id retried after that is a new request.

Events stay in the log WatchEvents streams for the event retention (7 days unless configured),
then leave it as a prefix in sequence order. A consumer whose cursor lies before the pruned prefix
is told so (EVENTS_PRUNED, with the oldest sequence kept) instead of silently missing events.

Holds, their lines and the ledger are never deleted: they are the sales and stock record.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from services.inventory.service_layer.unit import Unit
from services.runtime.periodic import in_batches

log = logging.getLogger(__name__)

# Rows deleted per statement: short transactions beside the hold path.
BATCH = 5_000
# How often the background jobs look for rows past their retention.
INTERVAL_SECONDS = 300.0


async def forget_old_requests(unit: Unit, retention: timedelta) -> int:
    """Deletes every request record older than the retention, a batch at a time."""
    return await _delete_older(unit, retention, unit.store.forget_requests, "request records")


async def prune_old_events(unit: Unit, retention: timedelta) -> int:
    """Deletes the events committed before the retention, oldest first, a batch at a time."""
    return await _delete_older(unit, retention, unit.store.prune_events, "events")


async def _delete_older(
    unit: Unit,
    retention: timedelta,
    delete: Callable[[datetime, int], Awaitable[int]],
    what: str,
) -> int:
    before = unit.clock.now() - retention
    deleted = await in_batches(lambda batch: delete(before, batch), BATCH)
    if deleted:
        log.info("deleted %d %s older than %s", deleted, what, retention)
    return deleted
