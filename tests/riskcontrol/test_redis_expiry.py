"""Nothing riskcontrol writes to Redis outlives its use: every key of every family (request
records, challenges, pass tokens, list entries, each counter, those the event follower and
ReportOutcome write included) carries a TTL, so Redis does not grow with traffic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamstock.riskcontrol.v1 import assessment_pb2

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.fake_inventory import FakeInventoryEvents
from tests.riskcontrol.helpers import CHALLENGE, rewrite
from tests.riskcontrol.test_access_lists import DENY, add, device_key
from tests.riskcontrol.test_challenges import FAILED, PASSED, challenged, complete
from tests.riskcontrol.test_hold_feedback import SKU, applied, held, resized
from tests.riskcontrol.test_outcomes import report

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges keys, not time

# Every family the traffic below writes: `rc:{tenant}:<family>:...`.
FAMILIES = {
    "req", "challenge", "pass", "acl", "attempt_velocity", "quantity_velocity",
    "distinct_accounts", "cart_edits", "purchase_limit_ratio", "unpaid_expiries", "payment_failures",
    "chargebacks", "challenge_failures",
}  # fmt: skip
# The default rules count no quantity velocity: the test's rules add it.
UNITS_RULE = """
  - id: sku-units-velocity
    description: Units attempted on one SKU by the whole crowd.
    signal: quantity_velocity
    key: sku
    window: 10s
    threshold: 100000
    score: 10
"""


async def test_every_key_riskcontrol_writes_to_redis_expires(
    start_risk: StartRisk, inventory: FakeInventoryEvents, redis_client: Any, rules_file: Path
) -> None:
    rewrite(rules_file, lambda text: text + UNITS_RULE)
    risk = await start_risk(peers={"inventory": inventory.address})
    # Counters, request records and a challenge; a pass token, redeemed; a failed challenge.
    passed = await complete(risk, (await challenged(risk)).challenge.challenge_id, PASSED, "cc-1")
    await risk.assess("late-account", "o-late", device="family-tablet", token=passed.pass_token)
    failing = await challenged(risk, "other-account")
    assert failing.decision == CHALLENGE
    await complete(risk, failing.challenge.challenge_id, FAILED, "cc-2")
    # The purchase-limit tally, then what inventory's events do to it and to unpaid expiries.
    await risk.assess("u1", "o1", SKU, 2, limit=5, ip="203.0.113.9", device="phone-9")
    await held(risk, inventory, "u1", "o2", 1)  # a hold inventory made: confirmed in the tally
    await risk.assess(
        "u1", "o1", SKU, 3, limit=5, kind=assessment_pb2.ATTEMPT_KIND_RESIZE, previous=2
    )
    await applied(risk, inventory, "reservation_resized", resized("o1", 1, 3))
    released = {"reservation_id": "r-o2", "user": "u1", "order": "o2", "quantity": 1}
    await applied(risk, inventory, "reservation_released", released)
    expired = {**released, "reservation_id": "r-o1", "order": "o1", "ip": "203.0.113.9"}
    await applied(risk, inventory, "reservation_expired", expired)
    # Reported outcomes and a list entry.
    await report(risk, "rep-1", assessment_pb2.OUTCOME_KIND_PAYMENT_FAILED, user="u1")
    await report(risk, "rep-2", assessment_pb2.OUTCOME_KIND_CHARGEBACK, user="u2", order="o9")
    await report(risk, "rep-3", assessment_pb2.OUTCOME_KIND_CONFIRMED_GENUINE, user="u3")
    await add(risk, "acl-1", DENY, device_key("bad-phone"))

    ttls: dict[str, int] = {}
    async for key in redis_client.scan_iter(match=f"rc:{{{risk.tenant_id}}}:*", count=1000):
        ttls[key.decode()] = await redis_client.pttl(key)
    families = {key.split(":")[2] for key in ttls}

    assert families >= FAMILIES, f"the traffic did not write {FAMILIES - families}"
    assert [key for key, ttl in ttls.items() if ttl < 0] == []
