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


async def once(
    log: RequestLog,
    method: str,
    request: Message,
    reply_type: type[Reply],
    compute: Callable[[], Awaitable[Reply]],
) -> Reply:
    tenant_id: str = request.tenant_id
    request_id: str = request.request_id
    if not request_id or len(request_id) > 128:
        raise InvalidArgument("request_id", "must be 1 to 128 characters")
    fingerprint = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
    prior = await log.recall(tenant_id, method, request_id)
    if prior is not None:
        if prior[0] != fingerprint:
            raise RequestIdReused(
                "request_id was used with different content", request_id=request_id
            )
        return reply_type.FromString(prior[1])
    reply = await compute()
    await log.remember(tenant_id, method, request_id, fingerprint, reply.SerializeToString())
    return reply
