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
from datetime import timedelta

from services.inventory.service_layer.unit import Unit
from services.runtime.periodic import in_batches

log = logging.getLogger(__name__)

# Rows deleted per statement: short transactions beside the hold path.
FORGET_BATCH = 5_000
PRUNE_BATCH = 5_000
# How often the background jobs look for rows past their retention.
INTERVAL_SECONDS = 300.0


async def forget_old_requests(unit: Unit, retention: timedelta) -> int:
    """Deletes every request record older than the retention, a batch at a time."""
    answered_before = unit.clock.now() - retention
    forgotten = await in_batches(
        lambda batch: unit.store.forget_requests(answered_before, batch), FORGET_BATCH
    )
    if forgotten:
        log.info("forgot %d request records older than %s", forgotten, retention)
    return forgotten


async def prune_old_events(unit: Unit, retention: timedelta) -> int:
    """Deletes the events committed before the retention, oldest first, a batch at a time."""
    committed_before = unit.clock.now() - retention
    pruned = await in_batches(
        lambda batch: unit.store.prune_events(committed_before, batch), PRUNE_BATCH
    )
    if pruned:
        log.info("pruned %d events older than %s from the event log", pruned, retention)
    return pruned
