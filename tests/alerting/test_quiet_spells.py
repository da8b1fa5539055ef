"""A SKU that stops selling: its burn rate decays towards zero and the projected sell-out towards
infinity. The follower, the ticker and the forecast must go on working through a long quiet spell
(the projection once overflowed past the year 9999 and wedged the follower for every tenant)."""

from __future__ import annotations

from alerting.configuration import inbox_session
from alerting.harness import Harness, at
from alerting.http_recorder import HttpRecorder
from services.alerting.domain.alerts import AlertState
from services.alerting.domain.policy import Tier
from services.alerting.service_layer import forecasting
from services.alerting.service_layer.follow import checkpoint


async def _yellow(harness: Harness, tenant: str):
    async with harness.store.transaction() as tx:
        alerts = await tx.open_alerts_of(tenant, "sku-1", "live-1")
    return next((a for a in alerts if a.tier is Tier.YELLOW), None)


async def test_ninety_quiet_minutes_then_a_restock_neither_wedges_nor_misjudges(
    harness: Harness, recorder: HttpRecorder, tenant: str
) -> None:
    inventory = await inbox_session(harness, recorder, tenant)
    # Plenty of stock (far above the warning line), 85 % of the forecast held in 5 minutes.
    await harness.feed([inventory.create("sku-1", 10_000, at(-10))])
    for minute in range(1, 6):
        await harness.feed([inventory.hold("sku-1", f"h{minute}", 17, at(minute))])
    yellow = await _yellow(harness, tenant)
    assert yellow is not None and yellow.state is AlertState.FIRING

    # 90 quiet minutes: the rate decays to ~1e-7 per minute, 9,915 sellable units project to some
    # 70,000 years ahead. The ticker and the forecast run on the quiet SKU.
    harness.clock.current = at(95)
    await harness.tick()
    async with harness.store.transaction() as tx:
        view = await forecasting.forecast(tx, tenant, "sku-1", "live-1", harness.clock.now())
    assert view.projected_sell_out_time is None
    assert 0 < view.burn_rate_per_minute < 1e-6

    # A restock of 50 lifts the capacity to 150: 85/150 = 57 %, below 80 % - 5 %, YELLOW resolves.
    last = await harness.feed([inventory.restock("sku-1", 50, at(96))])
    assert await checkpoint(harness.store) == last == inventory.sequence
    assert await _yellow(harness, tenant) is None
    async with harness.store.transaction() as tx:
        stored = await tx.get_alert(tenant, yellow.alert_id)
    assert stored is not None and stored.state is AlertState.RESOLVED
    # And the follower goes on: a later hold of another SKU is applied.
    await harness.feed([inventory.create("sku-other", 10, at(97))])
    assert await checkpoint(harness.store) == inventory.sequence
