"""SQL of the retention job (service_layer/retention.py) and of the quarantined events' list.

Each statement deletes at most `limit` rows found through an index on their age (migration 0010)
and returns how many; the job runs each in its own short transaction until one deletes fewer.
What depends on what: an inbox item shows its delivery and its alert (ListInboxItems joins them),
so neither goes while the item is kept; the dispatcher reads the alert of every delivery it claims
and of every sale action it runs, so an alert goes only when none of its deliveries is scheduled
or retrying and none of its sale actions is pending. Nothing of an open alert is deleted.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.alerting.adapters.config_sql import Filters, page_of_rows
from services.alerting.domain.alerts import ActionStatus, AlertState
from services.alerting.domain.deliveries import DeliveryStatus
from services.alerting.domain.reminders import ReminderStatus
from services.alerting.service_layer.ports import Page, QuarantinedEvent

_RESOLVED = AlertState.RESOLVED.value
_UNFINISHED_DELIVERY = (DeliveryStatus.SCHEDULED.value, DeliveryStatus.RETRYING.value)
# A claim whose lease ran out before the cutoff is long dead (the lease is seconds).
_UNCLAIMED = "(t.claimed_until IS NULL OR t.claimed_until < $1)"


def _delete_by_ctid(table: str, doomed: str) -> str:
    """A statement deleting the rows `doomed` selects (a SELECT of ctid ... LIMIT $2)."""
    return (
        f"WITH doomed AS ({doomed}),"
        f" deleted AS (DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM doomed) RETURNING 1)"
        " SELECT count(*) FROM deleted"
    )


_PRUNE_REQUESTS = _delete_by_ctid(
    "request_log", "SELECT ctid FROM request_log WHERE record_time < $1 LIMIT $2"
)
_PRUNE_INBOX = _delete_by_ctid(
    "inbox_items",
    "SELECT i.ctid FROM inbox_items i WHERE i.create_time < $1"
    " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.alert_id = i.alert_id"
    f" AND (a.state <> {_RESOLVED} OR a.acknowledged <> $3)) LIMIT $2",
)
_PRUNE_DELIVERIES = _delete_by_ctid(
    "deliveries",
    "SELECT t.ctid FROM deliveries t WHERE t.create_time < $1"
    f" AND t.status NOT IN {_UNFINISHED_DELIVERY} AND {_UNCLAIMED}"
    " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.alert_id = t.alert_id"
    f" AND a.state <> {_RESOLVED})"
    " AND NOT EXISTS (SELECT 1 FROM inbox_items i WHERE i.item_id = t.delivery_id) LIMIT $2",
)
# Its finished sale actions go with the alert (their results are in its body). The alerts are
# locked, skipping those another writer holds (a sale action's result lands under that lock).
_PRUNE_ALERTS = f"""
WITH doomed AS (
  SELECT a.alert_id FROM alerts a
  WHERE a.state = {_RESOLVED} AND a.resolve_time < $1
    AND NOT EXISTS (
      SELECT 1 FROM deliveries d WHERE d.alert_id = a.alert_id
      AND (d.status IN {_UNFINISHED_DELIVERY}
           OR EXISTS (SELECT 1 FROM inbox_items i WHERE i.item_id = d.delivery_id)))
    AND NOT EXISTS (
      SELECT 1 FROM sale_actions s WHERE s.alert_id = a.alert_id
      AND s.status = {ActionStatus.PENDING.value})
  ORDER BY a.resolve_time LIMIT $2
  FOR UPDATE OF a SKIP LOCKED
), actions AS (
  DELETE FROM sale_actions WHERE alert_id = ANY(ARRAY(SELECT alert_id FROM doomed))
), deleted AS (
  DELETE FROM alerts WHERE alert_id = ANY(ARRAY(SELECT alert_id FROM doomed)) RETURNING 1
)
SELECT count(*) FROM deleted
"""
_PRUNE_REMINDERS = _delete_by_ctid(
    "buyer_reminders",
    "SELECT t.ctid FROM buyer_reminders t WHERE t.create_time < $1"
    f" AND t.status <> {ReminderStatus.PENDING.value} AND {_UNCLAIMED}"
    " AND coalesce(t.hold_expire_time, t.create_time) < $1 LIMIT $2",
)
_PRUNE_QUARANTINED = _delete_by_ctid(
    "quarantined_events",
    "SELECT ctid FROM quarantined_events WHERE quarantine_time < $1 LIMIT $2",
)


# Each batch looks up what a candidate row depends on by key, row by row. With a large table the
# planner otherwise hashed the whole of inbox_items (or every open alert) for each batch of 5,000,
# a cost growing with the table. SET LOCAL: until this short transaction ends.
_BY_KEY = (
    "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),"
    " set_config('enable_seqscan', 'off', true)"
)


class RetentionQueries:
    conn: asyncpg.Connection

    async def _count(self, sql: str, *args: object) -> int:
        await self.conn.execute(_BY_KEY)
        return int(await self.conn.fetchval(sql, *args))

    async def prune_requests(self, answered_before: datetime, limit: int) -> int:
        return await self._count(_PRUNE_REQUESTS, answered_before, limit)

    async def prune_inbox(self, created_before: datetime, acknowledged: bool, limit: int) -> int:
        return await self._count(_PRUNE_INBOX, created_before, limit, acknowledged)

    async def prune_deliveries(self, created_before: datetime, limit: int) -> int:
        return await self._count(_PRUNE_DELIVERIES, created_before, limit)

    async def prune_alerts(self, resolved_before: datetime, limit: int) -> int:
        return await self._count(_PRUNE_ALERTS, resolved_before, limit)

    async def prune_reminders(self, before: datetime, limit: int) -> int:
        return await self._count(_PRUNE_REMINDERS, before, limit)

    async def prune_quarantined(self, quarantined_before: datetime, limit: int) -> int:
        return await self._count(_PRUNE_QUARANTINED, quarantined_before, limit)

    async def list_quarantined(
        self, tenant_id: str, sku_id: str, page: Page
    ) -> tuple[list[QuarantinedEvent], str]:
        where = Filters(tenant_id)
        if sku_id:
            where.add("sku_id = ?", sku_id)
        rows, token = await page_of_rows(
            self.conn,
            "SELECT sequence, tenant_id, sku_id, occur_time, error, quarantine_time"
            f" FROM quarantined_events WHERE {where.where()}"
            " ORDER BY quarantine_time DESC, sequence DESC",
            where,
            page,
        )
        return [QuarantinedEvent(**row) for row in rows], token
