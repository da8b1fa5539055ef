"""A stopping service ends in bounded time, whatever its parts do: a background task that ignores
its cancellation and a PostgreSQL connection never given back are cut off, not waited for."""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import pytest

from services.runtime import server, storage
from services.runtime.server import ServiceHost, ServiceParts
from services.runtime.settings import ServiceSettings
from tools.devstack.ports import LOOPBACK

pytestmark = pytest.mark.timeout(30)


async def test_a_task_that_ignores_its_cancellation_does_not_hold_up_the_stop(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(server, "TASKS_STOP_SECONDS", 0.3)
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue  # swallows every cancellation

    host = ServiceHost(
        ServiceSettings(service_name="stubborn", grpc_host=LOOPBACK, drain_grace_seconds=0),
        ServiceParts(registrations=[], background=[stubborn]),
    )
    await host.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="services.runtime.server"):
        await host.stop()
    release.set()
    assert time.monotonic() - started < 2.0
    assert any(
        "stubborn" in r.getMessage() and "did not stop" in r.getMessage() for r in caplog.records
    )


async def test_a_connection_never_given_back_is_terminated_when_the_pool_closes(
    postgres_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "POOL_CLOSE_SECONDS", 0.3)
    settings = ServiceSettings(
        service_name="leaky", postgres_dsn=postgres_dsn, postgres_pool_size=2
    )
    connections = await storage.connect_postgres(settings, "public")
    await connections.pool.acquire()  # a task that outlived the drain holds it, never released
    started = time.monotonic()
    for cleanup in connections.cleanups():
        await cleanup()
    assert time.monotonic() - started < 2.0
    # The borrowed session is gone from the server too (the pool's others closed normally).
    observer = await asyncpg.connect(postgres_dsn)
    try:
        deadline = time.monotonic() + 5
        left = await _sessions(observer, "streamstock-leaky")
        while left and time.monotonic() < deadline:  # the server notices the cut within moments
            await asyncio.sleep(0.05)
            left = await _sessions(observer, "streamstock-leaky")
        assert left == 0
    finally:
        await observer.close()


async def _sessions(conn: asyncpg.Connection, application: str) -> int:
    count = await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", application
    )
    return int(count)


async def test_every_cleanup_runs_within_one_budget_even_when_one_fails_or_hangs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(server, "CLEANUP_SECONDS", 0.5)
    ran: list[str] = []

    async def failing() -> None:
        ran.append("failing")
        raise RuntimeError("PostgreSQL is down: the audit backlog cannot be written")

    async def hanging() -> None:
        ran.append("hanging")
        await asyncio.Event().wait()

    async def last() -> None:
        ran.append("last")

    host = ServiceHost(
        ServiceSettings(service_name="messy", grpc_host=LOOPBACK, drain_grace_seconds=0),
        ServiceParts(registrations=[], cleanups=[failing, hanging, last]),
    )
    await host.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="services.runtime.server"):
        await host.stop()
    assert time.monotonic() - started < 2.0
    assert ran == ["failing", "hanging", "last"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("failing" in m and "failed" in m for m in messages)
    assert any("hanging" in m and "did not finish" in m for m in messages)
