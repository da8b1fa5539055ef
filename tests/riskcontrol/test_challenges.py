"""CHALLENGE is actionable: CompleteChallenge yields a pass token that Assess accepts once."""

from __future__ import annotations

import grpc
import pytest
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.riskcontrol.helpers import ALLOW, CHALLENGE, Risk, error_reason

PASSED = assessment_pb2.CHALLENGE_RESULT_PASSED
FAILED = assessment_pb2.CHALLENGE_RESULT_FAILED

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time


async def challenged(risk: Risk, user: str = "late-account") -> pb.AssessResponse:
    """The fourth account on one device is challenged by the default rules."""
    for i in range(3):
        await risk.assess(f"housemate-{i}", f"o-h{i}", device="family-tablet")
    response = await risk.assess(user, "o-late", device="family-tablet")
    assert response.decision == CHALLENGE
    return response


async def complete(
    risk: Risk, challenge_id: str, result: int, request_id: str
) -> pb.CompleteChallengeResponse:
    request = pb.CompleteChallengeRequest(
        tenant_id=risk.tenant_id, request_id=request_id, challenge_id=challenge_id, result=result,
        evidence_reference="captcha-provider:abc",
    )  # fmt: skip
    return await risk.call("CompleteChallenge", request)


async def test_a_pass_token_turns_the_challenge_into_allow_exactly_once(risk: Risk) -> None:
    first = await challenged(risk)
    assert first.challenge.user_id == "late-account" and list(first.challenge.sku_ids) == ["sku-1"]

    passed = await complete(risk, first.challenge.challenge_id, PASSED, "cc-1")
    retry = await risk.assess(
        "late-account", "o-late", device="family-tablet", token=passed.pass_token
    )
    again = await risk.assess(
        "late-account", "o-late", device="family-tablet", token=passed.pass_token
    )

    assert passed.challenge.state == assessment_pb2.CHALLENGE_STATE_PASSED and passed.pass_token
    assert retry.decision == ALLOW
    assert retry.pass_token_status == assessment_pb2.PASS_TOKEN_STATUS_REDEEMED
    assert again.decision == CHALLENGE
    assert again.pass_token_status == assessment_pb2.PASS_TOKEN_STATUS_ALREADY_USED


async def test_a_token_is_bound_to_its_user_and_skus(risk: Risk) -> None:
    first = await challenged(risk)
    passed = await complete(risk, first.challenge.challenge_id, PASSED, "cc-2")

    other_user = await risk.assess(
        "someone-else", "o-x", device="family-tablet", token=passed.pass_token
    )
    other_sku = await risk.assess(
        "late-account", "o-y", sku="sku-2", device="family-tablet", token=passed.pass_token
    )

    assert other_user.pass_token_status == assessment_pb2.PASS_TOKEN_STATUS_INVALID
    assert other_sku.pass_token_status == assessment_pb2.PASS_TOKEN_STATUS_INVALID
    assert other_user.decision == CHALLENGE


async def test_completion_is_idempotent_and_happens_once(risk: Risk) -> None:
    first = await challenged(risk)
    challenge_id = first.challenge.challenge_id

    passed = await complete(risk, challenge_id, PASSED, "cc-3")
    retried = await complete(risk, challenge_id, PASSED, "cc-3")
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await complete(risk, challenge_id, FAILED, "cc-4")
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await complete(risk, "ch_nope", PASSED, "cc-5")

    assert retried.pass_token == passed.pass_token
    assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(twice.value) == "CHALLENGE_ALREADY_COMPLETED"
    assert error_reason(unknown.value) == "CHALLENGE_NOT_FOUND"


async def test_failed_challenges_count_against_the_user(risk: Risk) -> None:
    for attempt in range(3):
        response = (
            await challenged(risk, "bot-account")
            if attempt == 0
            else await risk.assess("bot-account", f"o-bot-{attempt}", device="family-tablet")
        )
        failed = await complete(risk, response.challenge.challenge_id, FAILED, f"cc-f{attempt}")
        assert failed.challenge.state == assessment_pb2.CHALLENGE_STATE_FAILED
        assert failed.pass_token == ""

    blocked = await risk.assess("bot-account", "o-bot-last", device="another-phone")

    assert "user-challenge-failures" in {r.rule_id for r in blocked.reasons}
    assert blocked.decision != ALLOW
