"""alerting's PostgreSQL store: the only place with SQL. One Transaction per use case."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg

from services.alerting.adapters import bulk, records
from services.alerting.adapters.change_log import ChangeLogQueries
from services.alerting.adapters.config_sql import ConfigQueries
from services.alerting.adapters.retention_sql import RetentionQueries
from services.alerting.adapters.rows import (
    DecodedAlerts,
    alert_row,
    consumption_row,
    delivery_row,
    levels_row,
    plan_row,
    policy_row,
    receiver_row,
    reminder_row,
    sale_status_row,
)
from services.alerting.domain.alerts import (
    Alert,
    AlertChange,
    ChangeKind,
)
from services.alerting.domain.deliveries import Delivery, DeliveryStatus, NotificationKind
from services.alerting.domain.events import StockEvent
from services.alerting.domain.policy import AlertPolicy, ResponseAction
from services.alerting.domain.receivers import Channel
from services.alerting.domain.reminders import BuyerReminder, ReminderStatus
from services.alerting.service_layer.ports import (
    ActionOutcome,
    ClaimedAction,
    ClaimedDelivery,
    DeliveryOutcome,
    FollowContext,
    SaleActionRequest,
    SkuKey,
    Writes,
)

WORK_CHANNEL = "alerting_work"
CHANGES_CHANNEL = "alerting_changes"

_OPEN_DELIVERY = (DeliveryStatus.SCHEDULED.value, DeliveryStatus.RETRYING.value)
_STOP_KINDS = [NotificationKind.ESCALATION.value, NotificationKind.REPEAT.value]
_KEY = (("tenant_id", "text"), ("sku_id", "text"))
_LEVEL_COLUMNS = (
    *_KEY,
    *((name, "bigint") for name in ("on_hand", "withheld", "reserved", "sold", "sellable")),
    ("observed_at", "timestamptz"),
)
_SESSION_KEY = (("tenant_id", "text"), ("session_id", "text"), ("sku_id", "text"))
_CONSUMPTION_COLUMNS = (
    *_SESSION_KEY,
    *(
        (name, "bigint")
        for name in ("baseline_units", "consumed_units", "restocked_units", "sellable_units")
    ),
    ("burn_rate", "float8"),
    ("burn_observed_at", "timestamptz"),
    ("early_peak_fraction", "float8"),
)
_LOCK_CHECKPOINT = (
    "INSERT INTO follower_checkpoints (follower, last_sequence) VALUES ($1, 0)"
    " ON CONFLICT (follower) DO UPDATE SET last_sequence = follower_checkpoints.last_sequence"
)
# Every transaction under the follower's lock reads and writes the rows of a few SKUs by key. With
# the tables' first statistics (a thousand SKUs) the planner hashed whole tables for each batch
# (sku_levels, plans, session_consumption: 0.9 ms of a 2.3 ms context load for 10 SKUs, growing
# with the catalogue), so these transactions plan without sequential scans. set_config(..., true)
# is SET LOCAL: it lasts until the transaction ends.
_BY_KEY = "set_config('enable_seqscan', 'off', true)"
_CHECKPOINT_COLUMNS = (
    ("follower", "text"),
    ("last_sequence", "bigint"),
    ("event_time", "timestamptz"),
    ("applied_time", "timestamptz"),
)
_BATCH_KEYS = "unnest($1::text[], $2::text[]) AS k(tenant_id, sku_id)"
# An open alert whose sale action is pending (status 1) may get the action's result from the
# dispatcher at any moment: the follower and the ticker lock such an alert when they read it, and the
# dispatcher locks it before writing the result (finish_sale_actions), so neither overwrites the
# other with the version it read before. The dispatcher writes into no other alert, so the
# follower's hot path stays free of its transactions (no shared lock on the checkpoint). The open
# alerts of the batch's SKUs are found first and each is looked up among the pending actions by
# key: driven from the pending actions instead, every batch read all of them.
_FOLLOW_CONTEXT = f"""
WITH open AS MATERIALIZED (
  SELECT t.alert_id, EXISTS (
    SELECT 1 FROM sale_actions s WHERE s.alert_id = t.alert_id AND s.status = 1) AS pending
  FROM alerts t JOIN {_BATCH_KEYS} USING (tenant_id, sku_id) WHERE t.state <> 3
)
SELECT
  ARRAY(SELECT t FROM sku_levels t JOIN {_BATCH_KEYS} USING (tenant_id, sku_id)) AS levels,
  ARRAY(SELECT t FROM plans t JOIN {_BATCH_KEYS} USING (tenant_id, sku_id)
        WHERE t.start_time <= $4 AND least(t.ended_time, t.end_time) > $3) AS plans,
  ARRAY(SELECT t FROM session_consumption t JOIN {_BATCH_KEYS} USING (tenant_id, sku_id))
    AS consumption,
  ARRAY(SELECT t FROM alerts t JOIN open o USING (alert_id) WHERE NOT o.pending)
  || ARRAY(SELECT t FROM alerts t JOIN open o USING (alert_id) WHERE o.pending
           ORDER BY t.alert_id FOR UPDATE OF t)
    AS alerts,
  ARRAY(SELECT t FROM alert_policies t WHERE t.tenant_id = ANY($1::text[])
        AND (t.sku_id = '' OR t.sku_id = ANY($2::text[]))) AS policies,
  ARRAY(SELECT t FROM receivers t WHERE t.tenant_id = ANY($1::text[]) ORDER BY t.receiver_id)
    AS receivers,
  ARRAY(SELECT t FROM reminder_settings t WHERE $5 AND t.tenant_id = ANY($1::text[]))
    AS reminder_settings,
  ARRAY(SELECT t FROM sku_sale_status t JOIN {_BATCH_KEYS} USING (tenant_id, sku_id)) AS sale_status
