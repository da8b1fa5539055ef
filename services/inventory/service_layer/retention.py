"""Answered request ids are remembered for the retention (7 days unless configured), long enough
for any retry of a platform backend, and then forgotten, so the idempotency records do not grow
with every hold ever taken. A request id retried after that is a new request."""

from __future__ import annotations

import logging
from datetime import timedelta

from services.inventory.service_layer.unit import Unit
from services.runtime.periodic import in_batches

log = logging.getLogger(__name__)

# Records deleted per statement: short transactions beside the hold path.
FORGET_BATCH = 5_000
# How often the background job looks for records past the retention.
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
