"""Versioned PostgreSQL migrations; each service owns one schema named after it.

Files live in `services/<service>/adapters/migrations/NNNN_<name>.sql` and are applied in order, each
in its own transaction, recorded in `<service>.schema_migrations` with a checksum. A changed applied
file is refused. An advisory lock serialises concurrent runs (a Kubernetes Job and a developer).

    python -m services.runtime.migrate [--service inventory ...] [--dsn postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

SERVICES = ("inventory", "riskcontrol", "alerting", "sync")
SERVICES_ROOT = Path(__file__).resolve().parent.parent
MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
ADVISORY_LOCK = 0x5354_4F43  # "STOC"


class MigrationError(RuntimeError):
    """A migration folder or history is inconsistent; the message says which file."""


@dataclass(frozen=True)
class Migration:
    service: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(service: str, root: Path = SERVICES_ROOT) -> list[Migration]:
    folder = root / service / "adapters" / "migrations"
    if not folder.is_dir():
        return []
    migrations = []
    for path in sorted(folder.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: name must be NNNN_snake_case.sql")
        migrations.append(Migration(service, int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"{folder}: versions must be 1..n without gaps, got {versions}")
    return migrations


async def _applied(conn: asyncpg.Connection, service: str) -> dict[int, str]:
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{service}"')
    await conn.execute(
        f'CREATE TABLE IF NOT EXISTS "{service}".schema_migrations ('
        " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    rows = await conn.fetch(f'SELECT version, checksum FROM "{service}".schema_migrations')
    return {row["version"]: row["checksum"] for row in rows}


async def migrate_service(
    conn: asyncpg.Connection, service: str, root: Path = SERVICES_ROOT
) -> list[Migration]:
    """Applies the pending migrations of one service; returns what it applied."""
    migrations = discover(service, root)
    applied = await _applied(conn, service)
    done: list[Migration] = []
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None:
            if recorded != migration.checksum:
                raise MigrationError(
                    f"{service} migration {migration.version:04d}_{migration.name} was changed "
                    "after it was applied; add a new migration instead"
                )
            continue
        async with conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{service}"')
            await conn.execute(migration.sql)
            await conn.execute(
                f'INSERT INTO "{service}".schema_migrations (version, name, checksum)'
                " VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
        done.append(migration)
    return done


async def migrate(
    dsn: str, services: tuple[str, ...] = SERVICES, root: Path = SERVICES_ROOT
) -> list[Migration]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK)
        try:
            applied: list[Migration] = []
            for service in services:
                applied += await migrate_service(conn, service, root)
            return applied
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("STREAMSTOCK_POSTGRES_DSN", ""))
    parser.add_argument("--service", action="append", choices=SERVICES)
    args = parser.parse_args()
    if not args.dsn:
        parser.error("--dsn or STREAMSTOCK_POSTGRES_DSN is required")
    applied = asyncio.run(migrate(args.dsn, tuple(args.service or SERVICES)))
    for migration in applied:
        print(f"applied {migration.service} {migration.version:04d}_{migration.name}")
    print(f"{len(applied)} migration(s) applied")


if __name__ == "__main__":
    main()
