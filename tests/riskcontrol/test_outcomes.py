"""ReportOutcome feeds payment failures, chargebacks and confirmed genuine buyers into the signals."""

from __future__ import annotations

import grpc
import pytest
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.riskcontrol.helpers import ALLOW, BLOCK, CHALLENGE, Risk, error_reason

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time


async def report(
    risk: Risk, request_id: str, kind: int, **fields: object
) -> pb.ReportOutcomeResponse:
    request = pb.ReportOutcomeRequest(
        tenant_id=risk.tenant_id, request_id=request_id, kind=kind,
        order_id=str(fields.pop("order", "o1")), user_id=str(fields.pop("user", "payer")), **fields,  # type: ignore[arg-type]
    )  # fmt: skip
    return await risk.call("ReportOutcome", request)


async def test_repeated_payment_failures_challenge_the_user(risk: Risk) -> None:
    for i in range(3):
        await report(risk, f"pf-{i}", assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED, order=f"o{i}")

    response = await risk.assess("payer", "o-next")

    assert response.decision == CHALLENGE
    (reason,) = [r for r in response.reasons if r.rule_id == "user-payment-failures"]
    assert reason.observed == 3 and reason.threshold == 2


async def test_a_chargeback_blocks_and_confirmed_genuine_relieves(risk: Risk) -> None:
    decision = await risk.assess("payer", "o1", ip="192.0.2.44", device="tablet-1")
    charged = await report(
        risk,
        "cb-1",
        assessment_pb2.OUTCOME_KIND_CHARGEBACK,
        decision_id=decision.decision_id,
        sku_id="sku-1",
    )
    blocked = await risk.assess("payer", "o2")
    await report(risk, "genuine-1", assessment_pb2.OUTCOME_KIND_CONFIRMED_GENUINE)
    relieved = await risk.assess("payer", "o3")

    assert any(key.startswith("ip#") for key in charged.updated_keys), (
        "the decision's IP is attributed"
    )
    assert blocked.decision == BLOCK and "user-chargebacks" in {r.rule_id for r in blocked.reasons}
    assert relieved.decision == ALLOW


async def test_a_report_is_idempotent_and_checked_against_its_decision(risk: Risk) -> None:
    decision = await risk.assess("payer", "o1")
    first = await report(risk, "pf-x", assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED)
    again = await report(risk, "pf-x", assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED)
    with pytest.raises(grpc.aio.AioRpcError) as mismatch:
        await report(risk, "pf-y", assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED, order="o9",
                     decision_id=decision.decision_id)  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await report(
            risk, "pf-z", assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED, decision_id="dec_nope"
        )
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await report(risk, "pf-x", assessment_pb2.OUTCOME_KIND_CHARGEBACK)

    assert again.outcome_id == first.outcome_id and list(again.updated_keys) == list(
        first.updated_keys
    )
    assert error_reason(mismatch.value) == "OUTCOME_DECISION_MISMATCH"
    assert error_reason(unknown.value) == "DECISION_NOT_FOUND"
    assert error_reason(reused.value) == "REQUEST_ID_REUSED"
