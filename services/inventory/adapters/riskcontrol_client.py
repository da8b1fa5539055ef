"""riskcontrol's Assess over gRPC, within the SKU's risk deadline (20 ms by default).

One call per buyer hold, so the call is made on a bare channel (no interceptor task) with the
key, trace and deadline passed directly. An overloaded riskcontrol fails thousands of calls a
second: failures are logged once per LOG_EVERY_SECONDS with their count, not one line each.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping

import grpc
from streamstock.riskcontrol.v1 import assessment_pb2, riskcontrol_service_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2_grpc as rpc

from services.inventory.domain.policy import LockStage, RiskMode
from services.inventory.domain.risk import RiskCheck, RiskDecision, RiskVerdict
from services.inventory.service_layer.ports import HoldAttempt, Resizing, RiskAssessorUnavailable
from services.runtime.clients import call_metadata

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 10.0

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


class FailureLog:
    """Counts failed calls by code; logs the first at once and then a summary now and then."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._counts: Counter[str] = Counter()
        self._next_at = 0.0

    def failed(self, code: grpc.StatusCode, details: str | None) -> None:
        self._counts[code.name] += 1
        now = self._monotonic()
        if now < self._next_at:
            return
        counts = ", ".join(f"{name} x{n}" for name, n in sorted(self._counts.items()))
        log.warning("riskcontrol Assess failed (%s), last: %s %s", counts, code.name, details)
        self._counts.clear()
        self._next_at = now + LOG_EVERY_SECONDS


class GrpcRiskAssessor:
    def __init__(self, channel: grpc.aio.Channel, api_key: str) -> None:
        self._stub = rpc.RiskControlServiceStub(channel)
        self._api_key = api_key
        self._failures = FailureLog()

    async def assess(
        self,
        attempt: HoldAttempt,
        check: RiskCheck,
        limits: Mapping[str, int],
        resizing: Resizing | None = None,
    ) -> RiskVerdict:
        request = riskcontrol_service_pb2.AssessRequest(
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
        try:
            response = await self._stub.Assess(
                request,
                timeout=check.deadline.total_seconds(),
                metadata=call_metadata(self._api_key),
            )
        except grpc.aio.AioRpcError as error:
            # Whatever went wrong (deadline, outage, a refusal of ours), the hold path must not
            # wait or fail on it: the SKU's fail mode decides.
            if error.code() is not grpc.StatusCode.DEADLINE_EXCEEDED:
                self._failures.failed(error.code(), error.details())
            raise RiskAssessorUnavailable(str(error.code())) from error
        return RiskVerdict(
            decision_id=response.decision_id,
            decision=_DECISIONS.get(response.decision, RiskDecision.ALLOW),
            rule_ids=tuple(sorted({r.rule_id for r in response.reasons if not r.shadow})),
            challenge_id=response.challenge.challenge_id,
        )


def _kind(attempt: HoldAttempt, resizing: Resizing | None) -> int:
    if resizing is not None:
        return assessment_pb2.ATTEMPT_KIND_RESIZE
    if attempt.payment_reference is not None:
        return assessment_pb2.ATTEMPT_KIND_PURCHASE
    return assessment_pb2.ATTEMPT_KIND_HOLD
