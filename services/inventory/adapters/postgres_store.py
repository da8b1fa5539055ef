"""inventory's PostgreSQL store: the only copy of an acknowledged hold.

Writes are set-based (one statement per table per transaction, rows passed as arrays) so that a
transaction carrying a coalesced batch of a hundred holds costs about what one hold costs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.inventory.adapters import codec
from services.inventory.domain.events import Change, LedgerEntry
from services.inventory.domain.policy import SalePolicy
from services.inventory.domain.reservation import Reservation, ReservationState
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import Delta, LedgerReason, StockLevels
from services.inventory.service_layer.ports import (
    Answer,
    Answered,
    Answers,
    EventPage,
    EventWindow,
    ExpiredLine,
    LedgerRecord,
    Order,
    RequestsRaced,
    ReservationFilter,
)
from services.runtime.storage import delete_batch

# Events are stored encoded, without their sequence number (the row's column is the truth).
EncodeEvent = Callable[[Change], bytes]
NOTIFY_CHANNEL = "inventory_events"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_SKU_COLUMNS = (
    "tenant_id, sku_id, title, on_hand, withheld, reserved, sold, withheld_by_kind, sale_status,"
    " policy, version, created_at, updated_at"
)
# A due hold still to be booked back: ACTIVE past its deadline, or EXPIRED with lines left in the
# live set (a change of one of its SKUs booked only that SKU's line). $1 is now; the reservation's
# own deadline is checked too, as the row locked may be newer than the live line read.
_EXPIRABLE = "r.state IN (1, 4) AND r.expires_at <= $1"
# The locked holds `held` (one row each) that are still ACTIVE become EXPIRED at $1 ...
_MARK_EXPIRED = (
    "marked AS (UPDATE reservations r SET state = 4, settled_at = $1 FROM held d"
    " WHERE r.tenant_id = d.tenant_id AND r.reservation_id = d.reservation_id AND r.state = 1)"
)
# ... and their lines leave the live set, returned as the expired lines to book.
_TAKE_LIVE = "DELETE FROM live_holds h USING held d WHERE h.tenant_id = d.tenant_id AND"
_EXPIRED_LINE = (
    "d.tenant_id, d.reservation_id, d.user_id, d.order_id, d.purpose, d.platform_id, d.ip,"
    " d.device_id, d.expires_at, d.state = 1 AS newly_expired, h.sku_id, h.quantity"
)
# SKUs locked in key order ($1 tenants, $2 SKU ids); {extra} adds columns.
_LOCK_SKUS = (
    f"SELECT {_SKU_COLUMNS}{{extra}} FROM skus s"
    " JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(t, s, n)"
    " ON s.tenant_id = k.t AND s.sku_id = k.s"
    " WHERE s.tenant_id = ANY($1::text[]) AND s.sku_id = ANY($2::text[])"
    " ORDER BY k.n FOR UPDATE OF s"
)
# Answered requests ($3 tenant, $4 request ids) as one JSON array of [id, fingerprint, result].
_ANSWERS = (
    "SELECT coalesce(jsonb_agg(jsonb_build_array(request_id, fingerprint, result)), '[]')"
    " FROM requests WHERE tenant_id = $3 AND request_id = ANY($4::text[])"
    " AND result IS NOT NULL"
)
_DUE_BY_SKU = (
    "SELECT COALESCE(sum(quantity), 0)::bigint FROM live_holds h"
    " WHERE h.tenant_id = s.tenant_id AND h.sku_id = s.sku_id AND h.expires_at <= $3"
)


class PostgresTransaction:
    def __init__(self, conn: asyncpg.Connection, encode: EncodeEvent) -> None:
        self._conn = conn
        self._encode = encode

    # Idempotency.

    async def claim_requests(
        self, tenant_id: str, fingerprints: Mapping[str, str], now: datetime
    ) -> dict[str, Answered]:
        ids = sorted(fingerprints)
        claimed = await self._conn.fetch(
            "INSERT INTO requests (tenant_id, request_id, fingerprint, created_at)"
            " SELECT $1, r.id, r.fp, $4 FROM unnest($2::text[], $3::text[]) AS r(id, fp)"
            " ORDER BY r.id ON CONFLICT DO NOTHING RETURNING request_id",
            tenant_id,
            ids,
            [fingerprints[i] for i in ids],
            now,
        )
        fresh = {row["request_id"] for row in claimed}
        used = [i for i in ids if i not in fresh]
        return await _answered(self._conn, tenant_id, used) if used else {}

    async def answered_requests(
        self, tenant_id: str, request_ids: Sequence[str]
    ) -> dict[str, Answered]:
        return await _answered(self._conn, tenant_id, request_ids) if request_ids else {}

    async def record_results(self, tenant_id: str, results: Mapping[str, Answer]) -> None:
        if results:
            await self._conn.execute(
                "UPDATE requests q SET result = r.result"
                " FROM unnest($2::text[], $3::jsonb[]) AS r(id, result)"
                " WHERE q.tenant_id = $1 AND q.request_id = r.id AND q.request_id = ANY($2::text[])",
                tenant_id,
                list(results),
                [codec.result_to_json(result) for result in results.values()],
            )

    # SKUs.

    async def insert_sku(self, sku: Sku) -> bool:
        status = await self._conn.execute(
            f"INSERT INTO skus ({_SKU_COLUMNS}) VALUES ($1,$2,$3,0,0,0,0,$4,$5,$6,0,$7,$7)"
            " ON CONFLICT DO NOTHING",
            sku.tenant_id,
            sku.sku_id,
            sku.title,
            codec.withheld_to_json(sku.withheld_by_kind),
            sku.status.value,
            codec.policy_to_json(sku.policy),
            sku.created_at,
        )
        if status.endswith(" 0"):
            return False
        await self.save_skus([sku])
        return True

    async def lock_skus(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Sku]:
        ordered = sorted(set(keys))
        rows = await self._conn.fetch(
            _LOCK_SKUS.format(extra=""), [t for t, _ in ordered], [s for _, s in ordered]
        )
        return {(row["tenant_id"], row["sku_id"]): codec.sku_from_row(row) for row in rows}

    async def lock_skus_with_answers(
        self, keys: Sequence[tuple[str, str]], tenant_id: str, request_ids: Sequence[str]
    ) -> tuple[dict[tuple[str, str], Sku], dict[str, Answered]]:
        ordered = sorted(set(keys))
        rows = await self._conn.fetch(
            _LOCK_SKUS.format(extra=f", ({_ANSWERS}) AS answers"),
            [t for t, _ in ordered],
            [s for _, s in ordered],
            tenant_id,
            list(request_ids),
        )
        skus = {(row["tenant_id"], row["sku_id"]): codec.sku_from_row(row) for row in rows}
        if not rows:  # no such SKU: nothing carried the answers
            return skus, await self.answered_requests(tenant_id, request_ids)
        raw = rows[0]["answers"]
        answers = json.loads(raw) if isinstance(raw, str) else raw
        return skus, {
            request_id: Answered(fingerprint, codec.result_from_json(result))
            for request_id, fingerprint, result in answers
        }

    async def save_skus(self, skus: Sequence[Sku]) -> None:
        """Writes counters and every recorded change, then forgets the changes."""
        changed = [sku for sku in skus if sku.changes]
        if not changed:
            return
        changes = [change for sku in changed for change in sku.changes]
        entries = [change for change in changes if change.ledger is not None]
        # One statement: counters, ledger entries, the next event sequence numbers (the counter
        # row stays locked until commit, so transactions commit in sequence order and readers
        # never see a hole), the events, and the notification to watchers.
        await self._conn.execute(
            "WITH counters AS (UPDATE skus s SET title = u.title, on_hand = u.on_hand,"
            " withheld = u.withheld, reserved = u.reserved, sold = u.sold,"
            " withheld_by_kind = u.withheld_by_kind, sale_status = u.sale_status,"
            " policy = u.policy, version = u.version, updated_at = u.updated_at"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],"
            " $6::bigint[], $7::bigint[], $8::jsonb[], $9::smallint[], $10::jsonb[], $11::bigint[],"
            " $12::timestamptz[]) AS u(tenant_id, sku_id, title, on_hand, withheld, reserved, sold,"
            " withheld_by_kind, sale_status, policy, version, updated_at)"
            " WHERE s.tenant_id = u.tenant_id AND s.sku_id = u.sku_id"
            " AND s.tenant_id = ANY($1::text[]) AND s.sku_id = ANY($2::text[])),"
            " entries AS (INSERT INTO ledger (tenant_id, sku_id, reason, on_hand_delta,"
            " withheld_delta, reserved_delta, sold_delta, reference, note, created_at)"
            " SELECT * FROM unnest($13::ledger_row[])),"
            " numbers AS (UPDATE event_sequence SET last = last + cardinality($14::event_row[])"
            " RETURNING last - cardinality($14::event_row[]) AS before, last),"
            " appended AS (INSERT INTO events (sequence, tenant_id, sku_id, event_type, payload,"
            " created_at) SELECT n.before + e.position, e.tenant_id, e.sku_id, e.event_type,"
            " e.payload, e.created_at FROM numbers n, unnest($14::event_row[]) WITH ORDINALITY"
            " AS e(tenant_id, sku_id, event_type, payload, created_at, position))"
            " SELECT pg_notify($15, last::text) FROM numbers",
            *_sku_columns(changed),
            [_ledger_row(c) for c in entries],
            [
                (c.tenant_id, c.sku_id, c.type.value, self._encode(c), c.occurred_at)
                for c in changes
            ],
            NOTIFY_CHANNEL,
        )
        for sku in changed:
            sku.changes.clear()

    # Purchase limits.

    async def holdings(
        self, tenant_id: str, sku_id: str, user_ids: Sequence[str]
    ) -> dict[str, int]:
        rows = await self._conn.fetch(
            "SELECT user_id, quantity FROM user_holdings"
            " WHERE tenant_id = $1 AND sku_id = $2 AND user_id = ANY($3::text[]) FOR UPDATE",
            tenant_id,
            sku_id,
            sorted(set(user_ids)),
        )
        return {row["user_id"]: row["quantity"] for row in rows}

    async def add_holdings(self, tenant_id: str, sku_id: str, deltas: Mapping[str, int]) -> None:
        # Rows only ever shrink from a value they were grown to, so decreases are plain updates
        # (an upsert would check its would-be negative row against the constraint first).
        grown = sorted(user for user, delta in deltas.items() if delta > 0)
        shrunk = sorted(user for user, delta in deltas.items() if delta < 0)
        if grown:
            await self._conn.execute(
                "INSERT INTO user_holdings AS h (tenant_id, sku_id, user_id, quantity)"
                " SELECT $1, $2, u, d FROM unnest($3::text[], $4::bigint[]) AS r(u, d)"
                " ON CONFLICT (tenant_id, sku_id, user_id)"
                " DO UPDATE SET quantity = h.quantity + EXCLUDED.quantity",
                tenant_id,
                sku_id,
                grown,
                [deltas[u] for u in grown],
            )
        if shrunk:
            await self._conn.execute(
                "UPDATE user_holdings h SET quantity = h.quantity + r.d"
                " FROM unnest($3::text[], $4::bigint[]) AS r(u, d)"
                " WHERE h.tenant_id = $1 AND h.sku_id = $2 AND h.user_id = r.u"
                " AND h.user_id = ANY($3::text[])",
                tenant_id,
                sku_id,
                shrunk,
                [deltas[u] for u in shrunk],
            )

    async def order_holdings(
        self, tenant_id: str, sku_id: str, orders: Sequence[Order], now: datetime
    ) -> dict[Order, int]:
        # The caller holds the SKU's row lock, under which every hold of the SKU is written:
        # this statement sees every hold committed before it, and no other is being made.
        keys = sorted(set(orders))
        rows = await self._conn.fetch(
            "SELECT r.platform_id, r.order_id, sum(l.quantity)::bigint AS quantity"
            " FROM unnest($2::text[], $3::text[]) AS o(platform_id, order_id)"
            " JOIN reservations r ON r.tenant_id = $1 AND r.order_id = o.order_id"
            " AND r.platform_id = o.platform_id"
            " JOIN reservation_lines l ON l.tenant_id = r.tenant_id"
            " AND l.reservation_id = r.reservation_id AND l.sku_id = $4"
            " WHERE r.purpose = 1"
            " AND (r.state = 2 OR (r.state = 1 AND (r.expires_at IS NULL OR r.expires_at > $5)))"
            " GROUP BY r.platform_id, r.order_id",
            tenant_id,
            [order.platform_id for order in keys],
            [order.order_id for order in keys],
            sku_id,
            now,
        )
        return {Order(row["platform_id"], row["order_id"]): row["quantity"] for row in rows}

    async def rebuild_holdings(self, tenant_id: str, sku_id: str) -> None:
        await self._conn.execute(
            "DELETE FROM user_holdings WHERE tenant_id = $1 AND sku_id = $2", tenant_id, sku_id
        )
        await self._conn.execute(
            "INSERT INTO user_holdings (tenant_id, sku_id, user_id, quantity)"
            " SELECT r.tenant_id, l.sku_id, r.user_id, sum(l.quantity)"
            " FROM reservation_lines l JOIN reservations r USING (tenant_id, reservation_id)"
            " WHERE l.tenant_id = $1 AND l.sku_id = $2 AND r.purpose = 1 AND r.state IN (1, 2)"
            " GROUP BY r.tenant_id, l.sku_id, r.user_id",
            tenant_id,
            sku_id,
        )

    # Reservations.

    async def insert_holds(
        self, tenant_id: str, reservations: Sequence[Reservation], answers: Answers, now: datetime
    ) -> None:
        """New holds (reservation, lines, live holds) and the answers of their requests, each
        written once, in one statement."""
        if not reservations and not answers:
            return
        ids = sorted(answers)
        try:
            recorded = await self._conn.fetchval(
                "WITH held AS (INSERT INTO reservations (tenant_id, reservation_id, user_id,"
                " order_id, state, lock_stage, purpose, platform_id, ip, device_id, created_at,"
                " expires_at, settled_at, payment_reference, risk_decision_id, notify_at)"
                " SELECT * FROM unnest($1::hold_row[]))"
                ", lines AS (INSERT INTO reservation_lines (tenant_id, reservation_id, sku_id,"
                " quantity, consumed) SELECT * FROM unnest($2::line_row[]))"
                ", live AS (INSERT INTO live_holds (tenant_id, reservation_id, sku_id, quantity,"
                " expires_at, notify_at) SELECT * FROM unnest($3::live_row[]))"
                # An answer is recorded unless another transaction recorded one first (the insert
                # waits for a racing transaction to commit or roll back).
                ", recorded AS (INSERT INTO requests AS q (tenant_id, request_id, fingerprint,"
                " result, created_at) SELECT $4, r.request_id, r.fingerprint, r.result, $6"
                " FROM unnest($5::answer_row[]) AS r ORDER BY r.request_id"
                " ON CONFLICT (tenant_id, request_id) DO UPDATE"
                " SET fingerprint = EXCLUDED.fingerprint, result = EXCLUDED.result"
                " WHERE q.result IS NULL RETURNING request_id)"
                " SELECT count(*) FROM recorded",
                [_hold_row(r) for r in reservations],
                _line_rows(reservations),
                _live_rows([r for r in reservations if r.state is ReservationState.ACTIVE]),
                tenant_id,
                [(i, answers[i][0], codec.result_to_json(answers[i][1])) for i in ids],
                now,
            )
        except asyncpg.DeadlockDetectedError as error:
            # A transaction claimed one of these ids and waits for a SKU this batch locked.
            raise RequestsRaced(str(error)) from error
        if recorded != len(ids):
            raise RequestsRaced(f"{len(ids) - recorded} of the batch's requests answered meanwhile")

    async def lock_reservation(self, tenant_id: str, reservation_id: str) -> Reservation | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM reservations WHERE tenant_id = $1 AND reservation_id = $2 FOR UPDATE",
            tenant_id,
            reservation_id,
        )
        if row is None:
            return None
        return (await _with_lines(self._conn, [row]))[0]

    async def save_reservations(self, reservations: Sequence[Reservation]) -> None:
        if not reservations:
            return
        columns = _columns(
            (
                r.tenant_id,
                r.reservation_id,
                r.state.value,
                r.settled_at,
                r.expires_at,
                r.extension_count,
                r.payment_reference,
                r.release_reason.value if r.release_reason else None,
                r.expiring_soon_sent,
                r.notify_at,
                r.risk_decision_id,
            )
            for r in reservations
        )
        await self._conn.execute(
            "UPDATE reservations AS r SET state = u.state, settled_at = u.settled_at,"
            " expires_at = u.expires_at, extension_count = u.extension_count,"
            " payment_reference = u.payment_reference, release_reason = u.release_reason,"
            " expiring_soon_sent = u.sent, notify_at = u.notify_at,"
            " risk_decision_id = u.risk_decision_id"
            " FROM unnest($1::text[], $2::text[], $3::smallint[], $4::timestamptz[],"
            " $5::timestamptz[], $6::integer[], $7::text[], $8::smallint[], $9::boolean[],"
            " $10::timestamptz[], $11::text[]) AS u(tenant_id, reservation_id, state,"
            " settled_at, expires_at, extension_count, payment_reference, release_reason, sent,"
            " notify_at, risk_decision_id)"
            " WHERE r.tenant_id = u.tenant_id AND r.reservation_id = u.reservation_id",
            *columns,
        )
        settled = [r for r in reservations if r.state is not ReservationState.ACTIVE]
        if settled:
            await self._conn.execute(
                "DELETE FROM live_holds h USING unnest($1::text[], $2::text[]) AS u(t, r)"
                " WHERE h.tenant_id = u.t AND h.reservation_id = u.r",
                [r.tenant_id for r in settled],
                [r.reservation_id for r in settled],
            )
        active = [r for r in reservations if r.state is ReservationState.ACTIVE]
        if active:
            await self._save_live(active)

    async def _save_live(self, reservations: Sequence[Reservation]) -> None:
        """Deadlines, notice times (cleared once sent) and quantities of ACTIVE holds."""
        await self._conn.execute(
            "UPDATE live_holds h SET quantity = u.quantity, expires_at = u.expires_at,"
            " notify_at = u.notify_at FROM unnest($1::text[], $2::text[], $3::text[],"
            " $4::bigint[], $5::timestamptz[], $6::timestamptz[])"
            " AS u(tenant_id, reservation_id, sku_id, quantity, expires_at, notify_at)"
            " WHERE h.tenant_id = u.tenant_id AND h.reservation_id = u.reservation_id"
            " AND h.sku_id = u.sku_id",
            *_live_columns(reservations),
        )

    async def save_lines(self, reservations: Sequence[Reservation]) -> None:
        await self._conn.execute(
            "UPDATE reservation_lines l SET quantity = u.quantity, consumed = u.consumed"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])"
            " AS u(tenant_id, reservation_id, sku_id, quantity, consumed)"
            " WHERE l.tenant_id = u.tenant_id AND l.reservation_id = u.reservation_id"
            " AND l.sku_id = u.sku_id",
            *_line_columns(reservations),
        )

    async def expire_due_holds(
        self, now: datetime, limit: int, tenant_id: str | None, since: datetime | None
    ) -> list[ExpiredLine]:
        # One statement: lock due holds earliest first (lines of holds other transactions lock
        # are skipped), mark the ACTIVE ones EXPIRED, take all their lines out of the live set.
        # Holds are looked up by key, whatever plan the connection has cached (see
        # lock_expiring_soon): a scan plan once held a batch for 10 s in the benchmark.
        await self._conn.execute("SET LOCAL enable_seqscan = off")
        rows = await self._conn.fetch(
            "WITH due AS (SELECT r.tenant_id, r.reservation_id, r.state, r.user_id, r.order_id,"
            " r.purpose, r.platform_id, r.ip, r.device_id, r.expires_at"
            " FROM live_holds h JOIN reservations r"
            " ON r.tenant_id = h.tenant_id AND r.reservation_id = h.reservation_id"
            " WHERE h.expires_at <= $1 AND h.expires_at >= $4"
            " AND ($3::text IS NULL OR h.tenant_id = $3)"
            f" AND {_EXPIRABLE} ORDER BY h.expires_at LIMIT $2 FOR UPDATE OF r SKIP LOCKED),"
            " held AS (SELECT DISTINCT ON (tenant_id, reservation_id) * FROM due),"
            f" {_MARK_EXPIRED} {_TAKE_LIVE} h.reservation_id = d.reservation_id"
            f" RETURNING {_EXPIRED_LINE}",
            now,
            limit,
            tenant_id,
            since or _EPOCH,
        )
        return [codec.expired_line_from_row(row) for row in rows]

    async def expire_due_lines_of(
        self, tenant_id: str, sku_id: str, now: datetime, limit: int
    ) -> list[ExpiredLine]:
        rows = await self._conn.fetch(
            "WITH held AS (SELECT r.tenant_id, r.reservation_id, r.state, r.user_id, r.order_id,"
            " r.purpose, r.platform_id, r.ip, r.device_id, r.expires_at"
            " FROM live_holds h JOIN reservations r"
            " ON r.tenant_id = h.tenant_id AND r.reservation_id = h.reservation_id"
            " WHERE h.tenant_id = $2 AND h.sku_id = $3 AND h.expires_at <= $1"
            f" AND {_EXPIRABLE} LIMIT $4 FOR UPDATE OF r SKIP LOCKED),"
            f" {_MARK_EXPIRED} {_TAKE_LIVE} h.reservation_id = d.reservation_id AND h.sku_id = $3"
            f" RETURNING {_EXPIRED_LINE}",
            now,
            tenant_id,
            sku_id,
            limit,
        )
        return [codec.expired_line_from_row(row) for row in rows]

    async def lock_expiring_soon(self, now: datetime, limit: int) -> list[Reservation]:
        # Holds due a notice come off the notice index in notice order; each is then looked up by
        # its key. Without SET LOCAL, a plan made while the tables were still small (and cached
        # on the connection) scanned every reservation per due line: seconds of CPU per sweeper
        # pass, 10 s timeouts, once holds number in the tens of thousands (the benchmark).
        await self._conn.execute("SET LOCAL enable_seqscan = off")
        rows = await self._conn.fetch(
            "WITH due AS MATERIALIZED (SELECT tenant_id, reservation_id FROM live_holds"
            " WHERE notify_at <= $1 AND expires_at > $1 ORDER BY notify_at LIMIT $2 * 2)"
            " SELECT r.* FROM reservations r WHERE (r.tenant_id, r.reservation_id) IN"
            " (SELECT tenant_id, reservation_id FROM due) AND r.state = 1"
            " AND NOT r.expiring_soon_sent LIMIT $2 FOR UPDATE OF r SKIP LOCKED",
            now,
            limit,
        )
        return await _with_lines(self._conn, rows) if rows else []

    async def refresh_deadlines(
        self, tenant_id: str, sku_id: str, now: datetime, policy: SalePolicy
    ) -> int:
        """Gives every ACTIVE buyer hold of the SKU at least a fresh TTL from now."""
        deadline = policy.hold_deadline(now)
        notify_at = deadline - policy.effective_expiring_soon_lead
        status = await self._conn.execute(
            "WITH refreshed AS (UPDATE reservations r SET expires_at = $3, notify_at = $4,"
            " expiring_soon_sent = false FROM live_holds h"
            " WHERE h.tenant_id = $1 AND h.sku_id = $2 AND h.expires_at > $5"
            " AND h.expires_at < $3 AND r.tenant_id = h.tenant_id"
            " AND r.reservation_id = h.reservation_id AND r.state = 1"
            " RETURNING r.tenant_id, r.reservation_id)"
            " UPDATE live_holds h SET expires_at = $3, notify_at = $4 FROM refreshed f"
            " WHERE h.tenant_id = f.tenant_id AND h.reservation_id = f.reservation_id",
            tenant_id,
            sku_id,
            deadline,
            notify_at,
            now,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def ledger_totals(self, tenant_id: str, sku_ids: Sequence[str]) -> dict[str, StockLevels]:
        rows = await self._conn.fetch(
            "SELECT sku_id, sum(on_hand_delta)::bigint oh, sum(withheld_delta)::bigint w,"
            " sum(reserved_delta)::bigint r, sum(sold_delta)::bigint s FROM ledger WHERE tenant_id = $1 AND sku_id = ANY($2::text[])"
            " GROUP BY sku_id",
            tenant_id,
            list(sku_ids),
        )
        return {row["sku_id"]: StockLevels(row["oh"], row["w"], row["r"], row["s"]) for row in rows}

    async def live_reserved(self, tenant_id: str, sku_ids: Sequence[str]) -> dict[str, int]:
        """Units of ACTIVE holds per SKU, due or not (the sweeper has not returned them yet)."""
        rows = await self._conn.fetch(
            "SELECT sku_id, sum(quantity)::bigint AS held FROM live_holds"
            " WHERE tenant_id = $1 AND sku_id = ANY($2::text[]) GROUP BY sku_id",
            tenant_id,
            list(sku_ids),
        )
        return {row["sku_id"]: row["held"] for row in rows}


def _sku_columns(skus: Sequence[Sku]) -> list[list[Any]]:
    return _columns(
        (
            s.tenant_id,
            s.sku_id,
            s.title,
            s.stock.on_hand,
            s.stock.withheld,
            s.stock.reserved,
            s.stock.sold,
            codec.withheld_to_json(s.withheld_by_kind),
            s.status.value,
            codec.policy_to_json(s.policy),
            s.version,
            s.updated_at,
        )
        for s in skus
    )


def _ledger_row(change: Change) -> tuple[Any, ...]:
    assert change.ledger is not None
    delta = change.ledger.delta
    return (
        change.tenant_id,
        change.sku_id,
        change.ledger.reason.value,
        delta.on_hand,
        delta.withheld,
        delta.reserved,
        delta.sold,
        change.ledger.reference,
        change.ledger.note,
        change.occurred_at,
    )


def _columns(rows: Iterable[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows to the per-column arrays that unnest() takes."""
    return [list(column) for column in zip(*rows, strict=True)]


