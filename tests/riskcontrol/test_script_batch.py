"""Concurrent Assess calls of a tenant are assessed together, in one script per batch, and
scripts share pipelines to Redis: each attempt still gets its own decision, as if assessed one
after the other, a Redis that lost its scripts (restart, SCRIPT FLUSH) is given them again, and
request records written by the previous script format still replay."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from redis.asyncio.cluster import RedisCluster

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk, bounded, error_reason, reason_ids


async def test_concurrent_attempts_each_get_their_own_decision(
    start_risk: StartRisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This test judges decisions: a wide budget keeps a busy machine from turning a slow answer
    # into UNAVAILABLE (test_signal_store_outage judges the budget).
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")
    risk = await start_risk()
    # Limit 2 on one SKU: of one user's 6 concurrent single-unit attempts exactly 2 pass, while
    # 30 other users' attempts, in the same pipelines, all pass.
    calls = [risk.assess("hoarder", f"h{i}", limit=2) for i in range(6)]
    calls += [risk.assess(f"buyer-{i}", f"b{i}", limit=2) for i in range(30)]
    responses = await bounded(calls, concurrency=36)

    hoarder, others = responses[:6], responses[6:]
    assert sorted(r.decision for r in hoarder) == [ALLOW] * 2 + [BLOCK] * 4
    assert all("purchase-limit-exceeded" in reason_ids(r) for r in hoarder if r.decision == BLOCK)
    assert all(r.decision == ALLOW for r in others)
    assert len({r.decision_id for r in responses}) == len(responses)


async def test_ids_in_any_script_reach_the_counters_of_their_own_keys(
    start_risk: StartRisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Attempts reach the script as MessagePack and their keys as UTF-8 bytes: the Chinese ids
    # packed in an attempt must name the same counters as its keys (the limit holds, a retry
    # finds its request record), and an id differing by one character must name others.
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")
    risk = await start_risk()
    calls = [risk.assess("买家甲", f"订单-{i}", "商品-1", limit=2, request_id=f"jia-{i}")
             for i in range(4)]  # fmt: skip
    calls += [risk.assess("买家乙", "订单-9", "商品-1", limit=2, device="手机-乙")]
    responses = await bounded(calls, concurrency=5)

    assert sorted(r.decision for r in responses[:4]) == [ALLOW] * 2 + [BLOCK] * 2
    assert responses[4].decision == ALLOW
    retried = await risk.assess("买家甲", "订单-0", "商品-1", limit=2, request_id="jia-0")
    assert retried.decision_id == responses[0].decision_id


async def test_concurrent_calls_of_a_tenant_share_one_script_per_batch(
    start_risk: StartRisk, monkeypatch: pytest.MonkeyPatch, redis_client: Any
) -> None:
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")
    risk = await start_risk()
    await risk.assess("warm-up", "o0")  # loads the script
    before = await _scripts_run(redis_client)

    calls = [risk.assess("hoarder", f"h{i}", limit=3, request_id=f"h{i}") for i in range(20)]
    calls += [risk.assess(f"buyer-{i}", f"b{i}", limit=3) for i in range(40)]
    responses = await bounded(calls, concurrency=60)
    scripts = await _scripts_run(redis_client) - before

    # One call after the other would have run 60 scripts.
    assert 0 < scripts < len(calls) * 3 // 4, scripts
    hoarder, others = responses[:20], responses[20:]
    assert sorted(r.decision for r in hoarder) == [ALLOW] * 3 + [BLOCK] * 17
    assert all(r.decision == ALLOW for r in others)
    retried = await risk.assess("hoarder", "h0", limit=3, request_id="h0")
    assert (retried.decision_id, retried.decision) == (hoarder[0].decision_id, hoarder[0].decision)


async def _scripts_run(client: Any) -> int:
    """How many Assess scripts Redis (every node of a cluster) has run: EVALSHA calls."""
    if isinstance(client, RedisCluster):
        nodes = await client.info("commandstats", target_nodes=RedisCluster.ALL_NODES)
        per_node = list(nodes.values())
    else:
        per_node = [await client.info("commandstats")]
    return sum(node.get("cmdstat_evalsha", {}).get("calls", 0) for node in per_node)


async def test_a_redis_that_lost_the_script_gets_it_again(
    start_risk: StartRisk, monkeypatch: pytest.MonkeyPatch, redis_client: Any
) -> None:
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")
    risk = await start_risk()
    assert (await risk.assess("u1", "o1")).decision == ALLOW
    await redis_client.script_flush()

    responses = await bounded([risk.assess(f"u{i}", f"o{i}") for i in range(2, 12)])

    assert all(r.decision == ALLOW for r in responses)


async def test_a_request_record_of_the_named_field_format_still_replays(
    risk: Risk, redis_client: Any
) -> None:
    """Records written before the compact script format (kept 24 h) answer their retries."""
    first = await risk.assess("retrier", "o1", quantity=2, limit=2, request_id="hold-old")
    key = f"rc:{{{risk.tenant_id}}}:req:hold-old"
    fingerprint, (decision_id, now, token, observed, _, decision, _) = json.loads(
        await redis_client.get(key)
    )
    old = {
        "fingerprint": fingerprint,
        "result": {"attempt_id": decision_id, "now": now, "observed": observed, "hits": {},
                   "token": token, "decision": decision},
    }  # fmt: skip
    await redis_client.set(key, json.dumps(old), px=60_000)

    retry = await risk.assess("retrier", "o1", quantity=2, limit=2, request_id="hold-old")
    third = await risk.assess("retrier", "o2", quantity=1, limit=2)

    assert retry.decision_id == first.decision_id and retry.decision == ALLOW
    assert third.decision == BLOCK  # the first hold still counts against the limit
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await risk.assess("retrier", "o1", quantity=1, limit=2, request_id="hold-old")
    assert error_reason(reused.value) == "REQUEST_ID_REUSED"
