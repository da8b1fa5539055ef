"""SQL of configuration (plans, policies, receivers, reminder settings), idempotency and queries."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime

import asyncpg

from services.alerting.adapters import records
from services.alerting.adapters.pages import decode_offset, next_token
from services.alerting.adapters.rows import (
    ALERT_READ,
    alert_row,
    consumption_row,
    delivery_row,
    levels_row,
    plan_row,
    policy_row,
    receiver_row,
    reminder_row,
)
from services.alerting.domain.alerts import Alert
from services.alerting.domain.deliveries import Delivery, DeliveryStatus
from services.alerting.domain.errors import RequestIdReused
from services.alerting.domain.events import StockLevels
from services.alerting.domain.plan import LiveSessionPlan, PlanState
from services.alerting.domain.policy import AlertPolicy
from services.alerting.domain.receivers import Receiver
from services.alerting.domain.reminders import BuyerReminder, BuyerReminderSettings
from services.alerting.domain.session import SessionConsumption
from services.alerting.service_layer.ports import Page


class Filters:
    """Builds a WHERE clause with numbered parameters from optional filters."""

    def __init__(self, tenant_id: str) -> None:
        self.clauses = ["tenant_id = $1"]
        self.args: list[object] = [tenant_id]

    def add(self, clause: str, *values: object) -> None:
        """Each `?` of the clause, in order, becomes the parameter of the next value."""
        for value in values:
            self.args.append(value)
            clause = clause.replace("?", f"${len(self.args)}", 1)
        self.clauses.append(clause)

    def where(self) -> str:
        return " AND ".join(self.clauses)


async def page_of_rows(
    conn: asyncpg.Connection, sql: str, filters: Filters, page: Page
) -> tuple[list[asyncpg.Record], str]:
    offset = decode_offset(page.token)
    n = len(filters.args)
    rows = await conn.fetch(
        f"{sql} LIMIT ${n + 1} OFFSET ${n + 2}", *filters.args, page.size + 1, offset
    )
    return list(rows[: page.size]), next_token(offset, page.size, len(rows))


class ConfigQueries:
    conn: asyncpg.Connection

    async def replay_request(
        self, tenant_id: str, request_id: str, method: str, fingerprint: str
    ) -> bytes | None:
        # Serialises concurrent retries of one request id on the row lock of the key.
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{tenant_id}/{request_id}"
        )
        row = await self.conn.fetchrow(
            "SELECT method, fingerprint, response FROM request_log WHERE tenant_id = $1 AND request_id = $2",
            tenant_id,
            request_id,
        )
        if row is None:
            return None
        if row["method"] != method or row["fingerprint"] != fingerprint:
            raise RequestIdReused(
                "the request_id was already used with different content", request_id=request_id
            )
        return bytes(row["response"])

    async def record_request(
        self,
        tenant_id: str,
        request_id: str,
        method: str,
        fingerprint: str,
        response: bytes,
        now: datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO request_log (tenant_id, request_id, method, fingerprint, response,"
            " record_time) VALUES ($1, $2, $3, $4, $5, $6)",
            tenant_id,
            request_id,
            method,
            fingerprint,
            response,
            now,
        )

    # --- plans ------------------------------------------------------------------------------------

    async def get_plan(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> LiveSessionPlan | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM plans WHERE tenant_id = $1 AND session_id = $2 AND sku_id = $3",
            tenant_id,
            session_id,
            sku_id,
        )
        return plan_row(row) if row else None

    async def lock_plan(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> LiveSessionPlan | None:
        # Plans of one SKU are checked for overlap; the advisory lock serialises their writers.
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 1))", f"{tenant_id}/{sku_id}"
        )
        return await self.get_plan(tenant_id, session_id, sku_id)

    async def plans_of_sku(self, tenant_id: str, sku_id: str) -> list[LiveSessionPlan]:
        rows = await self.conn.fetch(
            "SELECT * FROM plans WHERE tenant_id = $1 AND sku_id = $2 ORDER BY start_time DESC",
            tenant_id,
            sku_id,
        )
        return [plan_row(row) for row in rows]

    async def save_plan(self, plan: LiveSessionPlan) -> None:
        await self.conn.execute(
            "INSERT INTO plans VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            " ON CONFLICT (tenant_id, session_id, sku_id) DO UPDATE SET title = $4, forecast_units = $5,"
            " start_time = $6, end_time = $7, restock_lead_seconds = $8, forecast_confidence = $9,"
            " buffer_factor = $10, ended_time = $11, update_time = $13",
            plan.tenant_id,
            plan.session_id,
            plan.sku_id,
            plan.title,
            plan.forecast_units,
            plan.start_time,
            plan.end_time,
            plan.restock_lead_time.total_seconds(),
            plan.forecast_confidence,
            plan.buffer_factor,
            plan.ended_time,
            plan.create_time,
            plan.update_time,
        )

    async def list_plans(
        self,
        tenant_id: str,
        session_id: str,
        sku_id: str,
        page: Page,
        states: Collection[PlanState] = (),
        now: datetime | None = None,
    ) -> tuple[list[LiveSessionPlan], str]:
        filters = Filters(tenant_id)
        if session_id:
            filters.add("session_id = ?", session_id)
        if sku_id:
            filters.add("sku_id = ?", sku_id)
        if states:
            # LiveSessionPlan.state_at in SQL, so that pages are cut from the matching plans.
            filters.add(
                "(CASE WHEN ?::timestamptz >= least(ended_time, end_time) THEN 3"
                " WHEN ?::timestamptz >= start_time THEN 2 ELSE 1 END) = ANY(?::int[])",
                now,
                now,
                [state.value for state in states],
            )
        rows, token = await page_of_rows(
            self.conn,
            f"SELECT * FROM plans WHERE {filters.where()} ORDER BY start_time DESC, session_id, sku_id",
            filters,
            page,
        )
        return [plan_row(row) for row in rows], token

    # --- policies -----------------------------------------------------------------------------------

    async def get_policy(self, tenant_id: str, sku_id: str) -> AlertPolicy | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM alert_policies WHERE tenant_id = $1 AND sku_id = $2", tenant_id, sku_id
        )
        return policy_row(row) if row else None

    async def save_policy(self, policy: AlertPolicy) -> None:
        await self.conn.execute(
            "INSERT INTO alert_policies VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, sku_id)"
            " DO UPDATE SET body = $3, update_time = $4",
            policy.tenant_id,
            policy.sku_id,
            json.dumps(records.policy_json(policy)),
            policy.update_time,
        )

    async def delete_policy(self, tenant_id: str, sku_id: str) -> bool:
        status = await self.conn.execute(
            "DELETE FROM alert_policies WHERE tenant_id = $1 AND sku_id = $2", tenant_id, sku_id
        )
        return bool(status != "DELETE 0")

    async def list_policies(self, tenant_id: str, page: Page) -> tuple[list[AlertPolicy], str]:
        filters = Filters(tenant_id)
        rows, token = await page_of_rows(
            self.conn,
            f"SELECT * FROM alert_policies WHERE {filters.where()} ORDER BY sku_id",
            filters,
            page,
        )
        return [policy_row(row) for row in rows], token

    # --- receivers ----------------------------------------------------------------------------------

    async def get_receiver(self, tenant_id: str, receiver_id: str) -> Receiver | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM receivers WHERE tenant_id = $1 AND receiver_id = $2",
            tenant_id,
            receiver_id,
        )
        return receiver_row(row) if row else None

    async def save_receiver(self, receiver: Receiver) -> None:
        await self.conn.execute(
            "INSERT INTO receivers VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, receiver_id)"
            " DO UPDATE SET body = $3, update_time = $5",
            receiver.tenant_id,
            receiver.receiver_id,
            json.dumps(records.receiver_json(receiver)),
            receiver.create_time,
            receiver.update_time,
        )

    async def delete_receiver(self, tenant_id: str, receiver_id: str, now: datetime) -> None:
        await self.conn.execute(
            "DELETE FROM receivers WHERE tenant_id = $1 AND receiver_id = $2",
            tenant_id,
            receiver_id,
        )
        await self.conn.execute(
            "UPDATE deliveries SET status = $3, next_attempt_time = NULL, last_error = 'the receiver was removed'"
            " WHERE tenant_id = $1 AND receiver_id = $2 AND status IN (1, 2)",
            tenant_id,
            receiver_id,
            DeliveryStatus.CANCELLED.value,
        )

    async def list_receivers(self, tenant_id: str, page: Page) -> tuple[list[Receiver], str]:
        filters = Filters(tenant_id)
        rows, token = await page_of_rows(
            self.conn,
            f"SELECT * FROM receivers WHERE {filters.where()} ORDER BY receiver_id",
            filters,
            page,
        )
        return [receiver_row(row) for row in rows], token

    # --- alerts -------------------------------------------------------------------------------------

    async def lock_alert(self, tenant_id: str, alert_id: str) -> Alert | None:
        row = await self.conn.fetchrow(
            f"{ALERT_READ} WHERE a.tenant_id = $1 AND a.alert_id = $2 FOR UPDATE OF a",
            tenant_id,
            alert_id,
        )
        return alert_row(row) if row else None

    async def get_alert(self, tenant_id: str, alert_id: str) -> Alert | None:
        row = await self.conn.fetchrow(
            f"{ALERT_READ} WHERE a.tenant_id = $1 AND a.alert_id = $2", tenant_id, alert_id
        )
        return alert_row(row) if row else None

    async def list_alerts(
        self, tenant_id: str, filters: Mapping[str, object], page: Page
    ) -> tuple[list[Alert], str]:
        where = Filters(tenant_id)
        for name, clause in (
            ("states", "state = ANY(?::smallint[])"),
            ("tiers", "tier = ANY(?::smallint[])"),
            ("sku_id", "sku_id = ?"),
            ("session_id", "session_id = ?"),
            ("acknowledged", "acknowledged = ?"),
            ("start_time", "pending_time >= ?"),
            ("end_time", "pending_time < ?"),
        ):
            if name in filters:
                where.add(clause, filters[name])
        rows, token = await page_of_rows(
            self.conn,
            f"{ALERT_READ} WHERE {where.where()} ORDER BY a.pending_time DESC, a.alert_id DESC",
            where,
            page,
        )
        return [alert_row(row) for row in rows], token

    async def open_alerts_of(
        self, tenant_id: str, sku_id: str, session_id: str, lock: bool = False
    ) -> list[Alert]:
        rows = await self.conn.fetch(
            "SELECT * FROM alerts WHERE tenant_id = $1 AND sku_id = $2 AND session_id = $3"
            " AND state <> 3" + (" FOR UPDATE" if lock else ""),
            tenant_id,
            sku_id,
            session_id,
        )
        return [alert_row(row) for row in rows]

    async def consumption_of(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> SessionConsumption | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM session_consumption WHERE tenant_id = $1 AND session_id = $2 AND sku_id = $3",
            tenant_id,
            session_id,
            sku_id,
        )
        return consumption_row(row) if row else None

    async def samples_of(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> list[tuple[datetime, int, int]]:
        rows = await self.conn.fetch(
            "SELECT observed_second, consumed_units, sellable_units FROM consumption_samples"
            " WHERE tenant_id = $1 AND session_id = $2 AND sku_id = $3 ORDER BY observed_second",
            tenant_id,
            session_id,
            sku_id,
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def prune_samples(self, closed_before: datetime, limit: int) -> int:
        # By the plans that closed (their samples are found through the primary key's prefix), so
        # no index on the sample time slows the follower's inserts.
        return int(
            await self.conn.fetchval(
                """
                WITH closed AS (
                    SELECT tenant_id, session_id, sku_id FROM plans
                    WHERE least(end_time, coalesce(ended_time, end_time)) < $1
                ), doomed AS (
                    SELECT s.ctid FROM consumption_samples s
                    JOIN closed c USING (tenant_id, session_id, sku_id) LIMIT $2
                ), deleted AS (
                    DELETE FROM consumption_samples WHERE ctid IN (SELECT ctid FROM doomed)
                    RETURNING 1
                )
                SELECT count(*) FROM deleted
                """,
                closed_before,
                limit,
            )
        )

    async def levels_of(self, tenant_id: str, sku_id: str) -> StockLevels | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM sku_levels WHERE tenant_id = $1 AND sku_id = $2", tenant_id, sku_id
        )
        return levels_row(row) if row else None

    async def list_inbox(
        self, tenant_id: str, receiver_id: str, unacknowledged_only: bool, page: Page
    ) -> tuple[list[tuple[str, Delivery, Alert]], str]:
        where = Filters(tenant_id)
        where.clauses = ["i.tenant_id = $1"]
        where.add("i.receiver_id = ?", receiver_id)
        if unacknowledged_only:
            where.clauses.append("NOT a.acknowledged")
        rows, token = await page_of_rows(
            self.conn,
            "SELECT i.item_id, d.*, a.body, a.sequence,"
            " (SELECT max(n.deliver_time) FROM deliveries n WHERE n.tenant_id = a.tenant_id"
            " AND n.alert_id = a.alert_id) AS last_notify_time FROM inbox_items i"
            " JOIN deliveries d ON d.delivery_id = i.item_id JOIN alerts a ON a.alert_id = i.alert_id"
            f" WHERE {where.where()} ORDER BY i.create_time DESC, i.item_id DESC",
            where,
            page,
        )
        return [(row["item_id"], delivery_row(row), alert_row(row)) for row in rows], token

    async def list_deliveries(
        self, tenant_id: str, filters: Mapping[str, object], page: Page
    ) -> tuple[list[Delivery], str]:
        where = Filters(tenant_id)
        for name, clause in (
            ("alert_id", "alert_id = ?"),
            ("receiver_id", "receiver_id = ?"),
            ("channel", "channel = ?"),
            ("statuses", "status = ANY(?::smallint[])"),
        ):
            if name in filters:
                where.add(clause, filters[name])
        rows, token = await page_of_rows(
            self.conn,
            f"SELECT * FROM deliveries WHERE {where.where()} ORDER BY create_time DESC, due_time DESC, delivery_id DESC",
            where,
            page,
        )
        return [delivery_row(row) for row in rows], token

    # --- buyer reminders ------------------------------------------------------------------------------

    async def get_reminder_settings(self, tenant_id: str) -> BuyerReminderSettings | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM reminder_settings WHERE tenant_id = $1", tenant_id
        )
        if row is None:
            return None
        return records.reminder_settings_from(
            tenant_id, json.loads(row["body"]), row["update_time"]
        )

    async def save_reminder_settings(self, settings: BuyerReminderSettings) -> None:
        await self.conn.execute(
            "INSERT INTO reminder_settings VALUES ($1, $2, $3) ON CONFLICT (tenant_id)"
            " DO UPDATE SET body = $2, update_time = $3",
            settings.tenant_id,
            json.dumps(records.reminder_settings_json(settings)),
            settings.update_time,
        )

    async def list_reminders(
        self, tenant_id: str, filters: Mapping[str, object], page: Page
    ) -> tuple[list[BuyerReminder], str]:
        where = Filters(tenant_id)
        for name, clause in (
            ("user_id", "user_id = ?"),
            ("reservation_id", "reservation_id = ?"),
            ("sku_id", "? = ANY(sku_ids)"),
            ("platform_id", "platform_id = ?"),
            ("statuses", "status = ANY(?::smallint[])"),
        ):
            if name in filters:
                where.add(clause, filters[name])
        rows, token = await page_of_rows(
            self.conn,
            f"SELECT * FROM buyer_reminders WHERE {where.where()} ORDER BY create_time DESC, reminder_id DESC",
            where,
            page,
        )
        return [reminder_row(row) for row in rows], token