# New rows go to PostgreSQL as one array of a row type per table (migration 0003): asyncpg
# checks every element of an array for being an array itself, so one element per row costs
# half of one element per column and row.


def _hold_row(r: Reservation) -> tuple[Any, ...]:
    return (
        r.tenant_id,
        r.reservation_id,
        r.user_id,
        r.order_id,
        r.state.value,
        r.lock_stage.value,
        r.purpose.value,
        r.buyer.platform_id,
        r.buyer.ip,
        r.buyer.device_id,
        r.created_at,
        r.expires_at,
        r.settled_at,
        r.payment_reference,
        r.risk_decision_id,
        r.notify_at,
    )


def _line_rows(reservations: Sequence[Reservation]) -> list[tuple[Any, ...]]:
    return [
        (r.tenant_id, r.reservation_id, ln.sku_id, ln.quantity, ln.consumed)
        for r in reservations
        for ln in r.lines
    ]


def _live_rows(reservations: Sequence[Reservation]) -> list[tuple[Any, ...]]:
    return [
        (
            r.tenant_id,
            r.reservation_id,
            ln.sku_id,
            ln.quantity,
            r.expires_at,
            None if r.expiring_soon_sent else r.notify_at,
        )
        for r in reservations
        for ln in r.lines
    ]


def _line_columns(reservations: Sequence[Reservation]) -> list[list[Any]]:
    rows = _line_rows(reservations)
    return _columns(rows) if rows else [[] for _ in range(5)]


