"""Versioned migrations: applied once, never silently changed, numbered without gaps."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from services.runtime import migrate
from services.runtime.migrate import MigrationError, discover
from tools.devstack.postgres import LocalPostgres

pytestmark = pytest.mark.timeout(30)

FreshDatabase = Callable[[], Awaitable[str]]


@pytest.fixture
async def fresh_database(postgres_server: LocalPostgres) -> AsyncIterator[FreshDatabase]:
    """Creates empty databases in the shared PostgreSQL and drops them after the test."""
    admin = await asyncpg.connect(postgres_server.dsn("postgres"), timeout=5)
    created: list[str] = []

    async def create() -> str:
        name = f"migrations_{uuid.uuid4().hex[:12]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return postgres_server.dsn(name)

    try:
        yield create
    finally:
        for name in created:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def write_migrations(root: Path, service: str, files: dict[str, str]) -> None:
    folder = root / service / "adapters" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (folder / name).write_text(sql)


@pytest.fixture
def services_root(tmp_path: Path) -> Path:
    """A services tree of the test's own, passed to the runner instead of services/."""
    return tmp_path / "services"


async def recorded(dsn: str, service: str) -> list[tuple[int, str, str]]:
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await connection.fetch(
            f'SELECT version, name, checksum FROM "{service}".schema_migrations ORDER BY version'
        )
    except asyncpg.UndefinedTableError:
        return []  # the runner refused before it touched the database at all
    finally:
        await connection.close()
    return [(row["version"], row["name"], row["checksum"]) for row in rows]


async def test_the_real_migrations_apply_once_and_the_second_run_is_a_no_op(
    fresh_database: FreshDatabase,
) -> None:
    dsn = await fresh_database()
    expected = [(m.service, m.version) for s in migrate.SERVICES for m in discover(s)]
    assert expected, "no service has a migration"

    first = await migrate.migrate(dsn)
    history = {s: await recorded(dsn, s) for s in migrate.SERVICES}
    second = await migrate.migrate(dsn)

    assert [(m.service, m.version) for m in first] == expected
    assert second == []
    assert {s: await recorded(dsn, s) for s in migrate.SERVICES} == history


async def test_a_migration_changed_after_it_was_applied_is_refused(
    fresh_database: FreshDatabase, services_root: Path
) -> None:
    dsn = await fresh_database()
    write_migrations(
        services_root,
        "inventory",
        {"0001_holds.sql": "CREATE TABLE holds (sku text PRIMARY KEY);\n"},
    )
    assert [m.version for m in await migrate.migrate(dsn, ("inventory",), services_root)] == [1]

    write_migrations(
        services_root,
        "inventory",
        {"0001_holds.sql": "CREATE TABLE holds (sku text PRIMARY KEY, units int);\n"},
    )
    with pytest.raises(MigrationError, match="0001_holds was changed"):
        await migrate.migrate(dsn, ("inventory",), services_root)

    assert [version for version, _, _ in await recorded(dsn, "inventory")] == [1]


async def test_a_new_migration_after_applied_ones_is_applied_alone(
    fresh_database: FreshDatabase, services_root: Path
) -> None:
    dsn = await fresh_database()
    write_migrations(
        services_root, "inventory", {"0001_holds.sql": "CREATE TABLE holds (sku text);\n"}
    )
    await migrate.migrate(dsn, ("inventory",), services_root)

    write_migrations(
        services_root, "inventory", {"0002_units.sql": "ALTER TABLE holds ADD COLUMN units int;\n"}
    )
    applied = await migrate.migrate(dsn, ("inventory",), services_root)

    assert [(m.version, m.name) for m in applied] == [(2, "units")]
    assert [(v, n) for v, n, _ in await recorded(dsn, "inventory")] == [(1, "holds"), (2, "units")]


def test_versions_with_a_gap_are_refused(tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        "inventory",
        {"0001_holds.sql": "SELECT 1;\n", "0003_units.sql": "SELECT 1;\n"},
    )

    with pytest.raises(MigrationError, match="without gaps"):
        discover("inventory", tmp_path)


async def test_a_gap_stops_the_runner_before_it_applies_anything(
    fresh_database: FreshDatabase, services_root: Path
) -> None:
    dsn = await fresh_database()
    write_migrations(
        services_root,
        "inventory",
        {"0001_holds.sql": "CREATE TABLE holds (sku text);\n", "0003_units.sql": "SELECT 1;\n"},
    )

    with pytest.raises(MigrationError):
        await migrate.migrate(dsn, ("inventory",), services_root)

    assert await recorded(dsn, "inventory") == []


def test_a_badly_named_migration_is_refused(tmp_path: Path) -> None:
    write_migrations(tmp_path, "inventory", {"1_holds.sql": "SELECT 1;\n"})

    with pytest.raises(MigrationError, match="NNNN_snake_case"):
        discover("inventory", tmp_path)
