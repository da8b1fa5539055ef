"""Pushing listings to a platform over HTTP: bearer credentials, a JSON answer, or 202 and a later
AcknowledgeListing; retries of 5xx answers, none of 4xx; a shrink awaiting its acknowledgement
holds back the grow of another platform."""

from __future__ import annotations

from typing import Any

from streamstock.sync.v1 import quotas_pb2

from services.sync.domain.backoff import delays
from tests.sync.conftest import ManualClock, SyncFactory, SyncStack, unique
from tests.sync.http_platform import HttpPlatform


async def _allocated(stack: SyncStack, url: str, on_hand: int) -> tuple[str, str]:
    """A SKU all of whose units the HTTP platform gets, pushed once."""
    sku_id = await stack.create_sku(on_hand=on_hand)
    platform_id = await stack.add_http_platform(url)
    await stack.set_policy(sku_id, [(platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    return sku_id, platform_id


async def test_an_http_platform_gets_the_listing_with_its_bearer_token(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform, url = http_platform
    stack = await sync_stack()
    sku_id, platform_id = await _allocated(stack, url, on_hand=9)
    assert platform.authorizations == ["Bearer s3cret"]
    assert (platform.pushes[0]["skuId"], platform.pushes[0]["listedUnits"]) == (sku_id, "9")
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.listed_units, quota.push_status) == (9, quotas_pb2.PUSH_STATUS_IN_SYNC)


async def test_a_202_waits_for_acknowledge_listing(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform, url = http_platform
    platform.later = True
    stack = await sync_stack()
    sku_id, platform_id = await _allocated(stack, url, on_hand=5)
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.quota_units, quota.push_status) == (5, quotas_pb2.PUSH_STATUS_AWAITING_ACK)
    reply = await stack.service.AcknowledgeListing(
        request_id=unique("ack"),
        platform_id=platform_id,
        sku_id=sku_id,
        version=quota.pushed_version,
        listed_units=5,
        platform_sold_units=0,
    )
    assert not reply.superseded
    assert reply.quota.push_status == quotas_pb2.PUSH_STATUS_IN_SYNC
    assert reply.quota.listed_units == 5


async def _health(stack: SyncStack, platform_id: str) -> Any:
    return (await stack.admin.GetPlatform(platform_id=platform_id)).platform.health


async def _allocated_after(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str], failures: list[int]
) -> tuple[SyncStack, str, str]:
    """A SKU of 6 pushed to the HTTP platform once, its first answers those failures."""
    platform, url = http_platform
    platform.failures = failures
    stack = await sync_stack()
    return stack, *await _allocated(stack, url, on_hand=6)


async def test_a_503_is_retried_with_backoff_and_the_second_answer_counts(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform = http_platform[0]
    stack, sku_id, platform_id = await _allocated_after(sync_stack, http_platform, [503])
    first, again = platform.pushes
    assert again == first  # the same version, the same request id: one push, two attempts
    # The conftest's backoff: 2 attempts, the first retry after 0.01 s less the jitter.
    (wait,) = delays(2, 0.01, 1.0, key=first["requestId"])
    assert platform.push_times[1] - platform.push_times[0] >= wait
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.listed_units, quota.push_status) == (6, quotas_pb2.PUSH_STATUS_IN_SYNC)
    health = await _health(stack, platform_id)
    assert (health.reachable, health.consecutive_failures, health.last_error) == (True, 0, "")


async def test_a_push_failing_every_attempt_then_succeeding_resets_the_failure_count(
    manual_clock: ManualClock, sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform = http_platform[0]
    stack, sku_id, platform_id = await _allocated_after(sync_stack, http_platform, [503, 429])
    assert len(platform.pushes) == 2
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.quota_units, quota.push_status) == (6, quotas_pb2.PUSH_STATUS_FAILING)
    health = await _health(stack, platform_id)
    assert (health.reachable, health.consecutive_failures) == (False, 1)
    assert "429" in health.last_error
    # The pass after the platform's cooldown (the conftest's 0.2 s) shrinks the unreachable
    # platform; it answers this time, so it is reachable again and grows back to its share in
    # the same pass.
    manual_clock.advance(0.2)
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    health = await _health(stack, platform_id)
    assert (health.reachable, health.consecutive_failures) == (True, 0)
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.quota_units, quota.listed_units) == (6, 6)
    assert quota.push_status == quotas_pb2.PUSH_STATUS_IN_SYNC
    assert quota.acknowledged_version == quota.pushed_version > 1
    assert platform.pushes[-1]["listedUnits"] == "6"


async def test_a_400_is_not_retried_and_leaves_the_quota_failing(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform = http_platform[0]
    stack, sku_id, platform_id = await _allocated_after(sync_stack, http_platform, [400])
    assert len(platform.pushes) == 1
    quota = (await stack.quotas(sku_id))[platform_id]
    assert quota.push_status == quotas_pb2.PUSH_STATUS_FAILING
    assert quota.acknowledged_version == 0
    health = await _health(stack, platform_id)
    assert (health.reachable, health.consecutive_failures) == (False, 1)
    assert health.last_error == "HTTP 400"


async def _quotas_within_stock(stack: SyncStack, sku_id: str, on_hand: int) -> dict[str, Any]:
    """The quotas, checked against inventory: their holds are what inventory reserves, and they
    never add up to more than the stock."""
    quotas = await stack.quotas(sku_id)
    stock = await stack.sku_stock(sku_id)
    total = sum(q.quota_units for q in quotas.values())
    assert total == stock.reserved
    assert total + stock.sellable <= on_hand
    return quotas


async def test_a_grow_waits_until_the_shrink_of_a_slow_platform_is_acknowledged(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    slow_platform, url = http_platform
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=24)
    slow = await stack.add_http_platform(url)
    fast = (await stack.add_platform(rate=1)).platform_id
    await stack.set_policy(sku_id, [(slow, 1.0), (fast, 1.0)], pool_reserve_units=4)
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    quotas = await _quotas_within_stock(stack, sku_id, 24)
    assert (quotas[slow].quota_units, quotas[fast].quota_units) == (10, 10)

    # From now on the slow platform acknowledges later; the policy moves units to the fast one,
    # and frees the reserve: the fast platform could grow by those 4 at once, but waits.
    slow_platform.later = True
    await stack.set_policy(sku_id, [(slow, 1.0), (fast, 3.0)])
    for _ in range(2):  # a second pass while the shrink waits grows nothing either
        reply = await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
        (change,) = reply.changes
        targets = {t.platform_id: t.target_units for t in change.targets}
        assert targets == {slow: 6, fast: 18}
        quotas = await _quotas_within_stock(stack, sku_id, 24)
        assert quotas[slow].push_status == quotas_pb2.PUSH_STATUS_AWAITING_ACK
        assert (quotas[slow].quota_units, quotas[slow].pushed_listed_units) == (10, 6)
        assert (quotas[fast].quota_units, quotas[fast].pushed_listed_units) == (10, 10)
        assert stack.platforms[0].listings[sku_id].listed_units == 10
    assert slow_platform.pushes[-1]["listedUnits"] == "6"

    acknowledged = await stack.service.AcknowledgeListing(
        request_id=unique("ack"),
        platform_id=slow,
        sku_id=sku_id,
        version=quotas[slow].pushed_version,
        listed_units=6,
        platform_sold_units=0,
    )
    assert acknowledged.quota.quota_units == 6
    # The acknowledgement settles the shrink and runs the SKU's pass: the grow follows at once.
    quotas = await _quotas_within_stock(stack, sku_id, 24)
    assert (quotas[slow].quota_units, quotas[fast].quota_units) == (6, 18)
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    quotas = await _quotas_within_stock(stack, sku_id, 24)
    assert (quotas[slow].quota_units, quotas[fast].quota_units) == (6, 18)
    assert quotas[fast].push_status == quotas_pb2.PUSH_STATUS_IN_SYNC
    assert stack.platforms[0].listings[sku_id].listed_units == 18