def _live_columns(reservations: Sequence[Reservation]) -> list[list[Any]]:
    rows = _live_rows(reservations)
    return _columns(rows) if rows else [[] for _ in range(6)]


async def _with_lines(
    conn: asyncpg.Connection | asyncpg.Pool, rows: Sequence[asyncpg.Record]
) -> list[Reservation]:
    lines = await conn.fetch(
        "SELECT tenant_id, reservation_id, sku_id, quantity, consumed FROM reservation_lines"
        " WHERE (tenant_id, reservation_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))"
        " ORDER BY sku_id",
        [r["tenant_id"] for r in rows],
        [r["reservation_id"] for r in rows],
    )
    by_reservation: dict[tuple[str, str], list[asyncpg.Record]] = {}
    for line in lines:
        by_reservation.setdefault((line["tenant_id"], line["reservation_id"]), []).append(line)
    return [
        codec.reservation_from_rows(
            r, by_reservation.get((r["tenant_id"], r["reservation_id"]), [])
        )
        for r in rows
    ]


async def _answered(
    conn: asyncpg.Connection | asyncpg.Pool, tenant_id: str, request_ids: Sequence[str]
) -> dict[str, Answered]:
    rows = await conn.fetch(
        "SELECT request_id, fingerprint, result FROM requests"
        " WHERE tenant_id = $1 AND request_id = ANY($2::text[]) AND result IS NOT NULL",
        tenant_id,
        list(request_ids),
    )
    return {
        row["request_id"]: Answered(row["fingerprint"], codec.result_from_json(row["result"]))
        for row in rows
    }


