"""Decisions are audited with their reasons, listable with pagination; IPs and device ids are stored
keyed-hashed only; retries return the original decision; bad input names the field; per-rule
metrics count hits."""

from __future__ import annotations

from dataclasses import replace

import asyncpg
import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from services.riskcontrol.adapters.postgres import PostgresAuditLog
from tests.conftest import API_KEYS, schema_pool
from tests.riskcontrol.helpers import ALLOW, BLOCK, CHALLENGE, Risk, error_reason

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

IP = "198.51.100.77"
DEVICE = "imei-356938035643809"


async def test_a_decision_is_stored_with_reasons_and_hashed_identifiers_only(
    risk: Risk, postgres_dsn: str
) -> None:
    for i in range(4):
        response = await risk.assess(f"user-{i}", f"o{i}", ip=IP, device=DEVICE)
    assert response.decision == CHALLENGE

    got = await risk.call(
        "GetDecision",
        pb.GetDecisionRequest(tenant_id=risk.tenant_id, decision_id=response.decision_id),
    )

    record = got.decision
    assert record.decision == CHALLENGE and record.user_id == "user-3"
    assert record.challenge.challenge_id == response.challenge.challenge_id
    assert {r.rule_id for r in record.reasons} == {r.rule_id for r in response.reasons}
    assert record.ip_hash and record.device_hash and IP not in record.ip_hash
    conn = await asyncpg.connect(postgres_dsn)
    try:
        rows = await conn.fetch(
            "SELECT d::text AS row FROM riskcontrol.decisions d WHERE tenant_id = $1",
            risk.tenant_id,
        )
    finally:
        await conn.close()
    assert len(rows) == 4
    assert not any(IP in row["row"] or DEVICE in row["row"] for row in rows)


async def test_decisions_are_listed_newest_first_in_pages_with_filters(risk: Risk) -> None:
    for i in range(5):
        await risk.assess("pager", f"o{i}", quantity=1, limit=2, ip=IP)
    seen, token = [], ""
    for _ in range(10):
        page = await risk.call(
            "ListDecisions",
            pb.ListDecisionsRequest(
                tenant_id=risk.tenant_id, user_id="pager", page_size=2, page_token=token
            ),
            admin=True,
        )
        seen += list(page.decisions)
        token = page.next_page_token
        if not token:
            break
    blocked = await risk.call(
        "ListDecisions",
        pb.ListDecisionsRequest(
            tenant_id=risk.tenant_id, ip=IP, decisions=[BLOCK], rule_id="purchase-limit-exceeded"
        ),
        admin=True,
    )

    assert [d.order_id for d in seen] == ["o4", "o3", "o2", "o1", "o0"]
    assert [d.order_id for d in blocked.decisions] == ["o4", "o3", "o2"]


async def test_a_retry_returns_the_original_decision_and_counts_nothing_twice(risk: Risk) -> None:
    first = await risk.assess("retrier", "o1", quantity=2, limit=2, request_id="hold-42")
    retry = await risk.assess("retrier", "o1", quantity=2, limit=2, request_id="hold-42")
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await risk.assess("retrier", "o1", quantity=1, limit=2, request_id="hold-42")

    assert retry.decision_id == first.decision_id and retry.decision == ALLOW
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_reason(reused.value) == "REQUEST_ID_REUSED"
    # Had the retry counted, 4 units would be attempted against the limit of 2.
    assert (await risk.assess("retrier", "o2", quantity=1, limit=3)).decision == ALLOW


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"user": ""}, "attempt.user_id"),
        ({"quantity": 0}, "attempt.lines[0].quantity"),
        ({"ip": "not-an-ip"}, "attempt.ip"),
        ({"kind": 0}, "attempt.kind"),
        ({"request_id": "has space"}, "request_id"),
    ],
)
async def test_bad_input_is_invalid_argument_naming_the_field(
    risk: Risk, change: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"user": "u", "order": "o", **change}
    user, order = arguments.pop("user"), arguments.pop("order")

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await risk.assess(user, order, **arguments)  # type: ignore[arg-type]

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(raised.value)
    assert status is not None
    violations = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations += [v.field for v in bad.field_violations]
    assert violations == [field]


async def test_only_service_keys_assess_and_tenants_stay_apart(risk: Risk) -> None:
    request = pb.AssessRequest(
        tenant_id=risk.tenant_id,
        request_id="x1",
        attempt=assessment_pb2.Attempt(
            kind=assessment_pb2.ATTEMPT_KIND_HOLD,
            lines=[assessment_pb2.AttemptLine(sku_id="s", quantity=1)],
            lock_stage=assessment_pb2.LOCK_STAGE_CART, user_id="u", order_id="o",
        ),
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as viewer:
        await risk.stub.Assess(request, metadata=(("x-api-key", API_KEYS.acme_viewer),))
    with pytest.raises(grpc.aio.AioRpcError) as other_tenant:
        await risk.stub.ListDecisions(
            pb.ListDecisionsRequest(tenant_id=risk.tenant_id),
            metadata=(("x-api-key", API_KEYS.acme_admin),),
        )

    assert error_reason(viewer.value) == "ROLE_NOT_ALLOWED"
    assert error_reason(other_tenant.value) == "TENANT_MISMATCH"


async def test_rule_metrics_count_hits_and_refusals(risk: Risk) -> None:
    registry = risk.host.metrics.registry

    def sample(name: str, **labels: str) -> float:
        return registry.get_sample_value(name, labels) or 0.0

    hits_before = sample("streamstock_risk_rule_hits_total", rule_id="purchase-limit-exceeded")
    await risk.assess("m", "o1", quantity=2, limit=2)
    await risk.assess("m", "o2", quantity=1, limit=2)

    assert (
        sample("streamstock_risk_rule_hits_total", rule_id="purchase-limit-exceeded")
        == hits_before + 1
    )
    assert (
        sample(
            "streamstock_risk_rule_refusals_total",
            rule_id="purchase-limit-exceeded",
            decision="BLOCK",
        )
        >= 1
    )


async def test_a_batch_holding_an_already_stored_decision_keeps_it_and_stores_the_rest(
    risk: Risk, postgres_dsn: str
) -> None:
    """The audit writes batches with COPY; a batch written before a lost acknowledgement must not
    stall the audit."""
    stored = await risk.assess("user-a", "o1", ip=IP, device=DEVICE)
    await risk.call(
        "GetDecision",
        pb.GetDecisionRequest(tenant_id=risk.tenant_id, decision_id=stored.decision_id),
    )  # flushes the service's audit
    async with schema_pool(postgres_dsn, "riskcontrol", 1) as pool:
        audit = PostgresAuditLog(pool)
        again = await audit.get(risk.tenant_id, stored.decision_id)
        assert again is not None
        fresh = replace(
            again,
            decision_id="dec-fresh",
            attempt=replace(again.attempt, request_id="as-fresh"),
        )
        audit.record(replace(again, verdict=replace(again.verdict, score=-1.0)))
        audit.record(fresh)
        await audit.flush()
        kept = await audit.get(risk.tenant_id, stored.decision_id)
        added = await audit.get(risk.tenant_id, "dec-fresh")
    assert kept is not None and kept.verdict.score == again.verdict.score
    assert added is not None and added.attempt.request_id == "as-fresh"
