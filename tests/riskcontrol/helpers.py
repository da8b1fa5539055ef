"""Callers of riskcontrol through its generated stubs, as inventory and operators call it."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2_grpc as pb_grpc

from tests.conftest import API_KEYS

T = TypeVar("T")
SERVICE_KEY = (("x-api-key", API_KEYS.service),)
ALLOW = assessment_pb2.DECISION_ALLOW
CHALLENGE = assessment_pb2.DECISION_CHALLENGE
BLOCK = assessment_pb2.DECISION_BLOCK
_counter = itertools.count()


def new_tenant() -> str:
    """A tenant of its own per test: counters in Redis never leak between tests."""
    return f"t{uuid.uuid4().hex[:10]}"


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo in the status")


def error_reason(error: grpc.aio.AioRpcError) -> str:
    return str(error_info(error).reason)


@dataclass
class Risk:
    """A riskcontrol caller holding the internal service key, acting for one tenant."""

    stub: pb_grpc.RiskControlServiceStub
    tenant_id: str
    admin_key: str = ""
    host: Any = None

    async def assess(
        self, user: str, order: str, *details: Any, timeout: float = 5.0, **named: Any
    ) -> pb.AssessResponse:
        """One Assess call of the attempt `request` builds from the same arguments."""
        request = self.request(user, order, *details, **named)
        return await self.stub.Assess(request, metadata=SERVICE_KEY, timeout=timeout)

    async def assess_batch(
        self, requests: Sequence[pb.AssessRequest], timeout: float = 5.0
    ) -> list[pb.AssessBatchResult]:
        batch = pb.AssessBatchRequest(tenant_id=self.tenant_id, requests=list(requests))
        response = await self.stub.AssessBatch(batch, metadata=SERVICE_KEY, timeout=timeout)
        return list(response.results)

    def request(
        self,
        user: str,
        order: str,
        sku: str = "sku-1",
        quantity: int = 1,
        *,
        ip: str = "",
        device: str = "",
        limit: int = 0,
        kind: int = assessment_pb2.ATTEMPT_KIND_HOLD,
        previous: int = 0,
        stage: int = assessment_pb2.LOCK_STAGE_CART,
        token: str = "",
        mode: int = assessment_pb2.ENFORCEMENT_MODE_ENFORCE,
        request_id: str = "",
        lines: Sequence[assessment_pb2.AttemptLine] = (),
    ) -> pb.AssessRequest:
        """An AssessRequest of this tenant, as inventory builds it for a hold."""
        attempt = assessment_pb2.Attempt(
            kind=kind,
            lines=list(lines)
            or [
                assessment_pb2.AttemptLine(
                    sku_id=sku, quantity=quantity, previous_quantity=previous, purchase_limit=limit
                )
            ],
            lock_stage=stage,
            platform_id="douyin",
            user_id=user,
            order_id=order,
            ip=ip,
            device_id=device,
            challenge_pass_token=token,
        )
        return pb.AssessRequest(
            tenant_id=self.tenant_id,
            request_id=request_id or f"as-{next(_counter)}-{uuid.uuid4().hex[:8]}",
            attempt=attempt,
            caller_mode=mode,
        )

    async def call(
        self, method: str, request: object, timeout: float = 5.0, *, admin: bool = False
    ) -> Any:
        """Calls as the internal service, or as the tenant's admin (SetShadowMode, lists)."""
        metadata = (("x-api-key", self.admin_key),) if admin else SERVICE_KEY
        return await getattr(self.stub, method)(request, metadata=metadata, timeout=timeout)


async def bounded(calls: Sequence[Awaitable[T]], concurrency: int = 32) -> list[T]:
    """Runs the calls with at most `concurrency` in flight, as inventory's hold path would."""
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return await asyncio.gather(*(one(call) for call in calls))


def rewrite(path: Path, change: Callable[[str], str]) -> None:
    """Edits a rules file as an operator would (a small file: a blocking write is harmless)."""
    path.write_text(change(path.read_text()))


def reason_ids(response: pb.AssessResponse) -> set[str]:
    return {reason.rule_id for reason in response.reasons}
