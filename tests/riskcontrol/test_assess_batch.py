"""AssessBatch: each request of a batch is assessed exactly as Assess would assess it, in order;
a request Assess would refuse is refused on its own; the batch is capped; a batch acts for its
own tenant only."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamstock.riskcontrol.v1 import assessment_pb2, errors_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.conftest import API_KEYS
from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import (
    ALLOW,
    CHALLENGE,
    SERVICE_KEY,
    Risk,
    error_info,
    error_reason,
    new_tenant,
    reason_ids,
)

SHADOW = assessment_pb2.ENFORCEMENT_MODE_SHADOW
ENFORCE = assessment_pb2.ENFORCEMENT_MODE_ENFORCE
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT.value[0]

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time


@dataclasses.dataclass(frozen=True)
class Step:
    """One attempt of a generated sequence. `repeat` resends an earlier step's request id: with
    the same content (a retry) or another quantity (a reused id)."""

    user: int
    order: int
    device: int
    ip: int
    quantity: int
    limit: int
    mode: int
    repeat: int | None = None
    invalid: bool = False


steps = st.builds(
    Step,
    user=st.integers(0, 5),
    order=st.integers(0, 3),
    device=st.integers(0, 1),
    ip=st.integers(0, 2),
    quantity=st.integers(1, 3),
    limit=st.integers(0, 3),
    mode=st.sampled_from([ENFORCE, ENFORCE, SHADOW]),
    repeat=st.none() | st.integers(0, 11),
    invalid=st.sampled_from([False] * 9 + [True]),
)
sequences = st.lists(steps, min_size=1, max_size=12)


def requests_of(risk: Risk, sequence: list[Step], run: str) -> list[pb.AssessRequest]:
    """The sequence as AssessRequests of `risk`'s tenant. Users, devices and addresses are few,
    so counters build up and rules fire within a sequence."""
    requests: list[pb.AssessRequest] = []
    for n, step in enumerate(sequence):
        earlier = requests[step.repeat] if step.repeat is not None and step.repeat < n else None
        request = risk.request(
            "" if step.invalid else f"user-{step.user}",
            f"order-{step.order}",
            quantity=step.quantity,
            limit=step.limit,
            device=f"device-{step.device}" if step.device else "",
            ip=f"192.0.2.{step.ip}" if step.ip else "",
            mode=step.mode,
            request_id=f"{run}-{n}",
        )
        if earlier is not None:
            if step.quantity % 2:
                request = pb.AssessRequest()
                request.CopyFrom(earlier)  # a retry: same id, same content
            else:
                request.request_id = earlier.request_id  # the id reused for another attempt
        requests.append(request)
    return requests


def _reasons(response: pb.AssessResponse) -> list[tuple[Any, ...]]:
    """The reasons without their key text: IP and device hashes are keyed per tenant."""
    return sorted(
        (r.rule_id, r.signal, r.key_level, r.observed, r.threshold, r.score, r.shadow)
        for r in response.reasons
    )


def answer(
    response: pb.AssessResponse | None, refusal: tuple[int, str, str] | None, first: dict[str, int]
) -> tuple[Any, ...]:
    """What is compared between the two paths; a replayed decision is named by the position of
    the request that made it."""
    if refusal is not None:
        return ("refused", *refusal)
    assert response is not None
    origin = first.setdefault(response.decision_id, len(first))
    return (
        response.decision,
        response.shadow_decision,
        response.score,
        response.shadow_score,
        response.enforcement,
        response.pass_token_status,
        response.HasField("challenge"),
        _reasons(response),
        origin,
    )


async def one_by_one(risk: Risk, requests: list[pb.AssessRequest]) -> list[tuple[Any, ...]]:
    first: dict[str, int] = {}
    answers = []
    for request in requests:
        try:
            response = await risk.stub.Assess(request, metadata=SERVICE_KEY, timeout=5)
        except grpc.aio.AioRpcError as error:
            refusal = (error.code().value[0], error_reason(error), _field(error))
            answers.append(answer(None, refusal, first))
            continue
        answers.append(answer(response, None, first))
    return answers


def _field(error: grpc.aio.AioRpcError) -> str:
    return str(error_info(error).metadata.get("field", ""))


async def in_one_batch(risk: Risk, requests: list[pb.AssessRequest]) -> list[tuple[Any, ...]]:
    first: dict[str, int] = {}
    answers = []
    for position, result in enumerate(await risk.assess_batch(requests)):
        if result.HasField("response"):
            answers.append(answer(result.response, None, first))
            continue
        refusal = result.refusal
        field = refusal.metadata.get("field", "")
        prefix = f"requests[{position}]."
        if field:
            assert field.startswith(prefix), field
        reason = errors_pb2.ErrorReason.Name(refusal.reason).removeprefix("ERROR_REASON_")
        answers.append(answer(None, (refusal.code, reason, field.removeprefix(prefix)), first))
    return answers


async def test_a_batch_decides_as_assess_does_one_request_after_the_other(
    start_risk: StartRisk,
) -> None:
    alone = await start_risk()
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sequence=sequences)
    def compare(sequence: list[Step]) -> None:
        # Two fresh tenants of the same service: no counter of one is seen by the other.
        by_assess = dataclasses.replace(alone, tenant_id=new_tenant())
        by_batch = dataclasses.replace(alone, tenant_id=new_tenant())
        expected = asyncio.run_coroutine_threadsafe(
            one_by_one(by_assess, requests_of(by_assess, sequence, "run")), loop
        ).result(60)
        got = asyncio.run_coroutine_threadsafe(
            in_one_batch(by_batch, requests_of(by_batch, sequence, "run")), loop
        ).result(60)
        assert got == expected

    await asyncio.to_thread(compare)


async def test_a_bad_request_is_refused_alone_and_counts_nothing(risk: Risk) -> None:
    requests = [
        risk.request("buyer-1", "order-1", limit=1),
        risk.request("", "order-2"),  # no user
        risk.request("buyer-1", "order-3", limit=1),  # over the limit: the first one counted
        risk.request("buyer-2", "order-4", quantity=0),
    ]
    allowed, no_user, over_limit, no_quantity = await risk.assess_batch(requests)

    assert allowed.response.decision == ALLOW
    assert no_user.refusal.code == INVALID_ARGUMENT
    assert no_user.refusal.reason == errors_pb2.ERROR_REASON_INVALID_ARGUMENT
    assert no_user.refusal.metadata["field"] == "requests[1].attempt.user_id"
    assert "purchase-limit-exceeded" in reason_ids(over_limit.response)
    assert no_quantity.refusal.metadata["field"] == "requests[3].attempt.lines[0].quantity"
    listed = await risk.call(
        "ListDecisions", pb.ListDecisionsRequest(tenant_id=risk.tenant_id), admin=True
    )
    assert {d.request_id for d in listed.decisions} == {
        requests[0].request_id,
        requests[2].request_id,
    }


@pytest.mark.parametrize("count", [0, 257])
async def test_a_batch_outside_the_cap_is_refused_naming_requests(risk: Risk, count: int) -> None:
    requests = [risk.request(f"buyer-{n}", f"order-{n}") for n in range(count)]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await risk.assess_batch(requests)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(refused.value) == "INVALID_ARGUMENT"
    assert _field(refused.value) == "requests"
    listed = await risk.call(
        "ListDecisions", pb.ListDecisionsRequest(tenant_id=risk.tenant_id), admin=True
    )
    assert not listed.decisions


async def test_a_full_batch_is_assessed(
    start_risk: StartRisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This test judges decisions: a wide budget keeps a busy machine from turning a slow answer
    # into UNAVAILABLE (test_signal_store_outage judges the budget).
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "5000")
    risk = await start_risk()
    requests = [risk.request(f"buyer-{n}", f"order-{n}") for n in range(256)]
    results = await risk.assess_batch(requests, timeout=30)
    assert [r.response.decision for r in results] == [ALLOW] * 256


async def test_a_batch_acts_for_its_own_tenant_only(start_risk: StartRisk) -> None:
    acme = dataclasses.replace(await start_risk(), tenant_id="acme")
    globex = dataclasses.replace(acme, tenant_id="globex")
    device = f"shared-phone-{new_tenant()}"
    # Four accounts on one device at globex: the fourth is challenged.
    results = await globex.assess_batch(
        [globex.request(f"{device}-account-{n}", f"o{n}", device=device) for n in range(4)]
    )
    assert [r.response.decision for r in results] == [ALLOW, ALLOW, ALLOW, CHALLENGE]

    # At acme the device is new: globex's counters are not acme's. A request naming globex in
    # acme's batch is refused on its own.
    stray = globex.request(f"{device}-account-9", "o9", device=device)
    (fresh, refused) = await acme.assess_batch(
        [acme.request(f"{device}-account-5", "o5", device=device), stray]
    )
    assert fresh.response.decision == ALLOW and not fresh.response.reasons
    assert refused.refusal.metadata["field"] == "requests[1].tenant_id"

    # Only the service key may call AssessBatch; a tenant's admin may not, for its own tenant
    # either.
    for key in (API_KEYS.acme_admin, API_KEYS.globex_admin):
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await acme.stub.AssessBatch(
                pb.AssessBatchRequest(tenant_id="acme", requests=[acme.request("u", "o")]),
                metadata=(("x-api-key", key),),
                timeout=5,
            )
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert error_reason(denied.value) == "ROLE_NOT_ALLOWED"
    # acme's admin lists acme's decision of the device, not globex's four.
    listed = await acme.stub.ListDecisions(
        pb.ListDecisionsRequest(tenant_id="acme", device_id=device),
        metadata=(("x-api-key", API_KEYS.acme_admin),),
        timeout=5,
    )
    assert [d.user_id for d in listed.decisions] == [f"{device}-account-5"]


async def test_a_challenge_from_a_batch_is_passed_and_redeemed_in_a_batch(risk: Risk) -> None:
    device = "household-phone"
    results = await risk.assess_batch(
        [risk.request(f"account-{n}", f"o{n}", device=device) for n in range(4)]
    )
    challenge = results[3].response.challenge
    assert results[3].response.decision == CHALLENGE and challenge.challenge_id
    passed = await risk.call(
        "CompleteChallenge",
        pb.CompleteChallengeRequest(
            tenant_id=risk.tenant_id,
            request_id="complete-1",
            challenge_id=challenge.challenge_id,
            result=assessment_pb2.CHALLENGE_RESULT_PASSED,
        ),
    )
    retry = risk.request("account-3", "o3", device=device, token=passed.pass_token)
    again = risk.request("account-3", "o4", device=device, token=passed.pass_token)
    redeemed, used = await risk.assess_batch([retry, again])
    assert redeemed.response.decision == ALLOW
    assert redeemed.response.pass_token_status == assessment_pb2.PASS_TOKEN_STATUS_REDEEMED
    assert used.response.decision == CHALLENGE
    assert used.response.pass_token_status == assessment_pb2.PASS_TOKEN_STATUS_ALREADY_USED
