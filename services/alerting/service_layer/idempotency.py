"""Mutations are idempotent on request_id: a retry returns the stored original response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.alerting.service_layer.ports import Store, Transaction

Result = TypeVar("Result")


@dataclass(frozen=True)
class Idempotency:
    """The caller's request id, the RPC, and a fingerprint of everything else it sent."""

    tenant_id: str
    request_id: str
    method: str
    fingerprint: str


async def run_idempotent(
    store: Store,
    key: Idempotency,
    work: Callable[[Transaction], Awaitable[Result]],
    encode: Callable[[Result], bytes],
    now: datetime,
) -> bytes:
    """Runs the work once per request id, in the transaction that records its response (answered
    `now`: the record is kept for the request retention, and a retry after it is a new request)."""
    async with store.transaction() as tx:
        stored = await tx.replay_request(key.tenant_id, key.request_id, key.method, key.fingerprint)
        if stored is not None:
            return stored
        response = encode(await work(tx))
        await tx.record_request(
            key.tenant_id, key.request_id, key.method, key.fingerprint, response, now
        )
        return response