# The events of a window ($1 after, $2 upto, $3 tenant or NULL, $4 types, $5 SKUs) beside the
# horizon of the window's tenant and types, in one statement: one snapshot, so a pruning that
# commits meanwhile is seen in both or in neither. The row without an event carries the horizon.
_EVENTS = (
    "SELECT h.pruned_through, e.sequence, e.payload FROM"
    " (SELECT coalesce(max(pruned_through), 0) AS pruned_through FROM event_horizons"
    " WHERE ($3::text IS NULL OR tenant_id = $3)"
    " AND (cardinality($4::smallint[]) = 0 OR event_type = ANY($4))) h"
    " LEFT JOIN LATERAL (SELECT sequence, payload FROM events"
    " WHERE sequence > $1 AND sequence <= $2"
    " AND ($3::text IS NULL OR tenant_id = $3)"
    " AND (cardinality($4::smallint[]) = 0 OR event_type = ANY($4))"
    " AND (cardinality($5::text[]) = 0 OR sku_id = ANY($5))) e ON true ORDER BY e.sequence"
)
# Up to $2 of the oldest events, in sequence order from the horizon on (the primary key: no scan
# of dead rows already pruned), stopping at the first one committed at or after $1; the
# horizons of their tenants and types rise to the highest sequence deleted of each (locked in key
# order, so replicas pruning at once do not deadlock).
_PRUNE_EVENTS = """
WITH oldest AS (
  SELECT sequence, created_at FROM events
  WHERE sequence > (SELECT coalesce(max(pruned_through), 0) FROM event_horizons)
  ORDER BY sequence LIMIT $2
), pruned AS (
  DELETE FROM events WHERE sequence IN (
    SELECT sequence FROM oldest WHERE sequence < coalesce(
      (SELECT min(sequence) FROM oldest WHERE created_at >= $1), 9223372036854775807)
  )
  RETURNING tenant_id, event_type, sequence
), horizons AS (
  INSERT INTO event_horizons (tenant_id, event_type, pruned_through)
  SELECT tenant_id, event_type, max(sequence) FROM pruned
  GROUP BY tenant_id, event_type ORDER BY tenant_id, event_type
  ON CONFLICT (tenant_id, event_type) DO UPDATE SET pruned_through =
    greatest(event_horizons.pruned_through, EXCLUDED.pruned_through)
)
SELECT count(*) FROM pruned
"""

