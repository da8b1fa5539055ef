"""What sync forgets, and when: every table that grows with traffic has a retention.

- request_results (answers by request id): the request retention, 7 days by default; a retry after
  it is a new request (for ReportSales its lines are judged again, and are idempotent on their own).
- sale_lines (the dedup records): the dedup window, 30 days by default, after the line's
  occur_time (plus a margin for the clocks of other replicas); a line older than the window is
  refused before it is looked up (domain.sales.too_late), so a forgotten line never counts twice.
  The sold, consumed and returned totals live on the quota rows, never summed from the lines, so
  forgetting lines changes no count. Lines reported without occur_time are kept.
- reconciliations (history): 90 days by default after they started.

A retention of 0 keeps the rows for ever. Times come from the service's clock."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.runtime.periodic import forget_older
from services.sync.service_layer.deps import Ports

log = logging.getLogger(__name__)

# How often the background job looks for rows past their retention.
INTERVAL_SECONDS = 300.0
# Sale lines are kept this much longer than the dedup window: a replica whose clock runs behind
# this one's still refuses every line this one forgot.
CLOCK_MARGIN_SECONDS = 3600.0


@dataclass(frozen=True)
class Retentions:
    """Seconds each kind of row is kept; 0 keeps it for ever."""

    request_results: float
    sale_lines: float
    reconciliations: float


async def forget_old_rows(ports: Ports, kept: Retentions) -> dict[str, int]:
    """Deletes every row past its retention, a batch at a time; returns how many of each."""
    now, store = ports.clock.now(), ports.store
    sale_lines = kept.sale_lines + CLOCK_MARGIN_SECONDS if kept.sale_lines else 0.0
    jobs: list[tuple[str, float, Callable[[float, int], Awaitable[int]]]] = [
        ("request_results", kept.request_results, store.forget_request_results),
        ("sale_lines", sale_lines, store.forget_sale_lines),
        ("reconciliations", kept.reconciliations, store.forget_reconciliations),
    ]
    forgotten: dict[str, int] = {}
    for table, seconds, forget in jobs:
        if seconds:
            forgotten[table] = await forget_older(table, forget, now - seconds)
    return forgotten
