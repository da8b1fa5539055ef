"""Assess scripts of concurrent requests share pipelines to Redis: each still gets its own
decision, and a Redis that lost its scripts (restart, SCRIPT FLUSH) is given them again."""

from __future__ import annotations

from typing import Any

from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk, bounded, reason_ids


async def test_concurrent_attempts_each_get_their_own_decision(risk: Risk) -> None:
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


async def test_a_redis_that_lost_the_script_gets_it_again(risk: Risk, redis_client: Any) -> None:
    assert (await risk.assess("u1", "o1")).decision == ALLOW
    await redis_client.script_flush()

    responses = await bounded([risk.assess(f"u{i}", f"o{i}") for i in range(2, 12)])

    assert all(r.decision == ALLOW for r in responses)