_LEDGER_COLUMNS = (
    "entry_id, sku_id, reason, on_hand_delta, withheld_delta, reserved_delta, sold_delta,"
    " reference, note, created_at"
)
_LIST_FILTERS = {"user": "user_id", "order": "order_id"}


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool, encode: EncodeEvent) -> None:
        self._pool = pool
        self._encode = encode

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PostgresTransaction(conn, self._encode)

    async def answered(self, tenant_id: str, request_ids: Sequence[str]) -> dict[str, Answered]:
        return await _answered(self._pool, tenant_id, request_ids)

    async def get_sku(self, tenant_id: str, sku_id: str, now: datetime) -> Sku | None:
        row = await self._pool.fetchrow(
            f"SELECT {_SKU_COLUMNS}, ({_DUE_BY_SKU}) AS due FROM skus s"
            " WHERE s.tenant_id = $1 AND s.sku_id = $2",
            tenant_id,
            sku_id,
            now,
        )
        return codec.sku_from_row(row, row["due"]) if row else None

    async def list_skus(
        self, tenant_id: str, after_sku_id: str, limit: int, now: datetime
    ) -> list[Sku]:
        rows = await self._pool.fetch(
            f"SELECT {_SKU_COLUMNS}, ({_DUE_BY_SKU}) AS due FROM skus s"
            " WHERE s.tenant_id = $1 AND s.sku_id > $2 ORDER BY s.sku_id LIMIT $4",
            tenant_id,
            after_sku_id,
            now,
            limit,
        )
        return [codec.sku_from_row(row, row["due"]) for row in rows]

    async def get_reservation(self, tenant_id: str, reservation_id: str) -> Reservation | None:
        row = await self._pool.fetchrow(
            "SELECT * FROM reservations WHERE tenant_id = $1 AND reservation_id = $2",
            tenant_id,
            reservation_id,
        )
        return (await _with_lines(self._pool, [row]))[0] if row else None

    async def list_reservations(
        self,
        tenant_id: str,
        by: ReservationFilter,
        state: ReservationState | None,
        before: tuple[datetime, str] | None,
        limit: int,
        now: datetime,
    ) -> list[Reservation]:
        """Newest first, filtered by user, order or SKU (and platform, if given); `before` is the
        last row of the previous page. The state filter applies to the state as seen at `now`."""
        if by.field == "sku":
            source = (
                "reservations r JOIN reservation_lines l USING (tenant_id, reservation_id)"
                " WHERE r.tenant_id = $1 AND l.sku_id = $2"
            )
        else:
            source = f"reservations r WHERE r.tenant_id = $1 AND r.{_LIST_FILTERS[by.field]} = $2"
        rows = await self._pool.fetch(
            f"SELECT r.* FROM {source}"
            " AND ($3::smallint IS NULL OR"
            " (CASE WHEN r.state = 1 AND r.expires_at <= $7 THEN 4 ELSE r.state END) = $3)"
            " AND ($4::timestamptz IS NULL OR (r.created_at, r.reservation_id) < ($4, $5))"
            " AND ($8 = '' OR r.platform_id = $8)"
            " ORDER BY r.created_at DESC, r.reservation_id DESC LIMIT $6",
            tenant_id,
            by.value,
            state.value if state else None,
            before[0] if before else None,
            before[1] if before else "",
            limit,
            now,
            by.platform_id,
        )
        return await _with_lines(self._pool, rows) if rows else []

    async def forget_requests(self, answered_before: datetime, limit: int) -> int:
        return await delete_batch(self._pool, "requests", "created_at < $1", answered_before, limit)

    async def sku_ids(self, tenant_id: str) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT sku_id FROM skus WHERE tenant_id = $1 ORDER BY sku_id", tenant_id
        )
        return [row["sku_id"] for row in rows]

    async def ledger_entries(
        self, tenant_id: str, sku_id: str, after_entry_id: int, limit: int
    ) -> list[LedgerRecord]:
        rows = await self._pool.fetch(
            f"SELECT {_LEDGER_COLUMNS} FROM ledger WHERE tenant_id = $1 AND sku_id = $2"
            " AND entry_id > $3 ORDER BY entry_id LIMIT $4",
            tenant_id,
            sku_id,
            after_entry_id,
            limit,
        )
        return [
            LedgerRecord(
                row["entry_id"],
                row["sku_id"],
                LedgerEntry(
                    LedgerReason(row["reason"]),
                    Delta(
                        row["on_hand_delta"],
                        row["withheld_delta"],
                        row["reserved_delta"],
                        row["sold_delta"],
                    ),
                    row["reference"],
                    row["note"],
                ),
                row["created_at"],
            )
            for row in rows
        ]

    async def next_deadline(self, tenant_id: str, sku_id: str) -> datetime | None:
        deadline: datetime | None = await self._pool.fetchval(
            "SELECT min(expires_at) FROM live_holds WHERE tenant_id = $1 AND sku_id = $2",
            tenant_id,
            sku_id,
        )
        return deadline

    async def head_sequence(self) -> int:
        return int(await self._pool.fetchval("SELECT last FROM event_sequence"))

    async def events(self, window: EventWindow) -> EventPage:
        """Encoded events with sequence in (after, upto], filtered; in sequence order."""
        rows = await self._pool.fetch(
            _EVENTS,
            window.after,
            window.upto,
            window.tenant_id,
            [t.value for t in window.types],
            list(window.sku_ids),
        )
        return EventPage(
            rows[0]["pruned_through"],
            [(row["sequence"], row["payload"]) for row in rows if row["sequence"] is not None],
        )

    async def prune_events(self, committed_before: datetime, limit: int) -> int:
        return int(await self._pool.fetchval(_PRUNE_EVENTS, committed_before, limit))