"""
# Every alert version of a transaction in one statement (a new alert's sequence is 0 until its
# first change is logged).
_SAVE_ALERTS = """
INSERT INTO alerts (alert_id, tenant_id, sku_id, session_id, tier, state, acknowledged,
                    pending_time, fire_time, resolve_time, sequence, body)
SELECT a.alert_id, a.tenant_id, a.sku_id, a.session_id, a.tier, a.state, a.acknowledged,
       a.pending_time, a.fire_time, a.resolve_time, 0, a.body::json
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::smallint[],
            $7::bool[], $8::timestamptz[], $9::text[], $10::timestamptz[], $11::timestamptz[])
  AS a(alert_id, tenant_id, sku_id, session_id, tier, state, acknowledged, pending_time, body,
       fire_time, resolve_time)
ON CONFLICT (alert_id) DO UPDATE SET state = EXCLUDED.state, acknowledged = EXCLUDED.acknowledged,
  fire_time = EXCLUDED.fire_time, resolve_time = EXCLUDED.resolve_time, body = EXCLUDED.body
"""
# The changes of a transaction, logged in order, each alert row taking the sequence of its last
# change. WatchAlerts reads the log in sequence order, so sequences must become visible in that
# order: the writer takes a transaction lock before it draws its sequences and keeps it until it
# commits (the follower and the dispatcher, recording a sale action's result, write changes
# concurrently; without it a change committed after a higher sequence was read is never
# streamed). It is the last statement of its transaction, so the lock is held only from here to
# the commit (taken earlier, the follower waited 5 ms a batch for the dispatcher's commits).
_CHANGE_LOG_LOCK = 0x616C6572  # any fixed key of alerting's own
_LOG_CHANGES = f"""
WITH ordered AS MATERIALIZED (
  SELECT pg_advisory_xact_lock({_CHANGE_LOG_LOCK})
), logged AS (
  INSERT INTO alert_changes (tenant_id, alert_id, change, change_time, body)
  SELECT c.tenant_id, c.alert_id, c.change, $4, c.body::json
  FROM unnest($1::text[], $2::text[], $3::smallint[], $5::text[]) WITH ORDINALITY
    AS c(tenant_id, alert_id, change, body, position), ordered
  ORDER BY c.position
  RETURNING alert_id, sequence
), last_change AS (
  SELECT alert_id, max(sequence) AS sequence FROM logged GROUP BY alert_id
)
UPDATE alerts a SET sequence = l.sequence FROM last_change l WHERE a.alert_id = l.alert_id
"""
# A sale action's result lands in its alert under the alert's row lock (see _FOLLOW_CONTEXT), in
# alert id order; a batch skips the alerts another writer holds, so that it never waits for one
# lock while holding others.
_LOCK_ALERTS = "SELECT * FROM alerts WHERE alert_id = ANY($1::text[]) ORDER BY alert_id FOR UPDATE"
_LOCK_FREE_ALERTS = _LOCK_ALERTS + " SKIP LOCKED"
_LIVE_PLAN = "p.start_time <= $1 AND least(p.ended_time, p.end_time) > $1"
# The SKUs with an open alert that time alone may change (see Transaction.due_tick_skus): quiet
# ones (by the stream's clock: the clock less the follower's delay at its last batch), alerts the
# follower does not evaluate (a session whose plan is not live, a SKU-wide alert while a plan is
# live), and firing alerts whose next repeat (in whole intervals from the fire time, the SKU's
# policy or else the tenant's, else the default) came due after repeats_since.
_DUE_TICK_SKUS = f"""
SELECT DISTINCT a.tenant_id, a.sku_id
FROM alerts a
LEFT JOIN sku_levels l USING (tenant_id, sku_id)
WHERE a.state <> 3 AND (
  l.observed_at IS NULL OR l.observed_at < $2::timestamptz - coalesce((
    SELECT greatest(c.applied_time - c.event_time, '0'::interval) FROM follower_checkpoints c
    WHERE c.applied_time IS NOT NULL ORDER BY c.applied_time DESC LIMIT 1), '0'::interval)
  OR (a.session_id <> '' AND NOT EXISTS (
        SELECT 1 FROM plans p WHERE p.tenant_id = a.tenant_id AND p.sku_id = a.sku_id
        AND p.session_id = a.session_id AND {_LIVE_PLAN}))
  OR (a.session_id = '' AND EXISTS (
        SELECT 1 FROM plans p WHERE p.tenant_id = a.tenant_id AND p.sku_id = a.sku_id
        AND {_LIVE_PLAN}))
  OR (a.state = 2 AND NOT a.acknowledged AND a.fire_time IS NOT NULL AND EXISTS (
        SELECT 1 FROM (SELECT coalesce((
            SELECT (p.body ->> 'repeat_interval')::float8 FROM alert_policies p
            WHERE p.tenant_id = a.tenant_id AND p.sku_id IN (a.sku_id, '')
            ORDER BY p.sku_id DESC LIMIT 1), $4) AS seconds) r
        WHERE r.seconds > 0
        AND floor(extract(epoch FROM $1 - a.fire_time) / r.seconds) >= 1
        AND ($3::timestamptz IS NULL
             OR floor(extract(epoch FROM $1 - a.fire_time) / r.seconds)
                > greatest(0, floor(extract(epoch FROM $3 - a.fire_time) / r.seconds)))))
)
ORDER BY 1, 2
"""
_SALE_STATUS_COLUMNS = (
    *_KEY,
    ("status", "smallint"),
    ("set_by_alert", "text"),
    ("change_time", "timestamptz"),
)
_SAMPLE_COLUMNS = (
    *_SESSION_KEY,
    ("observed_second", "timestamptz"),
    ("consumed_units", "bigint"),
    ("sellable_units", "bigint"),
)


def _resolve_policies(
    context: FollowContext, tenants: list[str], skus: list[str], stored: list[AlertPolicy]
) -> None:
    """A SKU's own policy, else its tenant's default (absent: the seed applies)."""
    by_key = {(policy.tenant_id, policy.sku_id): policy for policy in stored}
    for tenant, sku in zip(tenants, skus, strict=True):
        policy = by_key.get((tenant, sku)) or by_key.get((tenant, ""))
        if policy is not None:
            context.policies[(tenant, sku)] = policy


class PostgresTransaction(ConfigQueries, ChangeLogQueries, RetentionQueries):
    def __init__(self, conn: asyncpg.Connection, decoded: DecodedAlerts | None = None) -> None:
        self.conn = conn
        self.decoded = decoded or DecodedAlerts(0)
        self._bodies: dict[int, tuple[Alert, str]] = {}

    def _body(self, alert: Alert) -> str:
        """An alert's stored body; an alert and its last change are usually the same object,
        encoded once per transaction."""
        known = self._bodies.get(id(alert))
        if known is None or known[0] is not alert:
            known = self._bodies[id(alert)] = (alert, json.dumps(records.alert_json(alert)))
        return known[1]

    # --- the event follower ---------------------------------------------------------------------

    async def lock_checkpoint(self, follower: str) -> int:
        # The no-op update takes the row lock and returns the sequence in one round trip.
        return int(
            await self.conn.fetchval(
                _LOCK_CHECKPOINT + f" RETURNING last_sequence, {_BY_KEY}", follower
            )
        )

    async def quarantine_event(
        self, follower: str, event: StockEvent, error: str, now: datetime
    ) -> bool:
        if await self.follow_from(follower) >= event.sequence:
            return False
        await self.conn.execute(
            "INSERT INTO quarantined_events (follower, sequence, tenant_id, sku_id, occur_time,"
            " error, quarantine_time) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (follower, sequence) DO NOTHING",
            follower,
            event.sequence,
            event.tenant_id,
            event.sku_id,
            event.occur_time,
            error[:2000],
            now,
        )
        await self.conn.execute(
            "UPDATE follower_checkpoints SET last_sequence = $2, event_time = $3,"
            " applied_time = $4 WHERE follower = $1",
            follower,
            event.sequence,
            event.occur_time,
            now,
        )
        return True

    async def follow_from(self, follower: str) -> int:
        row = await self.conn.fetchrow(
            _LOCK_CHECKPOINT + f" RETURNING last_sequence, {_BY_KEY},"
            " set_config('synchronous_commit', 'off', true)",
            follower,
        )
        return int(row["last_sequence"])

    async def load_follow_context(
        self, keys: Collection[SkuKey], since: datetime, until: datetime, reminders: bool
    ) -> FollowContext:
        """Everything the fold needs for the batch's SKUs, in one round trip (arrays of rows)."""
        tenants = [k[0] for k in keys]
        skus = [k[1] for k in keys]
        row = await self.conn.fetchrow(_FOLLOW_CONTEXT, tenants, skus, since, until, reminders)
        context = FollowContext()
        for level in row["levels"]:
            context.levels[(level["tenant_id"], level["sku_id"])] = levels_row(level)
        for plan in row["plans"]:
            context.plans.setdefault((plan["tenant_id"], plan["sku_id"]), []).append(plan_row(plan))
        for state in row["consumption"]:
            key = (state["tenant_id"], state["sku_id"], state["session_id"])
            context.consumption[key] = consumption_row(state)
        for stored in row["alerts"]:
            alert = self.decoded.decode(stored)
            key = (alert.tenant_id, alert.sku_id, alert.session_id)
            context.open_alerts.setdefault(key, {})[alert.tier] = alert
        _resolve_policies(context, tenants, skus, [policy_row(p) for p in row["policies"]])
        for receiver in row["receivers"]:
            context.receivers.setdefault(receiver["tenant_id"], []).append(receiver_row(receiver))
        for status in row["sale_status"]:
            context.sale_status[(status["tenant_id"], status["sku_id"])] = sale_status_row(status)
        for settings in row["reminder_settings"]:
            context.reminder_settings[settings["tenant_id"]] = records.reminder_settings_from(
                settings["tenant_id"], json.loads(settings["body"]), settings["update_time"]
            )
        return context

    async def due_tick_skus(
        self,
        now: datetime,
        quiet: timedelta,
        repeats_since: datetime | None,
        default_repeat: timedelta,
    ) -> list[SkuKey]:
        rows = await self.conn.fetch(
            _DUE_TICK_SKUS, now, now - quiet, repeats_since, default_repeat.total_seconds()
        )
        return [(row["tenant_id"], row["sku_id"]) for row in rows]

    async def load_open_context(self, now: datetime, keys: Sequence[SkuKey]) -> FollowContext:
        context = await self.load_follow_context(keys, now - timedelta(days=3650), now, False)
        tenants = [k[0] for k in keys]
        skus = [k[1] for k in keys]
        # Plans that ended still matter to the ticker: their open alerts must resolve.
        for row in await self.conn.fetch(
            "SELECT t.* FROM plans t JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, sku_id)"
            " USING (tenant_id, sku_id)",
            tenants,
            skus,
        ):
            plan = plan_row(row)
            known = context.plans.setdefault((plan.tenant_id, plan.sku_id), [])
            if all(p.session_id != plan.session_id for p in known):
                known.append(plan)
        return context

    async def save_writes(self, writes: Writes, now: datetime, log_changes: bool = True) -> None:
        await self._save_sku_state(writes)
        await self._save_alerts(writes)
        await self._save_deliveries(writes, now)
        await self._save_sale_actions(writes, now)
        await self._save_reminders(writes, now)
        channels = [WORK_CHANNEL] * writes.enqueues_work + [CHANGES_CHANNEL] * bool(writes.changes)
        if channels:
            await self.conn.execute("; ".join(f"NOTIFY {channel}" for channel in channels))
        if log_changes:
            await self.log_changes(writes, now)

    async def log_changes(self, writes: Writes, now: datetime) -> None:
        changes = writes.changes
        if not changes:
            return
        await self.conn.execute(
            _LOG_CHANGES,
            [c.alert.tenant_id for c in changes],
            [c.alert.alert_id for c in changes],
            [c.kind.value for c in changes],
            now,
            [self._body(c.alert) for c in changes],
        )

    async def _save_sku_state(self, writes: Writes) -> None:
        """Counters, session consumption, curve samples and the follower's checkpoint of the batch
        in one statement."""
        await bulk.upsert_all(
            self.conn,
            [
                bulk.Upsert(
                    "follower_checkpoints",
                    _CHECKPOINT_COLUMNS,
                    ("follower",),
                    [writes.checkpoint] if writes.checkpoint else [],
                ),
                bulk.Upsert(
                    "sku_levels",
                    _LEVEL_COLUMNS,
                    ("tenant_id", "sku_id"),
                    [
                        (t, s, lv.on_hand, lv.withheld, lv.reserved, lv.sold, lv.sellable, at)
                        for (t, s), (lv, at) in writes.levels.items()
                    ],
                ),
                bulk.Upsert(
                    "session_consumption",
                    _CONSUMPTION_COLUMNS,
                    ("tenant_id", "session_id", "sku_id"),
                    [
                        (
                            c.tenant_id,
                            c.session_id,
                            c.sku_id,
                            c.baseline_units,
                            c.consumed_units,
                            c.restocked_units,
                            c.sellable_units,
                            c.burn.units_per_minute,
                            c.burn.observed_at,
                            c.early_peak_fraction,
                        )
                        for c in writes.consumption.values()
                    ],
                ),
                bulk.Upsert(
                    "sku_sale_status",
                    _SALE_STATUS_COLUMNS,
                    ("tenant_id", "sku_id"),
                    [
                        (t, s, st.status.value, st.set_by_alert, st.change_time)
                        for (t, s), st in writes.sale_status.items()
                    ],
                ),
                bulk.Upsert(
                    "consumption_samples",
                    _SAMPLE_COLUMNS,
                    ("tenant_id", "session_id", "sku_id", "observed_second"),
                    [
                        (t, session, s, second, consumed, sellable)
                        for (t, s, session, second), (consumed, sellable) in writes.samples.items()
                    ],
                ),
            ],
        )

    async def _save_alerts(self, writes: Writes) -> None:
        """Every alert version of the writes (and of their changes) in one statement."""
        latest = dict(writes.alerts)
        for change in writes.changes:
            latest.setdefault(change.alert.alert_id, change.alert)
        if not latest:
            return
        alerts = list(latest.values())
        await self.conn.execute(
            _SAVE_ALERTS,
            [a.alert_id for a in alerts],
            [a.tenant_id for a in alerts],
            [a.sku_id for a in alerts],
            [a.session_id for a in alerts],
            [a.tier.value for a in alerts],
            [a.state.value for a in alerts],
            [a.acknowledgement is not None for a in alerts],
            [a.pending_time for a in alerts],
            [self._body(a) for a in alerts],
            [a.fire_time for a in alerts],
            [a.resolve_time for a in alerts],
        )

    async def _save_deliveries(self, writes: Writes, now: datetime) -> None:
        if writes.deliveries:
            await self.conn.executemany(
                "INSERT INTO deliveries (delivery_id, tenant_id, alert_id, sku_id, receiver_id, channel,"
                " kind, escalation_step, occurrence, status, idempotency_key, create_time, due_time,"
                " next_attempt_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                " CASE WHEN $10::smallint = 1 THEN $13::timestamptz END)"
                " ON CONFLICT DO NOTHING",
                [
                    (
                        d.delivery_id,
                        d.tenant_id,
                        d.alert_id,
                        d.sku_id,
                        d.receiver_id,
                        d.channel.value,
                        d.kind.value,
                        d.escalation_step,
                        d.occurrence,
                        d.status.value,
                        d.idempotency_key,
                        d.create_time,
                        d.due_time,
                    )
                    for d in writes.deliveries
                ],
            )
        if writes.stopped:
            await self.cancel_follow_ups(
                writes.stopped, "the alert resolved or was acknowledged", now
            )
        if writes.suppressed:
            await self.conn.execute(
                "UPDATE deliveries SET status = $2, next_attempt_time = NULL,"
                " last_error = 'inhibited by a RED alert of the same SKU'"
                " WHERE alert_id = ANY($1::text[]) AND status = 1 AND claimed_until IS NULL",
                writes.suppressed,
                DeliveryStatus.SUPPRESSED.value,
            )

    async def cancel_follow_ups(self, alert_ids: list[str], why: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE deliveries SET status = $2, next_attempt_time = NULL, last_error = $3"
            " WHERE alert_id = ANY($1::text[]) AND status = ANY($4::smallint[])"
            " AND kind = ANY($5::smallint[])",
            alert_ids,
            DeliveryStatus.CANCELLED.value,
            why,
            list(_OPEN_DELIVERY),
            _STOP_KINDS,
        )

    async def _save_sale_actions(self, writes: Writes, now: datetime) -> None:
        if writes.sale_actions:
            await self.conn.executemany(
                "INSERT INTO sale_actions (alert_id, action, tenant_id, sku_id, status, next_attempt_time)"
                " VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT DO NOTHING",
                [
                    (a.alert_id, a.action.value, a.tenant_id, a.sku_id, now)
                    for a in writes.sale_actions
                ],
            )

    async def _save_reminders(self, writes: Writes, now: datetime) -> None:
        if writes.reminders:
            await self.conn.executemany(
                "INSERT INTO buyer_reminders (reminder_id, tenant_id, reservation_id, user_id, order_id,"
                " sku_ids, platform_id, hold_expire_time, status, create_time, detail, webhook,"
                " next_attempt_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                " CASE WHEN $9::smallint = 1 THEN $10::timestamptz END)"
                " ON CONFLICT (tenant_id, reservation_id) DO UPDATE SET sku_ids ="
                " CASE WHEN $6[1] = ANY(buyer_reminders.sku_ids) THEN buyer_reminders.sku_ids"
                " ELSE buyer_reminders.sku_ids || $6 END",
                [
                    (
                        r.reminder_id,
                        r.tenant_id,
                        r.reservation_id,
                        r.user_id,
                        r.order_id,
                        list(r.sku_ids),
                        r.platform_id,
                        r.hold_expire_time,
                        r.status.value,
                        r.create_time,
                        r.detail,
                        json.dumps(records.webhook_json(r.webhook)) if r.webhook else None,
                    )
                    for r in writes.reminders
                ],
            )
        if writes.closed_holds:
            await self.conn.executemany(
                "UPDATE buyer_reminders SET status = $3, next_attempt_time = NULL,"
                " detail = 'the hold was confirmed, released or expired first'"
                " WHERE tenant_id = $1 AND reservation_id = $2 AND status = 1",
                [(t, r, ReminderStatus.CANCELLED.value) for t, r in writes.closed_holds],
            )

    async def notified_channels(
        self, alert_ids: Collection[str]
    ) -> dict[str, dict[str, set[Channel]]]:
        rows = await self.conn.fetch(
            "SELECT DISTINCT alert_id, receiver_id, channel FROM deliveries"
            " WHERE alert_id = ANY($1::text[]) AND kind <> $2 AND status = ANY($3::smallint[])",
            list(alert_ids),
            NotificationKind.RESOLVED.value,
            [*_OPEN_DELIVERY, DeliveryStatus.DELIVERED.value],
        )
        notified: dict[str, dict[str, set[Channel]]] = {}
        for row in rows:
            notified.setdefault(row["alert_id"], {}).setdefault(row["receiver_id"], set()).add(
                Channel(row["channel"])
            )
        return notified

    # --- the dispatcher -------------------------------------------------------------------------

    async def claim_listed_deliveries(
        self, now: datetime, lease_until: datetime, among: Collection[str]
    ) -> list[Delivery]:
        return await self._claim(now, lease_until, len(among), among)

    async def _claim(
        self, now: datetime, lease_until: datetime, limit: int, among: Collection[str] | None
    ) -> list[Delivery]:
        rows = await self.conn.fetch(
            """
            WITH heads AS (
                SELECT DISTINCT ON (o.tenant_id, o.receiver_id, o.channel, o.sku_id) o.delivery_id
                FROM deliveries o JOIN alerts a ON a.alert_id = o.alert_id
                WHERE o.status IN (1, 2) AND o.due_time <= $1
                ORDER BY o.tenant_id, o.receiver_id, o.channel, o.sku_id, o.due_time,
                    o.create_time, o.kind = 4, a.tier
            ), picked AS (
                SELECT d.delivery_id FROM deliveries d JOIN heads USING (delivery_id)
                WHERE d.next_attempt_time <= $1 AND (d.claimed_until IS NULL OR d.claimed_until < $1)
                  AND ($4::text[] IS NULL OR d.delivery_id = ANY($4::text[]))
                ORDER BY d.due_time LIMIT $3
                FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE deliveries d SET claimed_until = $2, attempt_count = d.attempt_count + 1,
                last_attempt_time = $1
            FROM picked WHERE d.delivery_id = picked.delivery_id
            RETURNING d.*
            """,
            now,
            lease_until,
            limit,
            None if among is None else list(among),
        )
        return [delivery_row(row) for row in rows]

    async def claim_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedDelivery]:
        deliveries = await self._claim(now, lease_until, limit, None)
        if not deliveries:
            return []
        alerts = {
            row["alert_id"]: alert_row(row)
            for row in await self.conn.fetch(
                "SELECT * FROM alerts WHERE alert_id = ANY($1::text[])",
                [d.alert_id for d in deliveries],
            )
        }
        receivers = {
            (row["tenant_id"], row["receiver_id"]): receiver_row(row)
            for row in await self.conn.fetch(
                "SELECT r.* FROM receivers r JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, receiver_id)"
                " USING (tenant_id, receiver_id)",
                [d.tenant_id for d in deliveries],
                [d.receiver_id for d in deliveries],
            )
        }
        return [
            ClaimedDelivery(d, alerts[d.alert_id], receivers.get((d.tenant_id, d.receiver_id)))
            for d in deliveries
        ]

    async def finish_deliveries(self, outcomes: Sequence[DeliveryOutcome], now: datetime) -> None:
        ordered = sorted(outcomes, key=lambda o: o.delivery.delivery_id)
        await self.conn.executemany(
            "UPDATE deliveries SET status = $2, claimed_until = NULL, next_attempt_time = $3,"
            " last_error = $4, deliver_time = CASE WHEN $2::smallint = 3 THEN $5::timestamptz END"
            " WHERE delivery_id = $1",
            [
                (o.delivery.delivery_id, o.status.value, o.next_attempt, o.error, now)
                for o in ordered
            ],
        )
        inbox = [
            o.delivery
            for o in ordered
            if o.status is DeliveryStatus.DELIVERED and o.delivery.channel is Channel.IN_APP
        ]
        if inbox:
            await self.conn.executemany(
                "INSERT INTO inbox_items VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                [
                    (d.delivery_id, d.tenant_id, d.receiver_id, d.alert_id, d.kind.value, now)
                    for d in inbox
                ],
            )

    async def next_due_time(self) -> datetime | None:
        value = await self.conn.fetchval(
            "SELECT least((SELECT min(next_attempt_time) FROM deliveries WHERE status IN (1, 2)),"
            " (SELECT min(next_attempt_time) FROM sale_actions WHERE status = 1),"
            " (SELECT min(next_attempt_time) FROM buyer_reminders WHERE status = 1))"
        )
        return value  # type: ignore[no-any-return]

    async def claim_sale_actions(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedAction]:
        rows = await self.conn.fetch(
            """
            WITH picked AS (
                SELECT alert_id, action FROM sale_actions
                WHERE status = 1 AND next_attempt_time <= $1
                  AND (claimed_until IS NULL OR claimed_until < $1)
                ORDER BY next_attempt_time LIMIT $3 FOR UPDATE SKIP LOCKED
            )
            UPDATE sale_actions s SET claimed_until = $2, attempt_count = s.attempt_count + 1
            FROM picked WHERE s.alert_id = picked.alert_id AND s.action = picked.action
            RETURNING s.*, (SELECT body FROM alerts a WHERE a.alert_id = s.alert_id) AS alert_body
            """,
            now,
            lease_until,
            limit,
        )
        claimed = []
        for row in rows:
            request = SaleActionRequest(
                row["tenant_id"], row["sku_id"], row["alert_id"], ResponseAction(row["action"])
            )
            alert = records.alert_from(json.loads(row["alert_body"]), 0, None)
            claimed.append(ClaimedAction(request, row["attempt_count"], alert))
        return claimed

    async def finish_sale_actions(
        self, outcomes: Sequence[ActionOutcome], wait: bool
    ) -> list[ActionOutcome]:
        # Its commit does not wait for the disk: a result lost in a crash leaves the claim, whose
        # lease returns it, and the action is sent again under its request id (inventory replays
        # the answer). Waiting, it held the change log's lock through the flush, and the
        # follower's batches waited for it. A round's outcomes share one transaction: one at a
        # time, each took the change log's lock, and the follower queued behind all of them.
        await self.conn.execute("SET LOCAL synchronous_commit = off")
        ids = sorted({o.request.alert_id for o in outcomes})
        rows = await self.conn.fetch(_LOCK_ALERTS if wait else _LOCK_FREE_ALERTS, ids)
        alerts = {row["alert_id"]: alert_row(row) for row in rows}
        recorded = [o for o in outcomes if o.request.alert_id in alerts]
        if not recorded:
            return list(outcomes)
        await self.conn.executemany(
            "UPDATE sale_actions SET status = $3, claimed_until = NULL, next_attempt_time = $4,"
            " detail = $5 WHERE alert_id = $1 AND action = $2",
            [
                (
                    o.request.alert_id,
                    o.request.action.value,
                    o.result.status.value,
                    o.next_attempt,
                    o.result.detail,
                )
                for o in recorded
            ],
        )
        writes = Writes()
        for outcome in recorded:
            alert = writes.alerts.get(outcome.request.alert_id) or alerts[outcome.request.alert_id]
            results = (
                *tuple(r for r in alert.action_results if r.action is not outcome.request.action),
                outcome.result,
            )
            updated = writes.alerts[alert.alert_id] = replace(alert, action_results=results)
            writes.changes.append(AlertChange(updated, ChangeKind.ACTION_UPDATED))
        await self._save_alerts(writes)
        await self.conn.execute(f"NOTIFY {CHANGES_CHANNEL}")
        await self.log_changes(writes, max(o.result.update_time for o in recorded))
        return [o for o in outcomes if o.request.alert_id not in alerts]

    async def claim_reminders(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[BuyerReminder]:
        rows = await self.conn.fetch(
            """
            WITH picked AS (
                SELECT reminder_id FROM buyer_reminders
                WHERE status = 1 AND next_attempt_time <= $1
                  AND (claimed_until IS NULL OR claimed_until < $1)
                ORDER BY next_attempt_time LIMIT $3 FOR UPDATE SKIP LOCKED
            )
            UPDATE buyer_reminders b SET claimed_until = $2, attempt_count = b.attempt_count + 1
            FROM picked WHERE b.reminder_id = picked.reminder_id
            RETURNING b.*
            """,
            now,
            lease_until,
            limit,
        )
        return [reminder_row(row) for row in rows]

    async def finish_reminder(
        self, reminder: BuyerReminder, now: datetime, next_attempt: datetime | None, error: str
    ) -> None:
        # A reminder whose hold closed meanwhile was cancelled (save_writes, even while claimed):
        # a failed attempt leaves it cancelled, never back to pending, so it is not retried. One
        # that went out records that it did.
        status = ReminderStatus.SENT
        if error:
            status = ReminderStatus.PENDING if next_attempt else ReminderStatus.FAILED
        await self.conn.execute(
            "UPDATE buyer_reminders SET status = $2, claimed_until = NULL, next_attempt_time = $3,"
            " detail = $4, send_time = CASE WHEN $2::smallint = 2 THEN $5::timestamptz END"
            " WHERE reminder_id = $1 AND (status = 1 OR $2::smallint = 2)",
            reminder.reminder_id,
            status.value,
            next_attempt,
            error,
            now,
        )


class PostgresStore:
    """Hands out transactions on pooled connections."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.decoded = DecodedAlerts()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield PostgresTransaction(conn, self.decoded)
