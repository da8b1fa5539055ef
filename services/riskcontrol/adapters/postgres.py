"""riskcontrol's PostgreSQL: the decision audit (written in batches off the Assess path), access
list entries, shadow overrides, outcomes, request idempotency and the feedback cursor."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.riskcontrol.adapters import records_json
from services.riskcontrol.domain.errors import (
    AccessListConflict,
    AccessListEntryNotFound,
    InvalidArgument,
    RequestIdReused,
)
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.records import (
    AccessListEntry,
    DecisionRecord,
    OutcomeKind,
    ShadowOverride,
    ShadowSetting,
)
from services.riskcontrol.domain.scoring import AccessList
from services.riskcontrol.service_layer.ports import DecisionFilter, Page, RecordedRequest
from services.runtime.periodic import stopping

log = logging.getLogger(__name__)
_COLUMNS = (
    "tenant_id", "decision_id", "request_id", "assess_time", "user_id", "order_id", "ip_hash",
    "device_hash", "sku_ids", "rule_ids", "decision", "shadow_decision", "record",
)  # fmt: skip
_INSERT_DECISION = (
    f"INSERT INTO decisions ({', '.join(_COLUMNS)})"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)"
    " ON CONFLICT DO NOTHING"
)
_compact = json.JSONEncoder(separators=(",", ":")).encode
# What migration 0002 left of the fingerprint of an outcome reported before fingerprints used the
# keyed IP and device hashes: a retry of such a report gets its original answer, whatever it says.
SCRUBBED_FINGERPRINT = "scrubbed"


def _page_token(*parts: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def _page_after(token: str) -> list[str] | None:
    if not token:
        return None
    try:
        parts = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise InvalidArgument("page_token", "is not a token this service issued") from None
    return [str(p) for p in parts]


async def _newest_first(
    pool: asyncpg.Pool,
    table: str,
    order: tuple[str, str],
    clauses: list[str],
    args: list[Any],
    page: Page,
) -> tuple[list[asyncpg.Record], str]:
    """One page of rows, newest first by (time, id), with a keyset token for the next page."""
    time_column, id_column = order
    after = _page_after(page.token)
    if after is not None:
        args = [*args, datetime.fromisoformat(after[0]), after[1]]
        clauses = [*clauses, f"({time_column}, {id_column}) < (${len(args) - 1}, ${len(args)})"]
    rows = await pool.fetch(
        f"SELECT * FROM {table} WHERE {' AND '.join(clauses)}"
        f" ORDER BY {time_column} DESC, {id_column} DESC LIMIT {page.size + 1}",
        *args,
    )
    token = ""
    if len(rows) > page.size:
        last = rows[page.size - 1]
        token = _page_token(last[time_column].isoformat(), last[id_column])
    return list(rows[: page.size]), token


class PostgresAuditLog:
    """Decisions are queued and inserted in multi-row batches by one background task."""

    def __init__(
        self, pool: asyncpg.Pool, batch_size: int = 500, interval_seconds: float = 0.02
    ) -> None:
        self._pool = pool
        self._queue: list[DecisionRecord] = []
        self._batch_size = batch_size
        self._interval = interval_seconds
        self._lock = asyncio.Lock()

    def record(self, record: DecisionRecord) -> None:
        self._queue.append(record)

    async def run(self) -> None:
        # A plain sleep, not wait_for on an event: on Python 3.11 wait_for can swallow the
        # cancellation that stops the service when its timeout fires at the same moment.
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except (OSError, asyncpg.PostgresError):
                log.warning("decision audit write failed; retrying", exc_info=True)
            if stopping():
                # The driver swallowed (or turned into an error) the cancellation that stops us.
                raise asyncio.CancelledError

    async def flush(self) -> None:
        async with self._lock:
            while self._queue:
                batch, self._queue = (
                    self._queue[: self._batch_size],
                    self._queue[self._batch_size :],
                )
                try:
                    await self._insert(batch)
                except BaseException:
                    self._queue = batch + self._queue
                    raise

    async def _insert(self, batch: Sequence[DecisionRecord]) -> None:
        rows = [
            (
                r.attempt.tenant_id, r.decision_id, r.attempt.request_id, r.assess_time,
                r.attempt.user_id, r.attempt.order_id, r.ip_hash, r.device_hash,
                list(r.attempt.sku_ids), sorted({x.rule_id for x in r.verdict.reasons}),
                r.decision.value, r.verdict.shadow_decision.value,
                _compact(records_json.encode(r)),
            )
            for r in batch
        ]  # fmt: skip
        async with self._pool.acquire() as connection:
            try:
                # COPY costs PostgreSQL a fraction of row-by-row inserts; it is all or nothing.
                await connection.copy_records_to_table("decisions", records=rows, columns=_COLUMNS)
            except asyncpg.UniqueViolationError:
                # A batch written before a lost acknowledgement: the rows already stored stay as
                # they are. (A request id retried after its replay record expired has a decision
                # of its own, stored beside the first: migration 0003.)
                await connection.executemany(_INSERT_DECISION, rows)

    async def get(self, tenant_id: str, decision_id: str) -> DecisionRecord | None:
        row = await self._pool.fetchrow(
            "SELECT record FROM decisions WHERE tenant_id = $1 AND decision_id = $2",
            tenant_id,
            decision_id,
        )
        return None if row is None else records_json.decode(tenant_id, json.loads(row["record"]))

    async def list(
        self, tenant_id: str, where: DecisionFilter, page: Page
    ) -> tuple[list[DecisionRecord], str]:
        clauses = ["tenant_id = $1"]
        args: list[Any] = [tenant_id]

        def add(clause: str, value: Any) -> None:
            args.append(value)
            clauses.append(clause.replace("?", f"${len(args)}"))

        equal = {"user_id": where.user_id, "order_id": where.order_id,
                 "ip_hash": where.ip_hash, "device_hash": where.device_hash}  # fmt: skip
        for column, value in equal.items():
            if value:
                add(f"{column} = ?", value)
        if where.sku_id:
            add("sku_ids @> ARRAY[?]::text[]", where.sku_id)
        if where.decisions:
            add("decision = ANY(?::smallint[])", list(where.decisions))
        if where.rule_id:
            add("? = ANY(rule_ids)", where.rule_id)
        if where.shadow_differs_only:
            clauses.append("decision <> shadow_decision")
        if where.start_time is not None:
            add("assess_time >= ?", where.start_time)
        if where.end_time is not None:
            add("assess_time < ?", where.end_time)
        after = _page_after(page.token)
        if after is not None:
            args.extend([datetime.fromisoformat(after[0]), after[1]])
            clauses.append(f"(assess_time, decision_id) < (${len(args) - 1}, ${len(args)})")
        rows = await self._pool.fetch(
            f"SELECT assess_time, decision_id, record FROM decisions WHERE {' AND '.join(clauses)}"
            f" ORDER BY assess_time DESC, decision_id DESC LIMIT {page.size + 1}",
            *args,
        )
        records = [
            records_json.decode(tenant_id, json.loads(r["record"])) for r in rows[: page.size]
        ]
        token = ""
        if len(rows) > page.size:
            last = rows[page.size - 1]
            token = _page_token(last["assess_time"].isoformat(), last["decision_id"])
        return records, token


def _entry(row: asyncpg.Record) -> AccessListEntry:
    return AccessListEntry(
        row["entry_id"], AccessList(row["list"]), KeyLevel(row["key_level"]), row["key"],
        row["expire_time"], row["note"], row["created_by"], row["update_time"],
    )  # fmt: skip


def _entry_json(entry: AccessListEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id, "list": entry.access_list.value,
        "key_level": entry.key_level.value, "key": entry.key,
        "expire_time": entry.expire_time.isoformat(), "note": entry.note,
        "created_by": entry.created_by, "update_time": entry.update_time.isoformat(),
    }  # fmt: skip


def _entry_from_json(data: dict[str, Any]) -> AccessListEntry:
    return AccessListEntry(
        data["entry_id"], AccessList(data["list"]), KeyLevel(data["key_level"]), data["key"],
        datetime.fromisoformat(data["expire_time"]), data["note"], data["created_by"],
        datetime.fromisoformat(data["update_time"]),
    )  # fmt: skip


class PostgresRegistry:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def recorded_request(self, tenant_id: str, request_id: str) -> RecordedRequest | None:
        row = await self._pool.fetchrow(
            "SELECT fingerprint, result FROM requests WHERE tenant_id = $1 AND request_id = $2",
            tenant_id,
            request_id,
        )
        return (
            None if row is None else RecordedRequest(row["fingerprint"], json.loads(row["result"]))
        )

    async def _claim(
        self,
        conn: asyncpg.Connection,
        tenant_id: str,
        request_id: str,
        fingerprint: str,
        also_accepted: Sequence[str] = (),
    ) -> dict[str, Any] | None:
        """The original result of a retried request, None for a new one; raises on reuse. A
        request recorded with one of `also_accepted` (an older form of the fingerprint) is a
        retry too, and its record takes the current fingerprint."""
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1 || '/' || $2))", tenant_id, request_id
        )
        row = await conn.fetchrow(
            "SELECT fingerprint, result FROM requests WHERE tenant_id = $1 AND request_id = $2",
            tenant_id,
            request_id,
        )
        if row is None:
            return None
        if row["fingerprint"] != fingerprint:
            if row["fingerprint"] not in also_accepted:
                raise RequestIdReused(
                    "the request_id was used with other content", request_id=request_id
                )
            await conn.execute(
                "UPDATE requests SET fingerprint = $3 WHERE tenant_id = $1 AND request_id = $2",
                tenant_id, request_id, fingerprint,
            )  # fmt: skip
        result: dict[str, Any] = json.loads(row["result"])
        return result

    async def _remember(
        self,
        conn: asyncpg.Connection,
        tenant_id: str,
        request_id: str,
        fingerprint: str,
        result: dict[str, Any],
        now: datetime,
    ) -> None:
        await conn.execute(
            "INSERT INTO requests (tenant_id, request_id, fingerprint, result, record_time)"
            " VALUES ($1, $2, $3, $4::jsonb, $5)",
            tenant_id, request_id, fingerprint, json.dumps(result), now,
        )  # fmt: skip

    async def add_list_entry(
        self, tenant_id: str, entry: AccessListEntry, request_id: str, fingerprint: str
    ) -> tuple[AccessListEntry, bool]:
        async with self._pool.acquire() as conn, conn.transaction():
            earlier = await self._claim(conn, tenant_id, request_id, fingerprint)
            if earlier is not None:
                return _entry_from_json(earlier["entry"]), bool(earlier["replaced"])
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1 || '/' || $2))", tenant_id, entry.key
            )
            live = await conn.fetchrow(
                "SELECT * FROM access_list_entries WHERE tenant_id = $1 AND key = $2 AND NOT removed",
                tenant_id, entry.key,
            )  # fmt: skip
            replaced = False
            stored = entry
            if live is not None and live["expire_time"] > entry.update_time:
                if live["list"] != entry.access_list.value:
                    raise AccessListConflict(
                        "the key is on the other list", entry_id=live["entry_id"],
                        list=f"ACCESS_LIST_{AccessList(live['list']).name}",
                    )  # fmt: skip
                replaced = True
                stored = AccessListEntry(
                    live["entry_id"], entry.access_list, entry.key_level, entry.key,
                    entry.expire_time, entry.note, entry.created_by, entry.update_time,
                )  # fmt: skip
                await conn.execute(
                    "UPDATE access_list_entries SET expire_time = $3, note = $4, created_by = $5,"
                    " update_time = $6 WHERE tenant_id = $1 AND entry_id = $2",
                    tenant_id, stored.entry_id, stored.expire_time, stored.note,
                    stored.created_by, stored.update_time,
                )  # fmt: skip
            else:
                if live is not None:
                    await conn.execute(
                        "UPDATE access_list_entries SET removed = true, remove_time = $3"
                        " WHERE tenant_id = $1 AND entry_id = $2",
                        tenant_id, live["entry_id"], entry.update_time,
                    )  # fmt: skip
                await conn.execute(
                    "INSERT INTO access_list_entries (tenant_id, entry_id, list, key_level, key,"
                    " expire_time, note, created_by, update_time) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    tenant_id, entry.entry_id, entry.access_list.value, entry.key_level.value,
                    entry.key, entry.expire_time, entry.note, entry.created_by, entry.update_time,
                )  # fmt: skip
            await self._remember(
                conn, tenant_id, request_id, fingerprint,
                {"entry": _entry_json(stored), "replaced": replaced}, entry.update_time,
            )  # fmt: skip
            return stored, replaced

    async def remove_list_entry(
        self, tenant_id: str, entry_id: str, request_id: str, fingerprint: str, now: datetime
    ) -> AccessListEntry:
        async with self._pool.acquire() as conn, conn.transaction():
            earlier = await self._claim(conn, tenant_id, request_id, fingerprint)
            if earlier is not None:
                return _entry_from_json(earlier["entry"])
            row = await conn.fetchrow(
                "UPDATE access_list_entries SET removed = true, remove_time = $3 WHERE tenant_id = $1"
                " AND entry_id = $2 AND NOT removed RETURNING *",
                tenant_id, entry_id, now,
            )  # fmt: skip
            if row is None:
                raise AccessListEntryNotFound("the entry is not known", entry_id=entry_id)
            entry = _entry(row)
            await self._remember(
                conn, tenant_id, request_id, fingerprint, {"entry": _entry_json(entry)}, now
            )
            return entry

    async def list_entries(
        self,
        tenant_id: str,
        access_list: AccessList | None,
        level: KeyLevel | None,
        key: str,
        include_expired: bool,
        now: datetime,
        page: Page,
    ) -> tuple[list[AccessListEntry], str]:
        clauses = ["tenant_id = $1"]
        args: list[Any] = [tenant_id]
        if not include_expired:
            args.append(now)
            clauses.append(f"NOT removed AND expire_time > ${len(args)}")
        for column, value in (("list", access_list), ("key_level", level)):
            if value is not None:
                args.append(value.value)
                clauses.append(f"{column} = ${len(args)}")
        if key:
            args.append(key)
            clauses.append(f"key = ${len(args)}")
        rows, token = await _newest_first(
            self._pool, "access_list_entries", ("update_time", "entry_id"), clauses, args, page
        )
        return [_entry(r) for r in rows], token

    async def live_entries(self, now: datetime) -> list[tuple[str, AccessListEntry]]:
        rows = await self._pool.fetch(
            "SELECT * FROM access_list_entries WHERE NOT removed AND expire_time > $1", now
        )
        return [(row["tenant_id"], _entry(row)) for row in rows]

    async def shadow_settings(self) -> dict[str, ShadowSetting]:
        rows = await self._pool.fetch("SELECT * FROM shadow_overrides")
        return {
            row["tenant_id"]: ShadowSetting(
                ShadowOverride(row["override"]), row["reason"], row["update_time"]
            )
            for row in rows
        }

    async def set_shadow(
        self, tenant_id: str, setting: ShadowSetting, request_id: str, fingerprint: str
    ) -> ShadowSetting:
        async with self._pool.acquire() as conn, conn.transaction():
            earlier = await self._claim(conn, tenant_id, request_id, fingerprint)
            if earlier is not None:
                return ShadowSetting(
                    ShadowOverride(earlier["override"]), earlier["reason"],
                    datetime.fromisoformat(earlier["update_time"]),
                )  # fmt: skip
            await conn.execute(
                "INSERT INTO shadow_overrides (tenant_id, override, reason, update_time)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET"
                " override = excluded.override, reason = excluded.reason,"
                " update_time = excluded.update_time",
                tenant_id, setting.override.value, setting.reason, setting.update_time,
            )  # fmt: skip
            assert setting.update_time is not None
            await self._remember(
                conn, tenant_id, request_id, fingerprint,
                {"override": setting.override.value, "reason": setting.reason,
                 "update_time": setting.update_time.isoformat()}, setting.update_time,
            )  # fmt: skip
            return setting

    async def record_outcome(
        self,
        tenant_id: str,
        outcome_id: str,
        request_id: str,
        fingerprint: str,
        kind: OutcomeKind,
        details: dict[str, object],
        now: datetime,
        also_accepted: Sequence[str] = (),
    ) -> tuple[str, list[str]] | None:
        async with self._pool.acquire() as conn, conn.transaction():
            # SCRUBBED: migration 0002 dropped the unkeyed fingerprints of earlier reports.
            accepted = (*also_accepted, SCRUBBED_FINGERPRINT)
            earlier = await self._claim(conn, tenant_id, request_id, fingerprint, accepted)
            if earlier is not None:
                keys = await conn.fetchval(
                    "SELECT updated_keys FROM outcomes WHERE tenant_id = $1 AND outcome_id = $2",
                    tenant_id, earlier["outcome_id"],
                )  # fmt: skip
                return str(earlier["outcome_id"]), list(keys or [])
            await conn.execute(
                "INSERT INTO outcomes (tenant_id, outcome_id, kind, details, record_time)"
                " VALUES ($1, $2, $3, $4::jsonb, $5)",
                tenant_id, outcome_id, kind.value, json.dumps(details), now,
            )  # fmt: skip
            await self._remember(
                conn, tenant_id, request_id, fingerprint, {"outcome_id": outcome_id}, now
            )
            return None

    async def save_outcome_keys(self, tenant_id: str, outcome_id: str, keys: Sequence[str]) -> None:
        await self._pool.execute(
            "UPDATE outcomes SET updated_keys = $3 WHERE tenant_id = $1 AND outcome_id = $2",
            tenant_id, outcome_id, list(keys),
        )  # fmt: skip


class PostgresFeedbackCursor:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def last_sequence(self, consumer: str) -> int:
        value = await self._pool.fetchval(
            "SELECT last_sequence FROM feedback_cursors WHERE consumer = $1", consumer
        )
        return int(value or 0)

    async def save(self, consumer: str, sequence: int) -> None:
        await self._pool.execute(
            "INSERT INTO feedback_cursors (consumer, last_sequence) VALUES ($1, $2)"
            " ON CONFLICT (consumer) DO UPDATE SET last_sequence = GREATEST("
            "feedback_cursors.last_sequence, excluded.last_sequence), update_time = now()",
            consumer,
            sequence,
        )
