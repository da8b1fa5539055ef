"""Mutations are idempotent on request_id: a retry returns the stored result, and a reused id with
different content is refused with REQUEST_ID_REUSED."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from google.protobuf.message import Message

from services.sync.domain.errors import InvalidArgument, RequestIdReused
from services.sync.service_layer.ports import RequestLog

Reply = TypeVar("Reply", bound=Message)


def fingerprint(request: Message) -> str:
    request_id: str = request.request_id  # type: ignore[attr-defined]
    if not request_id or len(request_id) > 128:
        raise InvalidArgument("request_id", "must be 1 to 128 characters")
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


async def once(
    log: RequestLog,
    method: str,
    request: Message,
    reply_type: type[Reply],
    compute: Callable[[], Awaitable[Reply]],
) -> Reply:
    """Runs the mutation at most once per request id: a retry returns the answer given before, a
    reused id with other content is refused, and either arriving while the first attempt runs
    waits for it (RequestLog.holding) before it is answered from the log."""
    tenant_id: str = request.tenant_id  # type: ignore[attr-defined]
    request_id: str = request.request_id  # type: ignore[attr-defined]
    expected = fingerprint(request)  # a missing or oversized request_id is refused before waiting
    async with log.holding(tenant_id, method, request_id):
        prior = await log.recall(tenant_id, method, request_id)
        if prior is not None:
            if prior[0] != expected:
                raise RequestIdReused(
                    "request_id was used with different content", request_id=request_id
                )
            return reply_type.FromString(prior[1])
        reply = await compute()
        await log.remember(tenant_id, method, request_id, expected, reply.SerializeToString())
        return reply
