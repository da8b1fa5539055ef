"""A platform that is down does not stall the rebalancing of the healthy ones (issue 6): once a push
to it failed every attempt, its pushes wait out a cooldown kept in its stored health, without a
network call, and stay FAILING; the first push after the cooldown is the probe, and a probe that
fails makes the next cooldown longer, one that succeeds lets every waiting push go. Passes that find
the cooldown over at once (replicas, Rebalance calls) send one probe between them."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import pytest
from streamstock.sync.v1 import quotas_pb2

from tests.conftest import API_KEYS
from tests.sync.conftest import ManualClock, SyncFactory, SyncStack, unique
from tests.sync.http_platform import HttpPlatform

IN_SYNC, FAILING = quotas_pb2.PUSH_STATUS_IN_SYNC, quotas_pb2.PUSH_STATUS_FAILING
ATTEMPTS = 2  # the conftest's STREAMSTOCK_SYNC_PUSH_ATTEMPTS
BREAKER_LOGGER = "services.sync.service_layer.breaker"


async def rebalance(stack: SyncStack, sku_ids: list[str]) -> Any:
    """A Rebalance call with room for a pass that waits on a platform for every SKU (the point of
    the stall test is to measure it, not to cut it at the caller's usual 10 s)."""
    request = stack.admin.requests["Rebalance"](
        tenant_id=stack.admin.tenant_id, request_id=unique("pass"), sku_ids=sku_ids
    )
    return await stack.admin.stub.Rebalance(
        request, metadata=(("x-api-key", stack.admin.key),), timeout=120
    )


async def health_of(stack: SyncStack, platform_id: str) -> Any:
    return (await stack.admin.GetPlatform(platform_id=platform_id)).platform.health


def waits_logged(caplog: pytest.LogCaptureFixture, platform_id: str) -> int:
    return sum(
        1
        for r in caplog.records
        if r.name == BREAKER_LOGGER and getattr(r, "platform", None) == platform_id
    )


async def assert_within_stock(stack: SyncStack, sku_id: str, on_hand: int) -> dict[str, Any]:
    """The quotas are inventory's reservations, and never more than the stock."""
    quotas = await stack.quotas(sku_id)
    stock = await stack.sku_stock(sku_id)
    assert sum(q.quota_units for q in quotas.values()) == stock.reserved
    assert stock.reserved + stock.sellable <= on_hand
    return quotas


async def test_a_platform_swallowing_pushes_costs_one_push_per_pass_not_one_per_sku(
    sync_stack: SyncFactory,
    http_platform: tuple[HttpPlatform, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    skus, on_hand, deadline = 20, 20, 0.5
    hole, url = http_platform
    # The production cooldown's order (the rebalance interval): no second probe within the pass.
    stack = await sync_stack(platform_cooldown=(10.0, 60.0))
    hole_id = await stack.add_http_platform(url, request_timeout=deadline)
    healthy = await stack.add_platform(rate=1)
    sku_ids = [await stack.create_sku(on_hand=on_hand) for _ in range(skus)]
    for sku_id in sku_ids:
        await stack.set_policy(sku_id, [(hole_id, 1.0), (healthy.platform_id, 1.0)])
    await rebalance(stack, sku_ids)
    for sku_id in sku_ids:
        quotas = await stack.quotas(sku_id)
        assert (quotas[hole_id].quota_units, quotas[healthy.platform_id].quota_units) == (10, 10)

    # The host now swallows every request; every SKU's policy caps the healthy platform at 5, a
    # shrink it must get whatever the other platform does.
    hole.swallowing = True
    sent_before = len(hole.pushes)
    for sku_id in sku_ids:
        await stack.set_policy(
            sku_id, [(hole_id, 1.0), (healthy.platform_id, 1.0)], max_units={healthy.platform_id: 5}
        )
    with caplog.at_level(logging.WARNING, logger=BREAKER_LOGGER):
        started = time.monotonic()
        await rebalance(stack, sku_ids)
        took = time.monotonic() - started

    # Waiting on the host for every SKU would take at least skus x ATTEMPTS x deadline = 20 s.
    assert took < 6.0, f"the pass took {took:.1f} s"
    swallowed = hole.pushes[sent_before:]
    assert len(swallowed) == ATTEMPTS  # one push, all its attempts, then no network call
    assert len({p["requestId"] for p in swallowed}) == 1
    for sku_id in sku_ids:
        quotas = await assert_within_stock(stack, sku_id, on_hand)
        mine, down = quotas[healthy.platform_id], quotas[hole_id]
        assert (mine.quota_units, mine.push_status, healthy.listings[sku_id].listed_units) == (
            5,
            IN_SYNC,
            5,
        )
        assert mine.acknowledged_version == mine.pushed_version
        # The platform that is down keeps its last quota (at least 10; the first SKU grew it
        # before its push failed), its pushes FAILING for a later pass.
        assert down.quota_units >= 10 and down.push_status == FAILING
    health = await health_of(stack, hole_id)
    assert (health.reachable, health.consecutive_failures) == (False, 1)
    assert waits_logged(caplog, hole_id) == 1


async def test_pushes_wait_out_the_cooldown_and_the_probe_decides(
    manual_clock: ManualClock,
    sync_stack: SyncFactory,
    http_platform: tuple[HttpPlatform, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    platform, url = http_platform
    stack = await sync_stack(platform_cooldown=(10.0, 25.0))
    platform_id = await stack.add_http_platform(url)
    sku_ids = [await stack.create_sku(on_hand=6) for _ in range(3)]
    for sku_id in sku_ids:
        await stack.set_policy(sku_id, [(platform_id, 1.0)])
    await rebalance(stack, sku_ids)
    pushed = len(platform.pushes)

    async def sent_in(sku_ids_now: list[str]) -> list[str]:
        """Runs a pass; returns the SKUs of the pushes the platform got during it."""
        nonlocal pushed
        await rebalance(stack, sku_ids_now)
        sent = [p["skuId"] for p in platform.pushes[pushed:]]
        pushed = len(platform.pushes)
        return sent

    # Down (answers 503 at once); every SKU must shrink to 3.
    platform.failing = True
    for sku_id in sku_ids:
        await stack.set_policy(sku_id, [(platform_id, 1.0)], max_units={platform_id: 3})
    with caplog.at_level(logging.WARNING, logger=BREAKER_LOGGER):
        assert await sent_in(sku_ids) == [sku_ids[0]] * ATTEMPTS
    assert waits_logged(caplog, platform_id) == 1  # once for the pass, not once per SKU
    health = await health_of(stack, platform_id)
    assert (health.reachable, health.consecutive_failures) == (False, 1)
    for sku_id in sku_ids:
        quota = (await assert_within_stock(stack, sku_id, 6))[platform_id]
        # Held back: FAILING for the next pass, its last quota and escrow untouched.
        assert (quota.push_status, quota.quota_units) == (FAILING, 6)
        assert quota.pushed_version > quota.acknowledged_version

    # Inside the cooldown nothing is sent, and waiting counts as no failure.
    manual_clock.advance(9.5)
    assert await sent_in(sku_ids) == []
    assert (await health_of(stack, platform_id)).consecutive_failures == 1

    # After it, the first push is the probe; it fails, and the rest of the pass waits again.
    manual_clock.advance(1.0)
    assert await sent_in(sku_ids) == [sku_ids[0]] * ATTEMPTS
    assert (await health_of(stack, platform_id)).consecutive_failures == 2
    # The second cooldown is twice the first: past the first's length, still nothing goes out.
    manual_clock.advance(19.0)
    assert await sent_in(sku_ids) == []

    # Back up: the probe after the second cooldown succeeds and every waiting push follows in the
    # same pass.
    platform.failing = False
    manual_clock.advance(1.5)
    sent = await sent_in(sku_ids)
    assert set(sent) == set(sku_ids) and sent[0] == sku_ids[0]
    health = await health_of(stack, platform_id)
    assert (health.reachable, health.consecutive_failures) == (True, 0)
    for sku_id in sku_ids:
        quota = (await assert_within_stock(stack, sku_id, 6))[platform_id]
        assert quota.acknowledged_version == quota.pushed_version
        assert quota.push_status == IN_SYNC
    # The next pass grows it back to its share (a grow waits for the shrink's acknowledgement).
    await sent_in(sku_ids)
    for sku_id in sku_ids:
        quota = (await assert_within_stock(stack, sku_id, 6))[platform_id]
        assert (quota.quota_units, quota.listed_units, quota.push_status) == (3, 3, IN_SYNC)


async def test_concurrent_passes_after_a_cooldown_send_one_probe_between_them(
    manual_clock: ManualClock,
    sync_stack: SyncFactory,
    http_platform: tuple[HttpPlatform, str],
) -> None:
    hole, url = http_platform
    stack = await sync_stack(platform_cooldown=(10.0, 60.0))
    hole_id = await stack.add_http_platform(url, request_timeout=0.5)
    sku_ids = [await stack.create_sku(on_hand=6) for _ in range(4)]
    for sku_id in sku_ids:
        await stack.set_policy(sku_id, [(hole_id, 1.0)])
    await rebalance(stack, sku_ids)
    # The host swallows every request from now on; every SKU must shrink to 3.
    hole.swallowing = True
    for sku_id in sku_ids:
        await stack.set_policy(sku_id, [(hole_id, 1.0)], max_units={hole_id: 3})
    await rebalance(stack, sku_ids)
    assert (await health_of(stack, hole_id)).consecutive_failures == 1
    sent_before = len(hole.pushes)

    # The cooldown is over; four passes (one per SKU) reach the platform at once. Each probe waits
    # for its deadline, so the passes overlap: without a claim, each would send its own.
    manual_clock.advance(10.5)
    await asyncio.gather(*(rebalance(stack, [sku_id]) for sku_id in sku_ids))

    probes = hole.pushes[sent_before:]
    assert len(probes) == ATTEMPTS, [p["skuId"] for p in probes]
    assert len({p["requestId"] for p in probes}) == 1
    health = await health_of(stack, hole_id)
    assert (health.reachable, health.consecutive_failures) == (False, 2)
    for sku_id in sku_ids:
        quota = (await assert_within_stock(stack, sku_id, 6))[hole_id]
        assert (quota.push_status, quota.quota_units) == (FAILING, 6)


def closed_port_url() -> str:
    """A loopback URL nothing listens on: every attempt is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/push"


async def test_a_platform_down_for_one_tenant_holds_back_no_other_tenant(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform, url = http_platform
    acme = await sync_stack(platform_cooldown=(10.0, 60.0))
    globex = acme.as_tenant("globex", API_KEYS.globex_admin)
    # One platform id in both tenants: globex's endpoint is down, acme's answers.
    platform_id = await acme.add_http_platform(url)
    await globex.add_http_platform(closed_port_url(), platform_id=platform_id)
    down_sku, up_sku = await globex.create_sku(on_hand=4), await acme.create_sku(on_hand=4)
    await globex.set_policy(down_sku, [(platform_id, 1.0)])
    await acme.set_policy(up_sku, [(platform_id, 1.0)])

    await rebalance(globex, [down_sku])
    down = await health_of(globex, platform_id)
    assert (down.reachable, down.consecutive_failures) == (False, 1)
    # globex's platform cools down for 10 s; acme's of the same id is pushed to at once.
    await rebalance(acme, [up_sku])
    assert [(p["tenantId"], p["skuId"]) for p in platform.pushes] == [("acme", up_sku)]
    quota = (await acme.quotas(up_sku))[platform_id]
    assert (quota.quota_units, quota.listed_units, quota.push_status) == (4, 4, IN_SYNC)
    up = await health_of(acme, platform_id)
    assert (up.reachable, up.consecutive_failures) == (True, 0)
