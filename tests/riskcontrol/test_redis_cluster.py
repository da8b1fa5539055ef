"""Every script's keys share the tenant's hash slot, so Assess, challenges, lists and feedback run
on a Redis Cluster (a CROSSSLOT error would fail these calls)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import duration_pb2
from streamstock.riskcontrol.v1 import access_list_pb2, assessment_pb2, signals_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import ALLOW, BLOCK, CHALLENGE
from tools.devstack.ports import free_base_port
from tools.devstack.redis import CLUSTER_BUS_OFFSET, LocalRedisCluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalRedisCluster]:
    base = free_base_port(3, bus_offset=CLUSTER_BUS_OFFSET)
    nodes = LocalRedisCluster(tmp_path / "cluster", base)
    nodes.start()
    yield nodes
    nodes.kill()


async def test_riskcontrol_runs_on_a_redis_cluster(
    start_risk: StartRisk, cluster: LocalRedisCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This test is about slots, not latency: a loaded machine must not turn it into a budget test.
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")
    risk = await start_risk(redis_url=cluster.url, redis_cluster=True)
    lines = [
        assessment_pb2.AttemptLine(sku_id=f"sku-{i}", quantity=1, purchase_limit=2)
        for i in range(5)
    ]

    first = await risk.assess("u1", "o1", lines=lines, ip="192.0.2.1", device="d1")
    for i in range(3):
        await risk.assess(f"other-{i}", f"o-{i}", device="d1")
    challenged = await risk.assess("u9", "o9", device="d1")
    passed = await risk.call(
        "CompleteChallenge",
        pb.CompleteChallengeRequest(
            tenant_id=risk.tenant_id, request_id="cc", challenge_id=challenged.challenge.challenge_id,
            result=assessment_pb2.CHALLENGE_RESULT_PASSED,
        ),
    )  # fmt: skip
    redeemed = await risk.assess("u9", "o9", device="d1", token=passed.pass_token)
    ttl = duration_pb2.Duration(seconds=60)
    await risk.call(
        "AddAccessListEntry",
        pb.AddAccessListEntryRequest(
            tenant_id=risk.tenant_id, request_id="deny", list=access_list_pb2.ACCESS_LIST_DENY,
            key=signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_USER, user_id="u1"), ttl=ttl,
        ),
        admin=True,
    )  # fmt: skip
    await risk.call(
        "ReportOutcome",
        pb.ReportOutcomeRequest(
            tenant_id=risk.tenant_id, request_id="pf", kind=assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED,
            order_id="o1", user_id="u1", ip="192.0.2.1", device_id="d1", sku_id="sku-1",
        ),
    )  # fmt: skip
    denied = await risk.assess("u1", "o2")

    assert first.decision == ALLOW and challenged.decision == CHALLENGE
    assert redeemed.decision == ALLOW and denied.decision == BLOCK
