"""inventory's PostgreSQL store: the only copy of an acknowledged hold.

Writes are set-based (one statement per table per transaction, rows passed as arrays) so that a
transaction carrying a coalesced batch of a hundred holds costs about what one hold costs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from services.inventory.adapters import codec
from services.inventory.domain.events import Change
from services.inventory.domain.reservation import Reservation, ReservationState
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import StockLevels

EncodeEvent = Callable[[int, Change], bytes]
NOTIFY_CHANNEL = "inventory_events"

_SKU_COLUMNS = (
    "tenant_id, sku_id, title, on_hand, withheld, reserved, sold, withheld_by_kind, sale_status,"
    " policy, version, created_at, updated_at"
)
_DUE_BY_SKU = (
    "SELECT COALESCE(sum(quantity), 0) FROM reservation_lines l"
    " WHERE l.tenant_id = s.tenant_id AND l.sku_id = s.sku_id AND l.active AND l.expires_at <= $3"
)


class PostgresTransaction:
    def __init__(self, conn: asyncpg.Connection, encode: EncodeEvent) -> None:
        self._conn = conn
        self._encode = encode
        self.events_written = 0

    # Idempotency.

    async def claim_requests(
        self, tenant_id: str, fingerprints: Mapping[str, str], now: datetime
    ) -> dict[str, tuple[str, str]]:
        ids = sorted(fingerprints)
        claimed = await self._conn.fetch(
            "INSERT INTO requests (tenant_id, request_id, fingerprint, result_ref, created_at)"
            " SELECT $1, r.id, r.fp, '', $4 FROM unnest($2::text[], $3::text[]) AS r(id, fp)"
            " ORDER BY r.id ON CONFLICT DO NOTHING RETURNING request_id",
            tenant_id,
            ids,
            [fingerprints[i] for i in ids],
            now,
        )
        fresh = {row["request_id"] for row in claimed}
        used = [i for i in ids if i not in fresh]
        if not used:
            return {}
        rows = await self._conn.fetch(
            "SELECT request_id, fingerprint, result_ref FROM requests"
            " WHERE tenant_id = $1 AND request_id = ANY($2::text[])",
            tenant_id,
            used,
        )
        return {row["request_id"]: (row["fingerprint"], row["result_ref"]) for row in rows}

    async def forget_requests(self, tenant_id: str, request_ids: Sequence[str]) -> None:
        if request_ids:
            await self._conn.execute(
                "DELETE FROM requests WHERE tenant_id = $1 AND request_id = ANY($2::text[])",
                tenant_id,
                list(request_ids),
            )

    async def record_results(self, tenant_id: str, results: Mapping[str, str]) -> None:
        if results:
            await self._conn.execute(
                "UPDATE requests q SET result_ref = r.ref"
                " FROM unnest($2::text[], $3::text[]) AS r(id, ref)"
                " WHERE q.tenant_id = $1 AND q.request_id = r.id",
                tenant_id,
                list(results),
                list(results.values()),
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
            f"SELECT {_SKU_COLUMNS} FROM skus s"
            " JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(t, s, n)"
            " ON s.tenant_id = k.t AND s.sku_id = k.s ORDER BY k.n FOR UPDATE OF s",
            [t for t, _ in ordered],
            [s for _, s in ordered],
        )
        return {(row["tenant_id"], row["sku_id"]): codec.sku_from_row(row) for row in rows}

    async def save_skus(self, skus: Sequence[Sku]) -> None:
        """Writes counters and every recorded change, then forgets the changes."""
        changed = [sku for sku in skus if sku.changes]
        if not changed:
            return
        await self._conn.executemany(
            "UPDATE skus SET title=$3, on_hand=$4, withheld=$5, reserved=$6, sold=$7,"
            " withheld_by_kind=$8, sale_status=$9, policy=$10, version=$11, updated_at=$12"
            " WHERE tenant_id=$1 AND sku_id=$2",
            [
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
                for s in changed
            ],
        )
        changes = [change for sku in changed for change in sku.changes]
        await self._write_ledger(changes)
        await self._write_events(changes)
        for sku in changed:
            sku.changes.clear()

    async def _write_ledger(self, changes: Sequence[Change]) -> None:
        entries = [c for c in changes if c.ledger is not None]
        if not entries:
            return
        columns: list[list[Any]] = [[] for _ in range(10)]
        for c in entries:
            assert c.ledger is not None
            d = c.ledger.delta
            row = (
                c.tenant_id,
                c.sku_id,
                c.ledger.reason.value,
                d.on_hand,
                d.withheld,
                d.reserved,
                d.sold,
                c.ledger.reference,
                c.ledger.note,
                c.occurred_at,
            )
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        await self._conn.execute(
            "INSERT INTO ledger (tenant_id, sku_id, reason, on_hand_delta, withheld_delta,"
            " reserved_delta, sold_delta, reference, note, created_at)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[],"
            " $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::timestamptz[])",
            *columns,
        )

    async def _write_events(self, changes: Sequence[Change]) -> None:
        # The counter row is locked until commit: transactions commit in sequence order.
        last = await self._conn.fetchval(
            "UPDATE event_sequence SET last = last + $1 RETURNING last", len(changes)
        )
        first = last - len(changes) + 1
        sequences = list(range(first, last + 1))
        await self._conn.execute(
            "INSERT INTO events (sequence, tenant_id, sku_id, event_type, payload, created_at)"
            " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[],"
            " $5::bytea[], $6::timestamptz[])",
            sequences,
            [c.tenant_id for c in changes],
            [c.sku_id for c in changes],
            [c.type.value for c in changes],
            [self._encode(seq, c) for seq, c in zip(sequences, changes, strict=True)],
            [c.occurred_at for c in changes],
        )
        await self._conn.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, str(last))
        self.events_written += len(changes)

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
        deltas = {user: delta for user, delta in deltas.items() if delta}
        if not deltas:
            return
        users = sorted(deltas)
        await self._conn.execute(
            "INSERT INTO user_holdings AS h (tenant_id, sku_id, user_id, quantity)"
            " SELECT $1, $2, u, d FROM unnest($3::text[], $4::bigint[]) AS r(u, d)"
            " ON CONFLICT (tenant_id, sku_id, user_id)"
            " DO UPDATE SET quantity = h.quantity + EXCLUDED.quantity",
            tenant_id,
            sku_id,
            users,
            [deltas[u] for u in users],
        )

    # Reservations.

    async def insert_reservations(self, reservations: Sequence[Reservation]) -> None:
        if not reservations:
            return
        await self._conn.executemany(
            "INSERT INTO reservations (tenant_id, reservation_id, user_id, order_id, state,"
            " lock_stage, purpose, platform_id, ip, device_id, created_at, expires_at, settled_at,"
            " payment_reference, risk_decision_id)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
            [
                (
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
                )
                for r in reservations
            ],
        )
        await self._write_lines(reservations, insert=True)

    async def _write_lines(self, reservations: Sequence[Reservation], insert: bool) -> None:
        rows = [
            (
                r.tenant_id,
                r.reservation_id,
                ln.sku_id,
                ln.quantity,
                ln.consumed,
                r.state is ReservationState.ACTIVE,
                r.expires_at,
            )
            for r in reservations
            for ln in r.lines
        ]
        statement = (
            "INSERT INTO reservation_lines (tenant_id, reservation_id, sku_id, quantity, consumed,"
            " active, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)"
            if insert
            else "UPDATE reservation_lines SET quantity=$4, consumed=$5, active=$6, expires_at=$7"
            " WHERE tenant_id=$1 AND reservation_id=$2 AND sku_id=$3"
        )
        await self._conn.executemany(statement, rows)

    async def lock_reservation(self, tenant_id: str, reservation_id: str) -> Reservation | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM reservations WHERE tenant_id = $1 AND reservation_id = $2 FOR UPDATE",
            tenant_id,
            reservation_id,
        )
        if row is None:
            return None
        return (await self._with_lines([row]))[0]

    async def _with_lines(self, rows: Sequence[asyncpg.Record]) -> list[Reservation]:
        lines = await self._conn.fetch(
            "SELECT tenant_id, reservation_id, sku_id, quantity, consumed FROM reservation_lines"
            " WHERE (tenant_id, reservation_id) IN"
            " (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY sku_id",
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

    async def save_reservations(self, reservations: Sequence[Reservation]) -> None:
        if not reservations:
            return
        await self._conn.executemany(
            "UPDATE reservations SET state=$3, settled_at=$4, expires_at=$5, extension_count=$6,"
            " payment_reference=$7, release_reason=$8, expiring_soon_sent=$9"
            " WHERE tenant_id=$1 AND reservation_id=$2",
            [
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
                )
                for r in reservations
            ],
        )
        await self._write_lines(reservations, insert=False)

    async def lock_due_reservations(
        self, tenant_id: str | None, now: datetime, limit: int, sku_id: str | None = None
    ) -> list[Reservation]:
        if sku_id is not None:
            rows = await self._conn.fetch(
                "SELECT r.* FROM reservation_lines l JOIN reservations r USING (tenant_id, reservation_id)"
                " WHERE l.tenant_id = $1 AND l.sku_id = $2 AND l.active AND l.expires_at <= $3"
                " LIMIT $4 FOR UPDATE OF r SKIP LOCKED",
                tenant_id,
                sku_id,
                now,
                limit,
            )
        else:
            rows = await self._conn.fetch(
                "SELECT * FROM reservations WHERE state = 1 AND expires_at <= $1"
                " AND ($2::text IS NULL OR tenant_id = $2)"
                " ORDER BY expires_at LIMIT $3 FOR UPDATE SKIP LOCKED",
                now,
                tenant_id,
                limit,
            )
        return await self._with_lines(rows) if rows else []


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool, encode: EncodeEvent) -> None:
        self._pool = pool
        self._encode = encode

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PostgresTransaction(conn, self._encode)

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
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM reservations WHERE tenant_id = $1 AND reservation_id = $2",
                tenant_id,
                reservation_id,
            )
            if row is None:
                return None
            return (await PostgresTransaction(conn, self._encode)._with_lines([row]))[0]

    async def ledger_totals(self, tenant_id: str, sku_ids: Sequence[str]) -> dict[str, StockLevels]:
        rows = await self._pool.fetch(
            "SELECT sku_id, sum(on_hand_delta) oh, sum(withheld_delta) w, sum(reserved_delta) r,"
            " sum(sold_delta) s FROM ledger WHERE tenant_id = $1 AND sku_id = ANY($2::text[])"
            " GROUP BY sku_id",
            tenant_id,
            list(sku_ids),
        )
        return {row["sku_id"]: StockLevels(row["oh"], row["w"], row["r"], row["s"]) for row in rows}
