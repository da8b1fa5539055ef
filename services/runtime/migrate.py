"""Versioned PostgreSQL migrations; each service owns one schema named after it.

Files live in `services/<service>/adapters/migrations/NNNN_<name>.sql` and are applied in order, each
in its own transaction, recorded in `<service>.schema_migrations` with a checksum. A changed applied
file is refused. An advisory lock serialises concurrent runs (a Kubernetes Job and a developer).

    python -m services.runtime.migrate [--service inventory ...] [--dsn postgresql://...]
    python -m services.runtime.migrate --check [--wait SECONDS]

`--check` changes nothing: it exits 0 once every migration shipped with this code is recorded, so a
Kubernetes init container holds a new pod back until the migrations Job has run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import sys
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


async def _recorded(conn: asyncpg.Connection, service: str) -> dict[int, str]:
    """The history without creating anything: an unmigrated database has none."""
    table = await conn.fetchval("SELECT to_regclass($1)", f'"{service}".schema_migrations')
    if table is None:
        return {}
    rows = await conn.fetch(f'SELECT version, checksum FROM "{service}".schema_migrations')
    return {row["version"]: row["checksum"] for row in rows}


def _unchanged(migration: Migration, recorded: str) -> None:
    if recorded != migration.checksum:
        raise MigrationError(
            f"{migration.service} migration {migration.version:04d}_{migration.name} was changed "
            "after it was applied; add a new migration instead"
        )


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
            _unchanged(migration, recorded)
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


async def pending(
    dsn: str, services: tuple[str, ...] = SERVICES, root: Path = SERVICES_ROOT
) -> list[Migration]:
    """The shipped migrations the database has not recorded yet; reads only."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        missing: list[Migration] = []
        for service in services:
            recorded = await _recorded(conn, service)
            for migration in discover(service, root):
                if migration.version in recorded:
                    _unchanged(migration, recorded[migration.version])
                else:
                    missing.append(migration)
        return missing
    finally:
        await conn.close()


async def wait_until_migrated(
    dsn: str,
    timeout: float,
    services: tuple[str, ...] = SERVICES,
    root: Path = SERVICES_ROOT,
    interval: float = 2.0,
) -> list[Migration]:
    """Polls `pending` until nothing is missing or `timeout` runs out; returns what is missing.

    An unreachable database counts as not migrated yet: in a fresh cluster PostgreSQL may start
    after the pods that wait for it. A changed migration is an error at once.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            missing = await pending(dsn, services, root)
        except (OSError, asyncpg.PostgresError) as error:  # TimeoutError is an OSError
            print(f"waiting for PostgreSQL: {error!r}", file=sys.stderr)
            missing = [m for service in services for m in discover(service, root)]
        if not missing or loop.time() >= deadline:
            return missing
        await asyncio.sleep(interval)


def _check(dsn: str, services: tuple[str, ...], wait_seconds: float) -> None:
    missing = asyncio.run(wait_until_migrated(dsn, wait_seconds, services))
    for migration in missing:
        print(f"pending {migration.service} {migration.version:04d}_{migration.name}")
    if missing:
        sys.exit(f"{len(missing)} migration(s) pending: run the migrations Job first")
    print("every migration is applied")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("STREAMSTOCK_POSTGRES_DSN", ""))
    parser.add_argument("--service", action="append", choices=SERVICES)
    parser.add_argument("--check", action="store_true", help="apply nothing; fail if any pending")
    parser.add_argument(
        "--wait", type=float, default=0.0, help="with --check: poll this many seconds first"
    )
    args = parser.parse_args()
    if not args.dsn:
        parser.error("--dsn or STREAMSTOCK_POSTGRES_DSN is required")
    if args.check:
        _check(args.dsn, tuple(args.service or SERVICES), args.wait)
        return
    applied = asyncio.run(migrate(args.dsn, tuple(args.service or SERVICES)))
    for migration in applied:
        print(f"applied {migration.service} {migration.version:04d}_{migration.name}")
    print(f"{len(applied)} migration(s) applied")


if __name__ == "__main__":
    main()
