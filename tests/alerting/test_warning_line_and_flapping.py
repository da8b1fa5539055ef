"""Through the follower, the ticker and the dispatcher on real PostgreSQL: stock below the session's
warning line alerts before the SKU sells out (forecast 500, 300 in stock), and neither a low-stock
level bouncing on one-unit holds nor a burn rate rising and decaying between sales flaps."""

from __future__ import annotations

from datetime import timedelta

from streamstock.alerting.v1 import policies_pb2

from alerting.configuration import configure_session, inbox_session, session_plan
from alerting.harness import Harness, at
from alerting.http_recorder import HttpRecorder
from alerting.test_scripted_session import inbox_of
from services.alerting.domain.alerts import AlertTrigger
from services.alerting.domain.policy import AlertPolicy, Tier, TierLine

SECOND = timedelta(seconds=1)


async def test_forecast_500_with_300_in_stock_warns_before_it_sells_out(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await inbox_session(harness, recorder, tenant, 500)  # warning line 600
    await harness.feed([inventory.create("sku-1", 300, at(-5))])
    sold_out_at = None
    for minute in range(1, 31):  # 10 a minute: sold out after 30 minutes, at 60 % of forecast
        await harness.feed([inventory.hold("sku-1", f"h{minute}", 10, at(minute))])
        await harness.dispatch()
        if inventory.skus["sku-1"].on_hand - inventory.skus["sku-1"].reserved == 0:
            sold_out_at = minute
    assert sold_out_at == 30
    notices = await inbox_of(harness, tenant, "ops")
    assert notices == [("YELLOW", "FIRING")]  # once, not flapping as the line moves down
    async with harness.store.transaction() as tx:
        (yellow,) = await tx.open_alerts_of(tenant, "sku-1", "live-1")
    assert yellow.trigger is AlertTrigger.BELOW_WARNING_LINE
    assert yellow.fire_time == at(1)  # the first measurement in the session, 29 minutes ahead
    assert yellow.fire_values is not None and yellow.fire_values.warning_line_units == 588


async def test_a_low_stock_level_bouncing_on_one_unit_holds_does_not_flap(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    policy = AlertPolicy(tenant, tier_lines=(TierLine(Tier.ORANGE, low_stock_units=10),))
    inventory = await inbox_session(harness, recorder, tenant, 10_000, policy)
    await harness.feed([inventory.create("sku-1", 12, at(-5))])
    await harness.feed([inventory.hold("sku-1", "base", 2, at(1))])  # 10 sellable: fires
    for i in range(10):  # a one-unit hold expires (11 sellable) and another buyer takes it (10)
        await harness.feed(
            [inventory.release("sku-1", "base" if i == 0 else f"b{i}", 1, at(2 + i))]
        )
        await harness.dispatch()
        await harness.feed([inventory.hold("sku-1", f"b{i + 1}", 1, at(2.5 + i))])
        await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("ORANGE", "FIRING")]
    # A real recovery past the margin (1 unit) resolves once.
    await harness.feed([inventory.restock("sku-1", 5, at(20))])
    await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("ORANGE", "FIRING"), ("ORANGE", "RESOLVED")]


async def test_a_burn_rate_rising_and_decaying_between_sales_does_not_flap(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    line = TierLine(Tier.ORANGE, projected_sell_out_within=timedelta(minutes=10))
    policy = AlertPolicy(tenant, tier_lines=(line,), warning_line_tier=None)
    inventory = await inbox_session(harness, recorder, tenant, 10_000, policy)
    await harness.feed([inventory.create("sku-1", 100, at(-5))])
    # 20 units every 2 minutes, restocked at once: 80-100 sellable, the smoothed rate swinging
    # between about 8 and 12 a minute, so the projection swings between about 6.6 and 12 minutes
    # around the 10-minute span. The ticker looks just before each sale, at the decayed rate.
    for cycle in range(15):
        start = at(2 * cycle)
        await harness.feed([inventory.hold("sku-1", f"h{cycle}", 20, start)])
        await harness.feed([inventory.restock("sku-1", 20, start + SECOND)])
        await harness.dispatch()
        harness.clock.current = start + timedelta(minutes=1.9)
        await harness.tick()
        await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("ORANGE", "FIRING")]
    # Sales stop: once the rate has decayed to half (about 3.5 minutes), it resolves, once.
    harness.clock.current = at(2 * 15 + 6)
    await harness.tick()
    await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("ORANGE", "FIRING"), ("ORANGE", "RESOLVED")]


