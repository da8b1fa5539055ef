"""Redis stopped or frozen: Assess answers UNAVAILABLE / SIGNAL_STORE_UNAVAILABLE within the
caller's deadline, so inventory applies the SKU's fail policy; no call hangs."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import ALLOW, error_reason
from tools.devstack.ports import free_port
from tools.devstack.redis import LocalRedis

# inventory's default risk deadline.
DEADLINE = 0.02
# Generous slack for a 2-core machine running the client and the server in one event loop.
SLACK = 0.1
# The status code is the proof of timeliness: gRPC's core turns any answer that arrives after the
# caller's deadline into DEADLINE_EXCEEDED, whatever the event loop was doing. The wall clock, which
# also counts loop stalls on a busy machine, only guards against a hang.
HANG = 2.0


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[LocalRedis]:
    server = LocalRedis(tmp_path / "redis", free_port())
    server.start()
    yield server
    server.kill()


async def assess_timed(risk: object, user: str) -> tuple[float, grpc.aio.AioRpcError | None]:
    started = time.monotonic()
    try:
        await risk.assess(user, f"o-{user}", timeout=DEADLINE + SLACK)  # type: ignore[attr-defined]
    except grpc.aio.AioRpcError as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


async def test_a_stopped_redis_costs_milliseconds(
    start_risk: StartRisk, own_redis: LocalRedis
) -> None:
    risk = await start_risk(redis_url=own_redis.url, redis_cluster=False)
    assert (await risk.assess("warm", "o-warm")).decision == ALLOW

    own_redis.kill()
    for attempt in range(5):
        elapsed, error = await assess_timed(risk, f"u{attempt}")
        assert error is not None and error.code() == grpc.StatusCode.UNAVAILABLE
        assert error_reason(error) == "SIGNAL_STORE_UNAVAILABLE"
        assert elapsed < HANG


async def test_a_frozen_redis_is_cut_off_at_the_callers_deadline(
    start_risk: StartRisk, own_redis: LocalRedis
) -> None:
    risk = await start_risk(redis_url=own_redis.url, redis_cluster=False)
    assert (await risk.assess("warm", "o-warm")).decision == ALLOW
    pid = own_redis._server.pid  # type: ignore[union-attr]  # the test freezes its own server
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await risk.assess("frozen", "o-frozen", timeout=0.25)
        elapsed = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_reason(raised.value) == "SIGNAL_STORE_UNAVAILABLE"
    assert elapsed < HANG


async def test_a_stopped_redis_fails_a_whole_batch_within_its_deadline(
    start_risk: StartRisk, own_redis: LocalRedis
) -> None:
    risk = await start_risk(redis_url=own_redis.url, redis_cluster=False)
    requests = [risk.request(f"u{n}", f"o{n}") for n in range(8)]
    assert [r.response.decision for r in await risk.assess_batch(requests)] == [ALLOW] * 8

    own_redis.kill()
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await risk.assess_batch(
            [risk.request(f"v{n}", f"p{n}") for n in range(8)], timeout=DEADLINE + SLACK
        )
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_reason(raised.value) == "SIGNAL_STORE_UNAVAILABLE"
    assert time.monotonic() - started < HANG
