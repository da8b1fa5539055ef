"""What grows with traffic is forgotten after its retention, by a background job of the running
service on its own clock: answered request ids after the request retention (a retry after it is a
new request), decisions, outcomes and ended list entries after the audit retention (a read of a
pruned range finds nothing and fails nothing). Recent rows stay."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import timestamp_pb2
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from services.riskcontrol import bootstrap
from services.riskcontrol.adapters.postgres_retention import PostgresRetention
from services.riskcontrol.service_layer import retention
from services.riskcontrol.service_layer.retention import Retention
from services.runtime import periodic
from tests.conftest import schema_pool
from tests.inventory.sync_api import ManualClock
from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import Risk, error_reason, new_tenant
from tests.riskcontrol.test_access_lists import DENY, add, device_key
from tests.riskcontrol.test_outcomes import report

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges answers, not time

REQUESTS = timedelta(days=2)
AUDIT = timedelta(days=30)
FAILED = assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """riskcontrol started after this fixture runs on a clock the test moves, and prunes every
    50 ms with the retentions above."""
    manual = ManualClock()
    monkeypatch.setattr(bootstrap, "SystemClock", lambda: manual)
    monkeypatch.setattr(retention, "INTERVAL_SECONDS", 0.05)
    monkeypatch.setenv(
        "STREAMSTOCK_RISKCONTROL_REQUEST_RETENTION_SECONDS", str(REQUESTS.total_seconds())
    )
    monkeypatch.setenv(
        "STREAMSTOCK_RISKCONTROL_AUDIT_RETENTION_SECONDS", str(AUDIT.total_seconds())
    )
    return manual


async def rows(postgres_dsn: str, table: str, column: str, value: str) -> int:
    async with schema_pool(postgres_dsn, "riskcontrol", 1) as pool:
        count = await pool.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", value)
    return int(count)


async def pruned(postgres_dsn: str, table: str, column: str, value: str) -> None:
    """Waits (10 s at most) until the job, running every 50 ms, deleted the row."""
    deadline = time.monotonic() + 10
    while await rows(postgres_dsn, table, column, value):
        assert time.monotonic() < deadline, f"{table} {value} was not pruned"
        await asyncio.sleep(0.05)


async def test_a_request_id_is_remembered_for_the_retention_then_is_a_new_request(
    clock: ManualClock, start_risk: StartRisk, postgres_dsn: str
) -> None:
    risk = await start_risk()
    first = await report(risk, "rep-old", FAILED, order="o1")
    clock.advance(REQUESTS - timedelta(minutes=1))
    retried = await report(risk, "rep-old", FAILED, order="o1")
    recent = await report(risk, "rep-recent", FAILED, order="o2")

    clock.advance(timedelta(minutes=2))  # `rep-old` is past the retention, `rep-recent` is not
    await pruned(postgres_dsn, "requests", "request_id", "rep-old")
    again = await report(risk, "rep-old", FAILED, order="o1")

    assert retried.outcome_id == first.outcome_id  # within the retention: the first answer
    assert await rows(postgres_dsn, "requests", "request_id", "rep-recent") == 1
    assert again.outcome_id not in (first.outcome_id, recent.outcome_id)  # a new request now
    # The outcomes themselves are audit, kept longer than the request ids.
    assert await rows(postgres_dsn, "outcomes", "outcome_id", first.outcome_id) == 1


def stamp(moment: object) -> timestamp_pb2.Timestamp:
    value = timestamp_pb2.Timestamp()
    value.FromDatetime(moment)  # type: ignore[arg-type]
    return value


async def decisions(risk: Risk, **filters: object) -> pb.ListDecisionsResponse:
    request = pb.ListDecisionsRequest(tenant_id=risk.tenant_id, **filters)  # type: ignore[arg-type]
    return await risk.call("ListDecisions", request, admin=True)


async def test_the_audit_is_kept_for_its_retention_and_a_pruned_range_reads_empty(
    clock: ManualClock, start_risk: StartRisk, postgres_dsn: str
) -> None:
    risk = await start_risk()
    start = clock.now()
    old = await risk.assess("buyer-1", "o-old")
    outcome = await report(
        risk, "rep-1", FAILED, order="o-old", user="buyer-1", decision_id=old.decision_id
    )
    await add(risk, "acl-expired", DENY, device_key("old-phone"), seconds=60)
    removed = (await add(risk, "acl-removed", DENY, device_key("lent-phone"))).entry
    await risk.call(
        "RemoveAccessListEntry",
        pb.RemoveAccessListEntryRequest(
            tenant_id=risk.tenant_id, request_id="acl-remove", entry_id=removed.entry_id
        ),
        admin=True,
    )
    clock.advance(AUDIT - timedelta(minutes=1))
    recent = await risk.assess("buyer-2", "o-new")
    live = (await add(risk, "acl-live", DENY, device_key("new-phone"))).entry
    just_ended = (await add(risk, "acl-just-ended", DENY, device_key("mid-phone"), 60)).entry
    first_page = await decisions(risk, page_size=1)
    assert [d.decision_id for d in first_page.decisions] == [recent.decision_id]

    clock.advance(timedelta(minutes=5))  # what ended 4 minutes after `start` is past the audit
    await pruned(postgres_dsn, "decisions", "decision_id", old.decision_id)
    await pruned(postgres_dsn, "outcomes", "outcome_id", outcome.outcome_id)
    await pruned(postgres_dsn, "access_list_entries", "entry_id", removed.entry_id)
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await risk.call(
            "GetDecision",
            pb.GetDecisionRequest(tenant_id=risk.tenant_id, decision_id=old.decision_id),
        )
    with pytest.raises(grpc.aio.AioRpcError) as late_report:
        await report(
            risk, "rep-2", FAILED, order="o-old", user="buyer-1", decision_id=old.decision_id
        )
    pruned_range = await decisions(
        risk,
        start_time=stamp(start - timedelta(hours=1)),
        end_time=stamp(start + timedelta(hours=1)),
    )
    after_token = await decisions(risk, page_size=1, page_token=first_page.next_page_token)
    everything = await decisions(risk)
    entries = await risk.call(
        "ListAccessListEntries",
        pb.ListAccessListEntriesRequest(tenant_id=risk.tenant_id, include_expired=True),
        admin=True,
    )

    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_reason(gone.value) == "DECISION_NOT_FOUND"
    assert error_reason(late_report.value) == "DECISION_NOT_FOUND"
    assert (list(pruned_range.decisions), pruned_range.next_page_token) == ([], "")
    assert (list(after_token.decisions), after_token.next_page_token) == ([], "")
    assert [d.decision_id for d in everything.decisions] == [recent.decision_id]
    assert {e.entry_id for e in entries.entries} == {live.entry_id, just_ended.entry_id}
    got = await risk.call(
        "GetDecision",
        pb.GetDecisionRequest(tenant_id=risk.tenant_id, decision_id=recent.decision_id),
    )
    assert got.decision.decision_id == recent.decision_id


async def test_an_assess_retried_after_its_replay_record_expired_is_a_new_audited_decision(
    risk: Risk, redis_client: object
) -> None:
    first = await risk.assess("u1", "o1", request_id="hold-late")
    record = f"rc:{{{risk.tenant_id}}}:req:hold-late"
    kept_ms = await redis_client.pttl(record)  # type: ignore[attr-defined]
    await redis_client.delete(record)  # type: ignore[attr-defined]  # what Redis does after it
    again = await risk.assess("u1", "o1", request_id="hold-late")

    assert 0 < kept_ms <= 24 * 3600 * 1000
    assert again.decision_id != first.decision_id
    for answer in (first, again):  # both are in the audit (the first does not hide the second)
        got = await risk.call(
            "GetDecision",
            pb.GetDecisionRequest(tenant_id=risk.tenant_id, decision_id=answer.decision_id),
        )
        assert got.decision.decision_id == answer.decision_id


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


async def test_the_job_deletes_in_batches_until_nothing_is_past_the_retention(
    postgres_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of the year 2000, older than anything else in the session's database."""
    monkeypatch.setattr(periodic, "RETENTION_BATCH", 2)
    day = timedelta(days=1)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    tenant = new_tenant()
    async with schema_pool(postgres_dsn, "riskcontrol", 1) as pool:
        for n in range(6):  # five past the retention, the last one not
            await pool.execute(
                "INSERT INTO requests (tenant_id, request_id, fingerprint, result, record_time)"
                " VALUES ($1, $2, 'f', '{}', $3)",
                tenant, f"r{n}", start + n * day if n < 5 else start + 9 * day,
            )  # fmt: skip
        store = PostgresRetention(pool)
        one_batch = await store.forget_requests(start + day, limit=2)
        job = Retention(store, FixedClock(start + 12 * day), requests=7 * day, audit=None)
        forgotten = await job.forget_expired()
        left = await pool.fetch("SELECT request_id FROM requests WHERE tenant_id = $1", tenant)

    assert one_batch == 1  # only r0 is older than day 1
    assert forgotten == 4  # r1..r4 in three statements of at most 2
    assert [row["request_id"] for row in left] == ["r5"]