async def test_the_warning_line_tier_round_trips_through_the_api(alerting, api_keys) -> None:
    admin = [("x-api-key", api_keys.acme_admin)]
    seed = await alerting.GetAlertPolicy(
        policies_pb2.GetAlertPolicyRequest(tenant_id="acme", sku_id="sku-w"), metadata=admin
    )
    assert (seed.policy.warning_line_tier, seed.policy.warning_line_disabled) == (
        policies_pb2.TIER_YELLOW,
        False,
    )
    for request_id, changes, expected in (
        ("w-1", {"warning_line_tier": policies_pb2.TIER_ORANGE}, (policies_pb2.TIER_ORANGE, False)),
        ("w-2", {"warning_line_disabled": True}, (0, True)),
        ("w-3", {}, (policies_pb2.TIER_YELLOW, False)),
    ):
        await alerting.UpsertAlertPolicy(
            policies_pb2.UpsertAlertPolicyRequest(
                tenant_id="acme",
                request_id=request_id,
                policy=policies_pb2.AlertPolicy(
                    sku_id="sku-w",
                    tier_lines=[policies_pb2.TierLine(tier=1, consumed_fraction=0.8)],
                    **changes,
                ),
            ),
            metadata=admin,
        )
        stored = await alerting.GetAlertPolicy(
            policies_pb2.GetAlertPolicyRequest(tenant_id="acme", sku_id="sku-w"), metadata=admin
        )
        assert (stored.policy.warning_line_tier, stored.policy.warning_line_disabled) == expected


async def test_a_low_stock_alert_spans_the_session_once_without_a_duplicate_or_early_resolution(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    lines = (TierLine(Tier.YELLOW, 0.8), TierLine(Tier.ORANGE, low_stock_units=20))
    inventory = await inbox_session(
        harness,
        recorder,
        tenant,
        100,
        AlertPolicy(tenant, tier_lines=lines, warning_line_tier=None, repeat_interval=timedelta(0)),
    )
    await harness.feed([inventory.create("sku-1", 30, at(-10))])
    await harness.feed([inventory.hold("sku-1", "before", 12, at(-5))])  # 18 sellable, no plan yet
    await harness.dispatch()
    for minute in (1, 2, 3):  # the session starts while the stock is low
        await harness.feed([inventory.hold("sku-1", f"in{minute}", 1, at(minute))])
        await harness.dispatch()
    harness.clock.current = at(121)  # the plan ended, the stock is still low
    await harness.tick()
    await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("ORANGE", "FIRING")]
    async with harness.store.transaction() as tx:
        (orange,) = await tx.open_alerts_of(tenant, "sku-1", "")
    assert orange.trigger is AlertTrigger.LOW_STOCK
    await harness.feed([inventory.restock("sku-1", 20, at(130))])
    await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("ORANGE", "FIRING"), ("ORANGE", "RESOLVED")]


async def test_removing_a_tier_from_the_policy_resolves_its_open_alert_on_the_next_tick(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await inbox_session(harness, recorder, tenant, 100)
    await harness.feed([inventory.create("sku-1", 500, at(-1))])
    await harness.feed([inventory.hold("sku-1", "h1", 85, at(1))])
    await harness.dispatch()
    only_red = AlertPolicy(tenant, tier_lines=(TierLine(Tier.RED, 1.2),))
    await configure_session(harness, session_plan(tenant, "sku-1", forecast=100), only_red, [])
    harness.clock.current = at(2)  # the SKU is quiet: the ticker looks at it
    await harness.tick()
    await harness.dispatch()
    assert await inbox_of(harness, tenant, "ops") == [("YELLOW", "FIRING"), ("YELLOW", "RESOLVED")]
    async with harness.store.transaction() as tx:
        assert await tx.open_alerts_of(tenant, "sku-1", "live-1") == []
