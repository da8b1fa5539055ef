"""What grows with traffic is forgotten after its retention, so riskcontrol's tables do not grow
with every attempt ever assessed (a flash sale writes a decision per attempt):

- answered request ids of the mutations (7 days by default): a request id retried after that is
  a new request;
- the audit (90 days by default): decisions, reported outcomes, and allow/deny entries that
  stopped applying (expired or removed). Past it GetDecision answers DECISION_NOT_FOUND and the
  lists no longer show them.

Assess's own replay records and every counter live in Redis and expire there (each key carries a
TTL). Shadow overrides (one row per tenant) and the feedback cursor (one row) do not grow with
traffic and are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from services.riskcontrol.service_layer.ports import Clock, RetentionStore
from services.runtime.periodic import forget_older

log = logging.getLogger(__name__)

# How often the background job looks for rows past their retention.
INTERVAL_SECONDS = 300.0


@dataclass
class Retention:
    store: RetentionStore
    clock: Clock
    # None keeps the rows forever.
    requests: timedelta | None
    audit: timedelta | None

    @property
    def forgets_anything(self) -> bool:
        return self.requests is not None or self.audit is not None

    async def forget_expired(self) -> int:
        """Deletes every row past its retention, a batch at a time; returns how many."""
        now = self.clock.now()
        forgotten = 0
        if self.requests is not None:
            forgotten += await forget_older(
                "request records", self.store.forget_requests, now - self.requests
            )
        if self.audit is not None:
            before = now - self.audit
            forgotten += await forget_older("decisions", self.store.forget_decisions, before)
            forgotten += await forget_older("outcomes", self.store.forget_outcomes, before)
            forgotten += await forget_older(
                "ended list entries", self.store.forget_list_entries, before
            )
        return forgotten
