"""SQL of the alert change log that WatchAlerts streams, and of its retention.

Retention deletes a prefix of the log (in sequence order), never a change younger than the
retention nor the last change of an alert still open. Each tenant's horizon records the highest
sequence deleted from its log: a resume cursor at or past it has missed nothing, an older one has
(WATCH_SEQUENCE_EXPIRED). Keeping open alerts' last changes means a cursor taken from a snapshot
(the snapshot carries each open alert's latest sequence) is never behind the horizon.
"""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg

from services.alerting.adapters import records
from services.alerting.domain.alerts import AlertChange, ChangeKind

_PRUNE = """
WITH boundary AS (
  SELECT least(
    (SELECT sequence FROM alert_changes WHERE change_time >= $1 ORDER BY sequence LIMIT 1),
    (SELECT min(sequence) FROM alerts WHERE state <> 3 AND sequence > 0)
  ) AS keep_from
), pruned AS (
  DELETE FROM alert_changes WHERE sequence IN (
    SELECT c.sequence FROM alert_changes c, boundary b
    WHERE b.keep_from IS NULL OR c.sequence < b.keep_from
    ORDER BY c.sequence LIMIT $2
  )
  RETURNING tenant_id, sequence
), horizons AS (
  INSERT INTO alert_change_horizons (tenant_id, pruned_through)
  SELECT tenant_id, max(sequence) FROM pruned GROUP BY tenant_id
  ON CONFLICT (tenant_id) DO UPDATE SET pruned_through =
    greatest(alert_change_horizons.pruned_through, EXCLUDED.pruned_through)
)
SELECT count(*) FROM pruned
"""


class ChangeLogQueries:
    conn: asyncpg.Connection

    async def changes_after(
        self, tenant_id: str, after_sequence: int, limit: int
    ) -> list[tuple[int, AlertChange, datetime]]:
        rows = await self.conn.fetch(
            "SELECT sequence, change, change_time, body FROM alert_changes"
            " WHERE tenant_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
            tenant_id,
            after_sequence,
            limit,
        )
        return [
            (
                row["sequence"],
                AlertChange(
                    records.alert_from(json.loads(row["body"]), row["sequence"], None),
                    ChangeKind(row["change"]),
                ),
                row["change_time"],
            )
            for row in rows
        ]

    async def change_horizon(self, tenant_id: str) -> int:
        value = await self.conn.fetchval(
            "SELECT coalesce((SELECT pruned_through FROM alert_change_horizons"
            " WHERE tenant_id = $1), 0)",
            tenant_id,
        )
        return int(value)

    async def latest_change(self, tenant_id: str) -> int:
        value = await self.conn.fetchval(
            "SELECT greatest((SELECT max(sequence) FROM alert_changes WHERE tenant_id = $1),"
            " (SELECT pruned_through FROM alert_change_horizons WHERE tenant_id = $1), 0)",
            tenant_id,
        )
        return int(value)

    async def prune_changes(self, older_than: datetime, limit: int) -> int:
        return int(await self.conn.fetchval(_PRUNE, older_than, limit))
