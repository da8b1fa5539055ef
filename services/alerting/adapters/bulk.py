"""One statement for many rows: INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE.

A batch of events touches up to a thousand SKUs; one round trip per table keeps the follower's
transaction short (asyncpg's executemany still binds and executes row by row).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def upsert(
    conn: asyncpg.Connection,
    table: str,
    columns: Sequence[tuple[str, str]],
    conflict: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    """Rows must be unique on the conflict columns (one statement may not update a row twice)."""
    if not rows:
        return
    names = [name for name, _ in columns]
    arrays = ", ".join(f"${i + 1}::{kind}[]" for i, (_, kind) in enumerate(columns))
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names if name not in conflict)
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
        f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}",
        *[[row[i] for row in rows] for i in range(len(columns))],
    )
