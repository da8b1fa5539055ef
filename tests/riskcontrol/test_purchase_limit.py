"""The purchase limit cannot be bypassed by many orders, edited carts or parallel requests; a refused
attempt does not inflate the counter it was refused on."""

from __future__ import annotations

import pytest
from streamstock.riskcontrol.v1 import assessment_pb2

from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk, bounded, reason_ids

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

LIMIT_RULE = "purchase-limit-exceeded"
RESIZE = assessment_pb2.ATTEMPT_KIND_RESIZE


def limit_reason(response: object) -> assessment_pb2.Reason:
    (reason,) = [r for r in response.reasons if r.rule_id == LIMIT_RULE]  # type: ignore[attr-defined]
    return reason


async def test_splitting_into_many_orders_is_blocked_and_blocks_do_not_inflate(risk: Risk) -> None:
    first = await risk.assess("u1", "order-1", quantity=1, limit=2)
    second = await risk.assess("u1", "order-2", quantity=1, limit=2)
    third = await risk.assess("u1", "order-3", quantity=1, limit=2)
    fourth = await risk.assess("u1", "order-4", quantity=1, limit=2)

    assert [first.decision, second.decision] == [ALLOW, ALLOW]
    assert third.decision == BLOCK and LIMIT_RULE in reason_ids(third)
    assert limit_reason(third).observed == 1.5 and limit_reason(third).threshold == 1.0
    assert limit_reason(third).key == "sku:sku-1|user:u1"
    # The third order was refused on this key, so the fourth sees 2 held units plus its own.
    assert fourth.decision == BLOCK and limit_reason(fourth).observed == 1.5


async def test_editing_the_cart_quantity_past_the_limit_is_blocked(risk: Risk) -> None:
    hold = await risk.assess("u2", "cart-1", quantity=1, limit=2)
    up_to_limit = await risk.assess("u2", "cart-1", quantity=2, previous=1, kind=RESIZE, limit=2)
    past_limit = await risk.assess("u2", "cart-1", quantity=3, previous=2, kind=RESIZE, limit=2)
    other_order = await risk.assess("u2", "cart-2", quantity=1, limit=2)

    assert [hold.decision, up_to_limit.decision] == [ALLOW, ALLOW]
    assert past_limit.decision == BLOCK and limit_reason(past_limit).observed == 1.5
    assert other_order.decision == BLOCK and limit_reason(other_order).observed == 1.5


async def test_parallel_requests_admit_exactly_the_limit(risk: Risk) -> None:
    responses = await bounded(
        [risk.assess("u3", f"parallel-{i}", quantity=1, limit=2) for i in range(20)], 20
    )

    decisions = [r.decision for r in responses]
    assert decisions.count(ALLOW) == 2
    assert decisions.count(BLOCK) == 18


async def test_other_users_and_skus_keep_their_own_limits(risk: Risk) -> None:
    await risk.assess("u4", "o1", sku="sku-a", quantity=2, limit=2)

    assert (await risk.assess("u4", "o2", sku="sku-b", quantity=2, limit=2)).decision == ALLOW
    assert (await risk.assess("u5", "o3", sku="sku-a", quantity=2, limit=2)).decision == ALLOW
    assert (await risk.assess("u4", "o4", sku="sku-a", quantity=1, limit=2)).decision == BLOCK
