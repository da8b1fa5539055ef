"""A retry of a sync mutation (RegisterPlatform here; every mutation goes through the same
idempotency.once) that arrives while the first attempt of its request id still runs waits for it
and answers from what it stored: the same reply, or REQUEST_ID_REUSED for other content, and the
mutation does not run again. The test holds the request id as a first attempt would (the store's
own lock) and polls pg_stat_activity (bounded) to see the retry wait."""

from __future__ import annotations

import asyncio

import asyncpg
import grpc
from streamstock.sync.v1 import platforms_pb2

from services.sync.adapters.postgres_store import PostgresRequestLog
from services.sync.bootstrap import SystemClock
from services.sync.entrypoints.idempotency import fingerprint
from tests.sync.conftest import TENANT, SyncFactory, reason_of, unique, waiting

METHOD = "RegisterPlatform"


def registration(request_id: str, platform_id: str) -> platforms_pb2.RegisterPlatformRequest:
    return platforms_pb2.RegisterPlatformRequest(
        tenant_id=TENANT,
        request_id=request_id,
        platform=platforms_pb2.Platform(
            platform_id=platform_id,
            display_name=platform_id,
            mode=platforms_pb2.PLATFORM_MODE_SHARED,
        ),
    )


async def register(stack, request: platforms_pb2.RegisterPlatformRequest):  # type: ignore[no-untyped-def]
    fields = {f.name: v for f, v in request.ListFields() if f.name != "tenant_id"}
    try:
        return await stack.admin.RegisterPlatform(**fields)
    except grpc.aio.AioRpcError as refused:
        return refused


async def test_a_retry_waits_for_the_first_attempt_and_answers_what_it_stored(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    stack = await sync_stack()
    log = PostgresRequestLog(sync_db, sync_db, SystemClock())
    request_id, platform_id = unique("register"), unique("pf")
    request = registration(request_id, platform_id)
    stored = platforms_pb2.RegisterPlatformResponse(
        platform=platforms_pb2.Platform(platform_id=platform_id, display_name="first attempt")
    )
    async with log.holding(TENANT, METHOD, request_id):  # the first attempt, still running
        retry = asyncio.create_task(register(stack, request))
        await waiting(sync_db, 1, "advisory")
        assert not retry.done()
        await log.remember(
            TENANT, METHOD, request_id, fingerprint(request), stored.SerializeToString()
        )
    assert await asyncio.wait_for(retry, 10) == stored
    # The retry did not register the platform again: only the first attempt's (made up) reply.
    try:
        await stack.admin.GetPlatform(platform_id=platform_id)
        raise AssertionError("the retry registered the platform")
    except grpc.aio.AioRpcError as missing:
        assert missing.code() is grpc.StatusCode.NOT_FOUND


async def test_a_reused_request_id_while_the_first_attempt_runs_is_refused(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    stack = await sync_stack()
    log = PostgresRequestLog(sync_db, sync_db, SystemClock())
    request_id = unique("register")
    first, other = registration(request_id, unique("pf")), registration(request_id, unique("pf"))
    async with log.holding(TENANT, METHOD, request_id):
        reused = asyncio.create_task(register(stack, other))
        await waiting(sync_db, 1, "advisory")
        await log.remember(TENANT, METHOD, request_id, fingerprint(first), b"")
    refused = await asyncio.wait_for(reused, 10)
    assert isinstance(refused, grpc.aio.AioRpcError)
    assert reason_of(refused) == "REQUEST_ID_REUSED"


async def test_concurrent_identical_registrations_get_one_answer(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    request = registration(unique("register"), unique("pf"))
    answers = await asyncio.gather(*(register(stack, request) for _ in range(4)))
    assert all(isinstance(a, platforms_pb2.RegisterPlatformResponse) for a in answers), answers
    assert len({a.SerializeToString(deterministic=True) for a in answers}) == 1
