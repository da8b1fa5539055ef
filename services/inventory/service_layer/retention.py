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

from datetime import timedelta

from services.inventory.service_layer.unit import Unit
from services.runtime.periodic import forget_older

# How often the background jobs look for rows past their retention.
INTERVAL_SECONDS = 300.0


async def forget_old_requests(unit: Unit, retention: timedelta) -> int:
    """Deletes every request record older than the retention, a batch at a time."""
    return await forget_older(
        "request records", unit.store.forget_requests, unit.clock.now() - retention
    )


async def prune_old_events(unit: Unit, retention: timedelta) -> int:
    """Deletes the events committed before the retention, oldest first, a batch at a time."""
    return await forget_older("events", unit.store.prune_events, unit.clock.now() - retention)
