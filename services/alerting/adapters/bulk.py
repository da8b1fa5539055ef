"""Many rows into several tables in one statement: data-modifying CTEs of
INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE.

A batch of events touches up to a thousand SKUs in three tables; one round trip for all of them
keeps the follower's transaction short (asyncpg's executemany binds and executes row by row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Upsert:
    """Rows for one table; they must be unique on the conflict columns (a statement may not update
    one row twice)."""

    table: str
    columns: Sequence[tuple[str, str]]
    conflict: Sequence[str]
    rows: Sequence[Sequence[object]]

    def sql(self, first_parameter: int) -> str:
        names = [name for name, _ in self.columns]
        arrays = ", ".join(
            f"${first_parameter + i}::{kind}[]" for i, (_, kind) in enumerate(self.columns)
        )
        updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n not in self.conflict)
        return (
            f"INSERT INTO {self.table} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
            f" ON CONFLICT ({', '.join(self.conflict)}) DO UPDATE SET {updates}"
        )

    def arguments(self) -> list[list[object]]:
        return [[row[i] for row in self.rows] for i in range(len(self.columns))]


async def upsert_all(conn: asyncpg.Connection, upserts: Sequence[Upsert]) -> None:
    present = [u for u in upserts if u.rows]
    if not present:
        return
    parts: list[str] = []
    arguments: list[list[object]] = []
    for upsert in present:
        parts.append(upsert.sql(len(arguments) + 1))
        arguments += upsert.arguments()
    *first, last = parts
    ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(first))
    await conn.execute((f"WITH {ctes} " if ctes else "") + last, *arguments)
