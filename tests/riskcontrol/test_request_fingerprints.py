"""Request fingerprints (Assess's records in Redis, ReportOutcome's in PostgreSQL) tell a retry from
a reused request id without holding a digest that gives the buyer's IP or device back: they are
made over the keyed hashes, never over the clear values."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import grpc
import pytest
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from services.riskcontrol.domain.attempt import Attempt
from services.riskcontrol.domain.records import OutcomeKind
from services.riskcontrol.entrypoints import codec
from services.riskcontrol.service_layer.outcomes import OutcomeReport
from tests.conftest import schema_pool
from tests.riskcontrol.helpers import ALLOW, SERVICE_KEY, Risk, error_reason

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges answers, not time

IP, DEVICE = "192.0.2.77", "phone-77"
MIGRATIONS = Path(__file__).parents[2] / "services/riskcontrol/adapters/migrations"


def plain_attempt_digest(attempt: Attempt) -> str:
    """The unkeyed construction an attacker can recompute for each of the 2^32 IPv4 addresses."""
    text = repr((attempt.kind, attempt.lines, attempt.lock_stage, attempt.user_id,
                 attempt.order_id, attempt.platform_id, attempt.ip, attempt.device_id,
                 attempt.challenge_pass_token, attempt.reservation_id, attempt.caller_mode))  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def plain_report_digest(report: OutcomeReport) -> str:
    return hashlib.sha256(repr((report,)).encode()).hexdigest()[:32]


async def stored_record(redis_client: Any, risk: Risk, request_id: str) -> list[Any]:
    raw = await redis_client.get(f"rc:{{{risk.tenant_id}}}:req:{request_id}")
    return json.loads(raw)  # type: ignore[no-any-return]


async def test_an_assess_record_holds_no_plain_digest_of_the_ip_and_still_tells_retries(
    risk: Risk, redis_client: Any
) -> None:
    request = risk.request("u1", "o1", ip=IP, device=DEVICE, request_id="hold-fp")
    first = await risk.stub.Assess(request, metadata=SERVICE_KEY)
    stored_fingerprint, _ = await stored_record(redis_client, risk, "hold-fp")
    retry = await risk.assess("u1", "o1", ip=IP, device=DEVICE, request_id="hold-fp")
    with pytest.raises(grpc.aio.AioRpcError) as other_ip:
        await risk.assess("u1", "o1", ip="192.0.2.78", device=DEVICE, request_id="hold-fp")
    with pytest.raises(grpc.aio.AioRpcError) as other_device:
        await risk.assess("u1", "o1", ip=IP, device="phone-78", request_id="hold-fp")

    assert stored_fingerprint != plain_attempt_digest(codec.attempt(request))
    assert IP not in json.dumps(await stored_record(redis_client, risk, "hold-fp"))
    assert retry.decision_id == first.decision_id and retry.decision == ALLOW
    assert error_reason(other_ip.value) == "REQUEST_ID_REUSED"
    assert error_reason(other_device.value) == "REQUEST_ID_REUSED"


async def test_a_retry_of_an_assess_recorded_before_the_keyed_fingerprint_gets_its_answer(
    risk: Risk, redis_client: Any
) -> None:
    """A record written by the previous version (kept 24 h) answers a retry in flight across the
    deploy; other content under its request id is still refused."""
    request = risk.request("u2", "o2", ip=IP, device=DEVICE, request_id="hold-old-fp")
    first = await risk.stub.Assess(request, metadata=SERVICE_KEY)
    key = f"rc:{{{risk.tenant_id}}}:req:hold-old-fp"
    _, result = await stored_record(redis_client, risk, "hold-old-fp")
    legacy = [plain_attempt_digest(codec.attempt(request)), result]
    await redis_client.set(key, json.dumps(legacy), px=60_000)

    retry = await risk.assess("u2", "o2", ip=IP, device=DEVICE, request_id="hold-old-fp")
    with pytest.raises(grpc.aio.AioRpcError) as other_ip:
        await risk.assess("u2", "o2", ip="192.0.2.78", device=DEVICE, request_id="hold-old-fp")

    assert retry.decision_id == first.decision_id
    assert error_reason(other_ip.value) == "REQUEST_ID_REUSED"


def _report(risk: Risk, request_id: str, ip: str = IP) -> pb.ReportOutcomeRequest:
    return pb.ReportOutcomeRequest(
        tenant_id=risk.tenant_id, request_id=request_id,
        kind=assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED, order_id="o1", user_id="payer",
        ip=ip, device_id=DEVICE,
    )  # fmt: skip


def _domain_report(request: pb.ReportOutcomeRequest) -> OutcomeReport:
    """The report as the service reads it (no occur_time, no note)."""
    return OutcomeReport(
        request.tenant_id, request.request_id, OutcomeKind.PAYMENT_FAILED, request.order_id,
        request.user_id, ip=request.ip, device_id=request.device_id,
    )  # fmt: skip


async def stored_outcome_fingerprint(postgres_dsn: str, risk: Risk, request_id: str) -> str:
    async with schema_pool(postgres_dsn, "riskcontrol", 1) as pool:
        stored = await pool.fetchval(
            "SELECT fingerprint FROM requests WHERE tenant_id = $1 AND request_id = $2",
            risk.tenant_id, request_id,
        )  # fmt: skip
    return str(stored)


async def set_outcome_fingerprint(
    postgres_dsn: str, risk: Risk, request_id: str, fingerprint: str
) -> None:
    async with schema_pool(postgres_dsn, "riskcontrol", 1) as pool:
        await pool.execute(
            "UPDATE requests SET fingerprint = $3 WHERE tenant_id = $1 AND request_id = $2",
            risk.tenant_id, request_id, fingerprint,
        )  # fmt: skip


async def test_an_outcome_record_holds_no_plain_digest_of_the_ip_and_still_tells_retries(
    risk: Risk, postgres_dsn: str
) -> None:
    request = _report(risk, "pf-fp")
    first = await risk.call("ReportOutcome", request)
    stored = await stored_outcome_fingerprint(postgres_dsn, risk, "pf-fp")
    retry = await risk.call("ReportOutcome", request)
    with pytest.raises(grpc.aio.AioRpcError) as other_ip:
        await risk.call("ReportOutcome", _report(risk, "pf-fp", ip="192.0.2.78"))

    assert stored != plain_report_digest(_domain_report(request))
    assert plain_report_digest(_domain_report(request)) not in stored
    assert retry.outcome_id == first.outcome_id
    assert error_reason(other_ip.value) == "REQUEST_ID_REUSED"


async def test_a_retry_of_an_outcome_recorded_before_the_keyed_fingerprint_gets_its_answer(
    risk: Risk, postgres_dsn: str
) -> None:
    request = _report(risk, "pf-old-fp")
    first = await risk.call("ReportOutcome", request)
    keyed = await stored_outcome_fingerprint(postgres_dsn, risk, "pf-old-fp")
    await set_outcome_fingerprint(
        postgres_dsn, risk, "pf-old-fp", plain_report_digest(_domain_report(request))
    )

    with pytest.raises(grpc.aio.AioRpcError) as other_ip:
        await risk.call("ReportOutcome", _report(risk, "pf-old-fp", ip="192.0.2.78"))
    retry = await risk.call("ReportOutcome", request)

    assert error_reason(other_ip.value) == "REQUEST_ID_REUSED"
    assert retry.outcome_id == first.outcome_id
    # The retry replaced the unkeyed fingerprint with the keyed one.
    assert await stored_outcome_fingerprint(postgres_dsn, risk, "pf-old-fp") == keyed


async def test_the_migration_scrubs_unkeyed_outcome_fingerprints_and_their_retries_replay(
    risk: Risk, postgres_dsn: str
) -> None:
    request = _report(risk, "pf-scrub")
    first = await risk.call("ReportOutcome", request)
    await risk.call("ReportOutcome", _report(risk, "pf-keyed", ip="192.0.2.79"))
    keyed = await stored_outcome_fingerprint(postgres_dsn, risk, "pf-keyed")
    plain = plain_report_digest(_domain_report(request))
    await set_outcome_fingerprint(postgres_dsn, risk, "pf-scrub", plain)

    (migration,) = MIGRATIONS.glob("0002_*.sql")
    async with schema_pool(postgres_dsn, "riskcontrol", 1) as pool:
        await pool.execute(migration.read_text())
    scrubbed = await stored_outcome_fingerprint(postgres_dsn, risk, "pf-scrub")
    retry = await risk.call("ReportOutcome", request)

    assert scrubbed != plain and plain not in scrubbed
    assert await stored_outcome_fingerprint(postgres_dsn, risk, "pf-keyed") == keyed
    assert retry.outcome_id == first.outcome_id
