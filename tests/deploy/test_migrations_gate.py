"""`migrate --check`, the gate every pod's init container passes before the service starts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.runtime import migrate
from tools.devstack.postgres import LocalPostgres

pytestmark = pytest.mark.timeout(60)

CHECK = [sys.executable, "-m", "services.runtime.migrate", "--check"]


@pytest.fixture
async def empty_database(postgres_server: LocalPostgres) -> AsyncIterator[str]:
    admin = await asyncpg.connect(postgres_server.dsn("postgres"), timeout=5)
    name = f"gate_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_server.dsn(name)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def run_check(dsn: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """The init container's command, as a process, with the DSN from the environment like a pod."""
    return await asyncio.to_thread(
        subprocess.run,
        [*CHECK, *extra],
        env={**os.environ, "STREAMSTOCK_POSTGRES_DSN": dsn},
        capture_output=True,
        text=True,
        timeout=30,
    )


async def schemas(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await connection.fetch("SELECT nspname FROM pg_namespace")
    finally:
        await connection.close()
    return {row["nspname"] for row in rows}


async def test_check_fails_on_an_unmigrated_database_and_creates_nothing(
    empty_database: str,
) -> None:
    before = await schemas(empty_database)

    outcome = await run_check(empty_database)

    assert outcome.returncode != 0
    assert "pending inventory 0001_" in outcome.stdout
    assert await schemas(empty_database) == before


async def test_check_passes_once_the_migrations_job_ran(empty_database: str) -> None:
    await migrate.migrate(empty_database)

    outcome = await run_check(empty_database)

    assert outcome.returncode == 0, outcome.stderr


async def test_waiting_check_lets_the_pod_start_when_migrations_land_meanwhile(
    empty_database: str,
) -> None:
    waiting = asyncio.create_task(migrate.wait_until_migrated(empty_database, 20.0, interval=0.1))
    assert await migrate.pending(empty_database), "the database must start unmigrated"
    await migrate.migrate(empty_database)

    assert await waiting == []


async def test_waiting_check_gives_up_at_its_deadline_with_what_is_missing(
    empty_database: str,
) -> None:
    missing = await migrate.wait_until_migrated(empty_database, 0.3, interval=0.1)

    expected = [(m.service, m.version) for s in migrate.SERVICES for m in migrate.discover(s)]
    assert [(m.service, m.version) for m in missing] == expected


async def test_waiting_check_keeps_waiting_while_postgresql_is_unreachable() -> None:
    unreachable = "postgresql://streamstock@127.0.0.1:9/streamstock"

    missing = await migrate.wait_until_migrated(unreachable, 0.3, interval=0.1)

    assert missing, "an unreachable database is never reported as migrated"
