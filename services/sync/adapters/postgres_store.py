"""sync's PostgreSQL store: the only place with sync's SQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from services.runtime.storage import delete_batch
from services.sync.adapters import rows
from services.sync.domain.policy import AllocationPolicy, Platform, PlatformMode
from services.sync.domain.quota import PushStatus, Quota
from services.sync.domain.sales import LineRecord, SaleKind
from services.sync.service_layer.ports import (
    Clock,
    PlatformRecord,
    PolicyRecord,
    QuotaRecord,
    ReconciliationRecord,
)

_REMEMBER = (
    "INSERT INTO request_results (tenant_id, method, request_id, fingerprint, response,"
    " create_time) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
)
_QUOTA_SET = ", ".join(f"{c} = ${i + 5}" for i, c in enumerate(rows.QUOTA_COLUMNS))


class PostgresTransaction:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    # platforms

    async def platform(self, tenant_id: str, platform_id: str) -> PlatformRecord | None:
        row = await self._db.fetchrow(
            "SELECT * FROM platforms WHERE tenant_id = $1 AND platform_id = $2",
            tenant_id,
            platform_id,
        )
        return None if row is None else rows.platform_of(row)

    async def insert_platform(self, tenant_id: str, platform: Platform, now: float) -> bool:
        status = await self._db.execute(
            """
            INSERT INTO platforms (tenant_id, platform_id, display_name, mode, endpoint_kind,
                endpoint_url, credentials_ref, request_timeout_s, ack_timeout_s, disabled,
                create_time, update_time)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
            ON CONFLICT DO NOTHING
            """,
            tenant_id,
            platform.platform_id,
            *rows.platform_values(platform),
            rows.stamp(now),
        )
        return bool(status.endswith(" 1"))

    async def update_platform(self, tenant_id: str, platform: Platform, now: float) -> None:
        await self._db.execute(
            """
            UPDATE platforms SET display_name = $3, mode = $4, endpoint_kind = $5,
                endpoint_url = $6, credentials_ref = $7, request_timeout_s = $8,
                ack_timeout_s = $9, disabled = $10, update_time = $11
            WHERE tenant_id = $1 AND platform_id = $2
            """,
            tenant_id,
            platform.platform_id,
            *rows.platform_values(platform),
            rows.stamp(now),
        )

    async def list_platforms(
        self, tenant_id: str, mode: PlatformMode | None, after: str, limit: int
    ) -> list[PlatformRecord]:
        found = await self._db.fetch(
            """
            SELECT * FROM platforms
            WHERE tenant_id = $1 AND platform_id > $2 AND ($3::smallint IS NULL OR mode = $3)
            ORDER BY platform_id LIMIT $4
            """,
            tenant_id,
            after,
            None if mode is None else int(mode),
            limit,
        )
        return [rows.platform_of(row) for row in found]

    async def record_push(self, tenant_id: str, platform_id: str, error: str, now: float) -> None:
        if error:
            await self._db.execute(
                """
                UPDATE platforms SET reachable = false, consecutive_failures =
                    consecutive_failures + 1, last_failure_time = $3, last_error = $4
                WHERE tenant_id = $1 AND platform_id = $2
                """,
                tenant_id,
                platform_id,
                rows.stamp(now),
                error[:500],
            )
            return
        await self._db.execute(
            """
            UPDATE platforms SET reachable = true, consecutive_failures = 0, last_success_time = $3
            WHERE tenant_id = $1 AND platform_id = $2
            """,
            tenant_id,
            platform_id,
            rows.stamp(now),
        )

    async def claim_probe(
        self, tenant_id: str, platform_id: str, failures: int, cooled_before: float, now: float
    ) -> bool:
        claimed = await self._db.fetchval(
            """
            UPDATE platforms SET probe_time = $5
            WHERE tenant_id = $1 AND platform_id = $2 AND NOT reachable
              AND consecutive_failures = $3 AND last_failure_time <= $4
              AND (probe_time IS NULL OR probe_time <= $4)
            RETURNING true
            """,
            tenant_id,
            platform_id,
            failures,
            rows.stamp(cooled_before),
            rows.stamp(now),
        )
        return bool(claimed)

    # policies

    async def policy(self, tenant_id: str, sku_id: str) -> PolicyRecord | None:
        row = await self._db.fetchrow(
            "SELECT * FROM allocation_policies WHERE tenant_id = $1 AND sku_id = $2",
            tenant_id,
            sku_id,
        )
        return None if row is None else rows.policy_of(row)

    async def upsert_policy(self, tenant_id: str, policy: AllocationPolicy, now: float) -> None:
        await self._db.execute(
            """
            INSERT INTO allocation_policies (tenant_id, sku_id, enabled, pool_reserve_units, shares,
                hysteresis_units, hysteresis_fraction, half_life_s, update_time)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)
            ON CONFLICT (tenant_id, sku_id) DO UPDATE SET enabled = excluded.enabled,
                pool_reserve_units = excluded.pool_reserve_units, shares = excluded.shares,
                hysteresis_units = excluded.hysteresis_units,
                hysteresis_fraction = excluded.hysteresis_fraction,
                half_life_s = excluded.half_life_s, update_time = excluded.update_time
            """,
            tenant_id,
            policy.sku_id,
            policy.enabled,
            policy.pool_reserve_units,
            rows.shares_json(policy),
            policy.hysteresis.units,
            policy.hysteresis.fraction,
            policy.half_life_seconds,
            rows.stamp(now),
        )

    async def delete_policy(self, tenant_id: str, sku_id: str) -> bool:
        status = await self._db.execute(
            "DELETE FROM allocation_policies WHERE tenant_id = $1 AND sku_id = $2",
            tenant_id,
            sku_id,
        )
        return bool(status.endswith(" 1"))

    async def list_policies(self, tenant_id: str, after: str, limit: int) -> list[PolicyRecord]:
        found = await self._db.fetch(
            """
            SELECT * FROM allocation_policies WHERE tenant_id = $1 AND sku_id > $2
            ORDER BY sku_id LIMIT $3
            """,
            tenant_id,
            after,
            limit,
        )
        return [rows.policy_of(row) for row in found]

    # quotas

    async def lock_quota(self, tenant_id: str, sku_id: str, platform_id: str) -> Quota:
        """Locks the row, creating it first when missing (one round trip when it exists)."""
        select = (
            "SELECT * FROM quotas WHERE tenant_id = $1 AND sku_id = $2 AND platform_id = $3 "
            "FOR UPDATE"
        )
        row = await self._db.fetchrow(select, tenant_id, sku_id, platform_id)
        if row is None:
            await self._db.execute(
                "INSERT INTO quotas (tenant_id, sku_id, platform_id) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                tenant_id,
                sku_id,
                platform_id,
            )
            row = await self._db.fetchrow(select, tenant_id, sku_id, platform_id)
        return rows.quota_of(row)

    async def quota(self, tenant_id: str, sku_id: str, platform_id: str) -> QuotaRecord | None:
        row = await self._db.fetchrow(
            "SELECT * FROM quotas WHERE tenant_id = $1 AND sku_id = $2 AND platform_id = $3",
            tenant_id,
            sku_id,
            platform_id,
        )
        return None if row is None else rows.quota_record(row)

    async def save_quota(self, quota: Quota, now: float) -> None:
        await self._db.execute(
            f"""
            UPDATE quotas SET {_QUOTA_SET}, update_time = $4
            WHERE tenant_id = $1 AND sku_id = $2 AND platform_id = $3
            """,
            quota.tenant_id,
            quota.sku_id,
            quota.platform_id,
            rows.stamp(now),
            *rows.quota_values(quota),
        )

    async def set_target(
        self, tenant_id: str, sku_id: str, platform_id: str, target_units: int
    ) -> None:
        """Only the target: a pass reads quotas without locking them, so it writes nothing else."""
        await self._db.execute(
            "UPDATE quotas SET target_units = $4 "
            "WHERE tenant_id = $1 AND sku_id = $2 AND platform_id = $3",
            tenant_id,
            sku_id,
            platform_id,
            target_units,
        )

    async def quotas_of_sku(self, tenant_id: str, sku_id: str) -> list[QuotaRecord]:
        found = await self._db.fetch(
            "SELECT * FROM quotas WHERE tenant_id = $1 AND sku_id = $2 ORDER BY platform_id",
            tenant_id,
            sku_id,
        )
        return [rows.quota_record(row) for row in found]

    async def list_quotas(
        self,
        tenant_id: str,
        sku_id: str,
        platform_id: str,
        statuses: Sequence[PushStatus],
        after: tuple[str, str],
        limit: int,
    ) -> list[QuotaRecord]:
        found = await self._db.fetch(
            """
            SELECT * FROM quotas
            WHERE tenant_id = $1 AND ($2 = '' OR sku_id = $2) AND ($3 = '' OR platform_id = $3)
              AND (cardinality($4::smallint[]) = 0 OR push_status = ANY($4::smallint[]))
              AND (sku_id, platform_id) > ($5, $6)
            ORDER BY sku_id, platform_id LIMIT $7
            """,
            tenant_id,
            sku_id,
            platform_id,
            [int(s) for s in statuses],
            after[0],
            after[1],
            limit,
        )
        return [rows.quota_record(row) for row in found]

    async def platform_quota_units(self, tenant_id: str, platform_id: str) -> int:
        total = await self._db.fetchval(
            "SELECT coalesce(sum(quota_units), 0) FROM quotas "
            "WHERE tenant_id = $1 AND platform_id = $2",
            tenant_id,
            platform_id,
        )
        return int(total)

    async def skus_to_rebalance(self, tenant_id: str) -> list[str]:
        found = await self._db.fetch(
            """
            SELECT sku_id FROM allocation_policies WHERE tenant_id = $1 AND sku_id <> ''
            UNION SELECT sku_id FROM quotas WHERE tenant_id = $1
            ORDER BY 1
            """,
            tenant_id,
        )
        return [row["sku_id"] for row in found]

    async def tenants(self) -> list[str]:
        found = await self._db.fetch(
            "SELECT tenant_id FROM allocation_policies UNION SELECT tenant_id FROM quotas"
        )
        return sorted(row["tenant_id"] for row in found)

    async def mark_rebalanced(self, tenant_id: str, sku_id: str, now: float) -> None:
        await self._db.execute(
            """
            INSERT INTO sku_rebalances (tenant_id, sku_id, last_rebalance_time) VALUES ($1, $2, $3)
            ON CONFLICT (tenant_id, sku_id) DO UPDATE SET last_rebalance_time = excluded.last_rebalance_time
            """,
            tenant_id,
            sku_id,
            rows.stamp(now),
        )

    async def last_rebalance(self, tenant_id: str, sku_id: str) -> float | None:
        moment = await self._db.fetchval(
            "SELECT last_rebalance_time FROM sku_rebalances WHERE tenant_id = $1 AND sku_id = $2",
            tenant_id,
            sku_id,
        )
        return rows.seconds(moment)

    # sale lines

    async def sale_lines(
        self, tenant_id: str, platform_id: str, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str, SaleKind], LineRecord]:
        # The orders are looked up through the primary key (an IN over (order, line) pairs made
        # PostgreSQL scan every line of the platform); lines of other line ids are dropped here.
        found = await self._db.fetch(
            """
            SELECT order_id, line_id, kind, sku_id, quantity, applied_units FROM sale_lines
            WHERE tenant_id = $1 AND platform_id = $2 AND order_id = ANY($3::text[])
            """,
            tenant_id,
            platform_id,
            list({order_id for order_id, _ in keys}),
        )
        wanted = set(keys)
        return {
            (row["order_id"], row["line_id"], SaleKind(row["kind"])): LineRecord(
                row["sku_id"], row["quantity"], row["applied_units"]
            )
            for row in found
            if (row["order_id"], row["line_id"]) in wanted
        }

    async def save_sale_lines(
        self,
        tenant_id: str,
        platform_id: str,
        rows_to_save: Sequence[tuple[tuple[str, str, SaleKind], LineRecord, float]],
    ) -> None:
        await self._db.executemany(
            """
            INSERT INTO sale_lines (tenant_id, platform_id, order_id, line_id, kind, sku_id,
                quantity, applied_units, occur_time)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (tenant_id, platform_id, order_id, line_id, kind) DO UPDATE SET
                quantity = excluded.quantity, applied_units = excluded.applied_units,
                report_time = now(),
                -- The line's latest time, so it is forgotten only once every report of it is too
                -- late; a report without a time keeps it for ever (it cannot be aged).
                occur_time = CASE WHEN sale_lines.occur_time IS NULL
                    OR excluded.occur_time IS NULL THEN NULL
                    ELSE greatest(sale_lines.occur_time, excluded.occur_time) END
            """,
            [
                (
                    tenant_id,
                    platform_id,
                    order_id,
                    line_id,
                    int(kind),
                    record.sku_id,
                    record.quantity,
                    record.applied_units,
                    rows.stamp(occur_time) if occur_time else None,
                )
                for (order_id, line_id, kind), record, occur_time in rows_to_save
            ],
        )

    async def hold_requests(self, tenant_id: str, method: str, request_ids: Sequence[str]) -> None:
        # Transaction-scoped advisory locks, one per request id, taken in one statement in the
        # order of their keys (every holder takes its keys in that order, so no waits go round
        # in a circle). The recall must be a later statement: its snapshot then sees the commit
        # of the transaction this one waited for (READ COMMITTED takes one per statement).
        await self._db.execute(
            """
            SELECT pg_advisory_xact_lock(key) FROM (
                SELECT DISTINCT hashtextextended('sync/' || $1 || '/' || $2 || '/' || id, 0) AS key
                FROM unnest($3::text[]) AS id ORDER BY key
            ) AS keys
            """,
            method,
            tenant_id,
            list(request_ids),
        )

    async def recall_results(
        self, tenant_id: str, method: str, request_ids: Sequence[str]
    ) -> dict[str, tuple[str, bytes]]:
        found = await self._db.fetch(
            "SELECT request_id, fingerprint, response FROM request_results "
            "WHERE tenant_id = $1 AND method = $2 AND request_id = ANY($3::text[])",
            tenant_id,
            method,
            list(request_ids),
        )
        return {row["request_id"]: (row["fingerprint"], bytes(row["response"])) for row in found}

    async def remember_results(
        self, tenant_id: str, method: str, answers: Sequence[tuple[str, str, bytes]], now: float
    ) -> None:
        await self._db.executemany(
            _REMEMBER, [(tenant_id, method, *answer, rows.stamp(now)) for answer in answers]
        )

    # reconciliations

    async def save_reconciliation(self, tenant_id: str, run: ReconciliationRecord) -> None:
        await self._db.execute(
            """
            INSERT INTO reconciliations (tenant_id, reconciliation_id, trigger, state, platform_id,
                sku_ids, repair, start_time, finish_time, checked_pair_count, drift_count, drifts,
                error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13)
            ON CONFLICT (tenant_id, reconciliation_id) DO UPDATE SET state = excluded.state,
                finish_time = excluded.finish_time,
                checked_pair_count = excluded.checked_pair_count,
                drift_count = excluded.drift_count, drifts = excluded.drifts,
                error = excluded.error
            """,
            tenant_id,
            run.reconciliation_id,
            run.trigger,
            run.state,
            run.platform_id,
            list(run.sku_ids),
            run.repair,
            rows.stamp(run.start_time),
            rows.stamp(run.finish_time),
            run.checked_pair_count,
            len(run.drifts),
            json.dumps(list(run.drifts)),
            run.error,
        )

    async def reconciliation(
        self, tenant_id: str, reconciliation_id: str
    ) -> ReconciliationRecord | None:
        row = await self._db.fetchrow(
            "SELECT * FROM reconciliations WHERE tenant_id = $1 AND reconciliation_id = $2",
            tenant_id,
            reconciliation_id,
        )
        return None if row is None else rows.reconciliation_of(row)

    async def list_reconciliations(
        self,
        tenant_id: str,
        platform_id: str,
        drift_only: bool,
        window: tuple[float | None, float | None],
        before: tuple[float, str] | None,
        limit: int,
    ) -> list[ReconciliationRecord]:
        found = await self._db.fetch(
            """
            SELECT * FROM reconciliations
            WHERE tenant_id = $1 AND ($2 = '' OR platform_id = $2) AND (NOT $3 OR drift_count > 0)
              AND ($4::timestamptz IS NULL OR start_time >= $4)
              AND ($5::timestamptz IS NULL OR start_time < $5)
              AND ($6::timestamptz IS NULL OR (start_time, reconciliation_id) < ($6, $7))
            ORDER BY start_time DESC, reconciliation_id DESC LIMIT $8
            """,
            tenant_id,
            platform_id,
            drift_only,
            rows.stamp(window[0]),
            rows.stamp(window[1]),
            rows.stamp(before[0]) if before else None,
            before[1] if before else "",
            limit,
        )
        return [rows.reconciliation_of(row) for row in found]


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield PostgresTransaction(connection)

    # retention: each call is one short statement of its own, found through a BRIN index

    async def forget_request_results(self, answered_before: float, limit: int) -> int:
        return await self._forget("request_results", "create_time", answered_before, limit)

    async def forget_sale_lines(self, occurred_before: float, limit: int) -> int:
        return await self._forget("sale_lines", "occur_time", occurred_before, limit)

    async def forget_reconciliations(self, started_before: float, limit: int) -> int:
        return await self._forget("reconciliations", "start_time", started_before, limit)

    async def _forget(self, table: str, age: str, before: float, limit: int) -> int:
        return await delete_batch(self._pool, table, f"{age} < $1", rows.stamp(before), limit)


_REQUEST_KEY = "hashtextextended('sync/' || $1 || '/' || $2 || '/' || $3, 0)"


class PostgresRequestLog:
    """Results of mutations by request id, kept beside sync's other state. `locks` is a small pool
    of its own for the request ids' locks: held while a mutation runs on the main pool, they must
    never take the connections the mutations need. Answers are dated by the service's clock."""

    def __init__(self, pool: asyncpg.Pool, locks: asyncpg.Pool, clock: Clock) -> None:
        self._pool = pool
        self._locks = locks
        self._clock = clock

    @asynccontextmanager
    async def holding(self, tenant_id: str, method: str, request_id: str) -> AsyncIterator[None]:
        # A session advisory lock, held while the mutation runs in transactions of its own (the
        # same key as ReportSales' transaction locks); the pool's reset on release drops it too.
        async with self._locks.acquire() as conn:
            await conn.execute(
                f"SELECT pg_advisory_lock({_REQUEST_KEY})", method, tenant_id, request_id
            )
            try:
                yield
            finally:
                await conn.execute(
                    f"SELECT pg_advisory_unlock({_REQUEST_KEY})", method, tenant_id, request_id
                )

    async def recall(
        self, tenant_id: str, method: str, request_id: str
    ) -> tuple[str, bytes] | None:
        row = await self._pool.fetchrow(
            "SELECT fingerprint, response FROM request_results "
            "WHERE tenant_id = $1 AND method = $2 AND request_id = $3",
            tenant_id,
            method,
            request_id,
        )
        return None if row is None else (row["fingerprint"], bytes(row["response"]))

    async def remember(
        self, tenant_id: str, method: str, request_id: str, fingerprint: str, response: bytes
    ) -> None:
        await self._pool.execute(
            _REMEMBER,
            tenant_id,
            method,
            request_id,
            fingerprint,
            response,
            rows.stamp(self._clock.now()),
        )


def _lock_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for a scope."""
    digest = hashlib.sha256("\x1f".join(("sync-reconcile", *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresReconciliationLocks:
    """Session advisory locks on a connection held for the run: every-platform runs take the
    tenant's key exclusively, one-platform runs take it shared plus the platform's key."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def reconciling(self, tenant_id: str, platform_id: str) -> AsyncIterator[bool]:
        tenant_key = _lock_key(tenant_id)
        async with self._pool.acquire() as connection:
            if not platform_id:
                held = await connection.fetchval("SELECT pg_try_advisory_lock($1)", tenant_key)
                keys = [("pg_advisory_unlock", tenant_key)] if held else []
            else:
                platform_key = _lock_key(tenant_id, platform_id)
                shared = await connection.fetchval(
                    "SELECT pg_try_advisory_lock_shared($1)", tenant_key
                )
                own = shared and await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1)", platform_key
                )
                keys = [("pg_advisory_unlock_shared", tenant_key)] if shared else []
                keys += [("pg_advisory_unlock", platform_key)] if own else []
                held = bool(shared and own)
            try:
                yield bool(held)
            finally:
                for unlock, key in keys:
                    await connection.fetchval(f"SELECT {unlock}($1)", key)
