"""riskcontrol's assessment of buyer holds over gRPC, within the SKU's risk deadline (20 ms by
default).

Holds are assessed in batches, one AssessBatch per tenant: at flash-sale load a call per hold
costs riskcontrol more in RPC handling than in assessing, and the holds wait in its queue past
their deadline. Holds join their tenant's queue; while fewer than MAX_IN_FLIGHT batches of the
tenant are out, the queue goes at the end of the event-loop turn, otherwise when a batch comes
back: alone, a hold waits for nothing; under load, batches grow with the load. A hold gets its
answer only within its own deadline, then the SKU's fail mode decides, as with a call of its own:
in the queue a timer of its deadline waits for it (a hold whose deadline passed is not sent); once
sent, the call's gRPC deadline is the earliest deadline of its batch, so no hold of it waits longer
than its own. A riskcontrol that predates AssessBatch (UNIMPLEMENTED, during a rolling deploy)
gets each hold as an Assess call of its own, and AssessBatch is tried again after
BATCH_RETRY_SECONDS. Calls go on a bare channel (no
interceptor task) with the key, trace and deadline passed directly. An overloaded riskcontrol
fails thousands of holds a second: failures are logged now and then with their count, not one
line each (runtime.failures.FailureLog).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import grpc
from streamstock.riskcontrol.v1 import assessment_pb2, riskcontrol_service_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2_grpc as rpc

from services.inventory.domain.policy import LockStage, RiskMode
from services.inventory.domain.risk import RiskCheck, RiskDecision, RiskVerdict
from services.inventory.service_layer.ports import HoldAttempt, Resizing, RiskAssessorUnavailable
from services.runtime.clients import call_metadata
from services.runtime.failures import FailureLog

log = logging.getLogger(__name__)

_STAGES = {
    LockStage.CART: assessment_pb2.LOCK_STAGE_CART,
    LockStage.ORDER: assessment_pb2.LOCK_STAGE_ORDER,
    LockStage.PAYMENT: assessment_pb2.LOCK_STAGE_PAYMENT,
}
_DECISIONS = {
    assessment_pb2.DECISION_ALLOW: RiskDecision.ALLOW,
    assessment_pb2.DECISION_CHALLENGE: RiskDecision.CHALLENGE,
    assessment_pb2.DECISION_BLOCK: RiskDecision.BLOCK,
}


# Holds of one tenant sent in one AssessBatch at most (riskcontrol's cap).
MAX_BATCH = 256
# AssessBatch calls of one tenant out at once; the holds that arrive meanwhile wait for the next.
MAX_IN_FLIGHT = 2
_CODES = {code.value[0]: code for code in grpc.StatusCode}
# After riskcontrol answered AssessBatch with UNIMPLEMENTED, holds go one Assess call each for
# this long before AssessBatch is tried again (a rolling deploy replaces riskcontrol meanwhile).
BATCH_RETRY_SECONDS = 60.0


@dataclass
class _Waiting:
    """A hold waiting for its assessment until `expires_at` (event-loop time); `queued` is the
    timer of its deadline while it waits to be sent."""

    request: riskcontrol_service_pb2.AssessRequest
    answer: asyncio.Future[riskcontrol_service_pb2.AssessResponse]
    expires_at: float
    queued: asyncio.Timeout | None = None


class GrpcRiskAssessor:
    def __init__(self, channel: grpc.aio.Channel, api_key: str) -> None:
        self._stub = rpc.RiskControlServiceStub(channel)
        self._api_key = api_key
        self._failures = FailureLog(log, "riskcontrol Assess")
        self._queues: dict[str, list[_Waiting]] = {}
        self._in_flight: Counter[str] = Counter()
        self._sending: set[asyncio.Task[None]] = set()
        self._one_by_one_until = 0.0  # event-loop time; see BATCH_RETRY_SECONDS

    async def assess(
        self,
        attempt: HoldAttempt,
        check: RiskCheck,
        limits: Mapping[str, int],
        resizing: Resizing | None = None,
    ) -> RiskVerdict:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(
            _request(attempt, check, limits, resizing),
            loop.create_future(),
            loop.time() + check.deadline.total_seconds(),
        )
        tenant_id = attempt.tenant_id
        queue = self._queues.setdefault(tenant_id, [])
        queue.append(waiting)
        if len(queue) == 1 and self._in_flight[tenant_id] < MAX_IN_FLIGHT:
            loop.call_soon(self._dispatch, tenant_id)
        try:
            async with asyncio.timeout_at(waiting.expires_at) as waiting.queued:
                response = await waiting.answer
        except TimeoutError as error:
            raise RiskAssessorUnavailable(grpc.StatusCode.DEADLINE_EXCEEDED.name) from error
        return RiskVerdict(
            decision_id=response.decision_id,
            decision=_DECISIONS.get(response.decision, RiskDecision.ALLOW),
            rule_ids=tuple(sorted({r.rule_id for r in response.reasons if not r.shadow})),
            challenge_id=response.challenge.challenge_id,
        )

    def _dispatch(self, tenant_id: str) -> None:
        """Sends the tenant's waiting holds, as many batches as slots are free."""
        while self._in_flight[tenant_id] < MAX_IN_FLIGHT:
            now = asyncio.get_running_loop().time()
            waiting = []
            for w in self._queues.pop(tenant_id, ()):
                if w.expires_at <= now:
                    _fail(w, grpc.StatusCode.DEADLINE_EXCEEDED)
                elif not w.answer.done():
                    waiting.append(w)
            if not waiting:
                return
            if len(waiting) > MAX_BATCH:
                self._queues[tenant_id] = waiting[MAX_BATCH:]
            batch = waiting[:MAX_BATCH]
            for w in batch:
                if w.queued is not None:
                    w.queued.reschedule(None)  # the call's deadline takes over
            self._in_flight[tenant_id] += 1
            task = asyncio.create_task(self._send(tenant_id, batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
            task.add_done_callback(lambda _: self._sent(tenant_id))

    def _sent(self, tenant_id: str) -> None:
        self._in_flight[tenant_id] -= 1
        if not self._in_flight[tenant_id]:
            del self._in_flight[tenant_id]
        self._dispatch(tenant_id)

    async def _send(self, tenant_id: str, batch: list[_Waiting]) -> None:
        try:
            await self._answer(tenant_id, batch)
        finally:
            for waiting in batch:  # nothing left waiting, whatever happened (none if answered)
                _fail(waiting, grpc.StatusCode.CANCELLED)

    async def _answer(self, tenant_id: str, batch: list[_Waiting]) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._one_by_one_until:
            await asyncio.gather(*(self._answer_alone(w) for w in batch))
            return
        timeout = min(w.expires_at for w in batch) - loop.time()
        try:
            response = await self._stub.AssessBatch(
                riskcontrol_service_pb2.AssessBatchRequest(
                    tenant_id=tenant_id, requests=[w.request for w in batch]
                ),
                timeout=max(timeout, 0.0),
                metadata=call_metadata(self._api_key),
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.UNIMPLEMENTED:  # an older riskcontrol
                self._one_by_one_until = loop.time() + BATCH_RETRY_SECONDS
                await asyncio.gather(*(self._answer_alone(w) for w in batch))
                return
            self._failed(batch, error)
            return
        for waiting, result in zip(batch, response.results, strict=True):
            if result.HasField("response"):
                if not waiting.answer.done():
                    waiting.answer.set_result(result.response)
                continue
            code = _CODES.get(result.refusal.code, grpc.StatusCode.UNKNOWN)
            self._failures.failed(code.name, result.refusal.message)
            _fail(waiting, code)

    async def _answer_alone(self, waiting: _Waiting) -> None:
        timeout = waiting.expires_at - asyncio.get_running_loop().time()
        try:
            response = await self._stub.Assess(
                waiting.request,
                timeout=max(timeout, 0.0),
                metadata=call_metadata(self._api_key),
            )
        except grpc.aio.AioRpcError as error:
            self._failed([waiting], error)
            return
        if not waiting.answer.done():
            waiting.answer.set_result(response)

    def _failed(self, holds: list[_Waiting], error: grpc.aio.AioRpcError) -> None:
        # Whatever went wrong (deadline, outage, a refusal of ours), the hold path must not wait
        # or fail on it: the SKU's fail mode decides.
        if error.code() is not grpc.StatusCode.DEADLINE_EXCEEDED:
            self._failures.failed(error.code().name, error.details())
        for waiting in holds:
            _fail(waiting, error.code())


def _fail(waiting: _Waiting, code: grpc.StatusCode) -> None:
    if not waiting.answer.done():  # unless answered, or the hold stopped waiting in the queue
        waiting.answer.set_exception(RiskAssessorUnavailable(code.name))


def _request(
    attempt: HoldAttempt, check: RiskCheck, limits: Mapping[str, int], resizing: Resizing | None
) -> riskcontrol_service_pb2.AssessRequest:
    return riskcontrol_service_pb2.AssessRequest(
        tenant_id=attempt.tenant_id,
        request_id=attempt.key.request_id,
        attempt=assessment_pb2.Attempt(
            kind=_kind(attempt, resizing),
            lines=[
                assessment_pb2.AttemptLine(
                    sku_id=line.sku_id,
                    quantity=line.quantity,
                    previous_quantity=resizing.previous_quantity if resizing else 0,
                    purchase_limit=limits.get(line.sku_id, 0),
                )
                for line in attempt.lines
            ],
            reservation_id=resizing.reservation_id if resizing else "",
            lock_stage=_STAGES[attempt.lock_stage],
            platform_id=attempt.buyer.platform_id,
            user_id=attempt.user_id,
            order_id=attempt.order_id,
            ip=attempt.buyer.ip,
            device_id=attempt.buyer.device_id,
            challenge_pass_token=attempt.challenge_pass_token,
        ),
        caller_mode=(
            assessment_pb2.ENFORCEMENT_MODE_ENFORCE
            if check.mode is RiskMode.ENFORCE
            else assessment_pb2.ENFORCEMENT_MODE_SHADOW
        ),
    )


def _kind(attempt: HoldAttempt, resizing: Resizing | None) -> int:
    if resizing is not None:
        return assessment_pb2.ATTEMPT_KIND_RESIZE
    if attempt.payment_reference is not None:
        return assessment_pb2.ATTEMPT_KIND_PURCHASE
    return assessment_pb2.ATTEMPT_KIND_HOLD
