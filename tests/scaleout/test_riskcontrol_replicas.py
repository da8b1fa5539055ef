"""Two riskcontrol replicas side by side on the same PostgreSQL and Redis: the invariants hold.

The replicas share nothing in process; purchase-limit counters live in Redis and decisions (with
their request ids) in PostgreSQL, so a user spreading attempts over both gets no more than on one.
"""

from __future__ import annotations

import dataclasses

from tests.riskcontrol.conftest import StartRisk, rules_file, start_risk  # noqa: F401 (fixtures)
from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk, bounded, reason_ids
from tests.riskcontrol.test_purchase_limit import LIMIT_RULE


async def replicas(start_risk: StartRisk) -> list[Risk]:  # noqa: F811
    """Two replicas acting for one tenant (Assess is called with the internal service key)."""
    first, second = await start_risk(), await start_risk()
    return [first, dataclasses.replace(second, tenant_id=first.tenant_id)]


async def test_purchase_limit_holds_across_replicas_and_retries_share_a_decision(
    start_risk: StartRisk,  # noqa: F811
) -> None:
    first, second = await replicas(start_risk)
    responses = await bounded(
        [
            (first if n % 2 else second).assess("u1", f"parallel-{n}", quantity=1, limit=2)
            for n in range(20)
        ],
        20,
    )
    decisions = [r.decision for r in responses]
    assert decisions.count(ALLOW) == 2 and decisions.count(BLOCK) == 18
    assert all(LIMIT_RULE in reason_ids(r) for r in responses if r.decision == BLOCK)
    # Each replica sees the other's holds: a further order is blocked on both.
    for replica in (first, second):
        assert (await replica.assess("u1", f"after-{replica.host}", limit=2)).decision == BLOCK

    # A retry of one request sent to both replicas is answered with the original decision.
    retries = await bounded(
        [
            (first if n % 2 else second).assess("u2", "retried", limit=2, request_id="rq-twice")
            for n in range(10)
        ],
        10,
    )
    assert len({r.decision_id for r in retries}) == 1
    assert {r.decision for r in retries} == {ALLOW}
    # The retries counted once: the user still has the second unit of the limit.
    assert (await second.assess("u2", "another", limit=2)).decision == ALLOW
    assert (await first.assess("u2", "third", limit=2)).decision == BLOCK
