"""Pure rules: the warning line, the pace adjustment, and the alert lifecycle (pending, hysteresis,
inhibition) with an injected time and ids."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.alerting.domain.alerts import (
    AlertState,
    AlertTrigger,
    ChangeKind,
    Measure,
    evaluate,
    opened_by_event,
)
from services.alerting.domain.pace import PaceState, early_peak, pace
from services.alerting.domain.plan import effective_buffer_factor
from services.alerting.domain.policy import AlertPolicy, PaceAdjustment, Tier, TierLine
from services.alerting.service_layer.measure import measure_without_plan

T0 = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
KEY = ("acme", "sku-1", "live-1")
ON = PaceAdjustment(enabled=True)


@pytest.mark.parametrize(
    ("buffer", "lead_days", "confidence", "expected"),
    [
        (0.0, 3, 1.0, 1.2),  # the seed: 120 % for goods restocked within about three days
        (1.2, 7, 1.0, 1.4),  # a week: +0.05 per day beyond three
        (1.2, 30, 1.0, 1.5),  # the lead-time raise is capped at +0.30
        (1.2, 3, 0.6, 1.4),  # 60 % confidence: +0.5 * 0.4
        (1.2, 7, 0.6, 1.6),
        (1.5, 0, 0.0, 1.5),  # confidence 0 means 1
    ],
)
def test_warning_line_rule(
    buffer: float, lead_days: int, confidence: float, expected: float
) -> None:
    assert effective_buffer_factor(buffer, timedelta(days=lead_days), confidence) == pytest.approx(
        expected
    )


@given(
    days=st.integers(0, 60),
    more=st.integers(0, 60),
    confidence=st.floats(0.01, 1.0),
    less=st.floats(0.0, 0.99),
)
def test_warning_line_never_drops_for_longer_lead_or_lower_confidence(
    days: int, more: int, confidence: float, less: float
) -> None:
    base = effective_buffer_factor(1.2, timedelta(days=days), confidence)
    assert effective_buffer_factor(1.2, timedelta(days=days + more), confidence) >= base
    assert (
        effective_buffer_factor(1.2, timedelta(days=days), max(0.01, confidence * (1 - less)))
        >= base
    )


def test_pace_ahead_early_tightens_and_stays_tightened() -> None:
    peak = early_peak(ON, timedelta(minutes=25), 0.42, 0.0)
    assert pace(ON, timedelta(minutes=25), 0.42, peak).state is PaceState.AHEAD
    assert pace(ON, timedelta(minutes=25), 0.42, peak).factor == pytest.approx(0.9)
    # Later in the session, even at a calmer pace, the latched peak keeps the lines tightened.
    later_peak = early_peak(ON, timedelta(minutes=50), 0.5, peak)
    assert later_peak == peak
    assert pace(ON, timedelta(minutes=50), 0.5, later_peak).state is PaceState.AHEAD


def test_pace_far_behind_after_an_hour_relaxes_until_it_catches_up() -> None:
    assert pace(ON, timedelta(minutes=59), 0.05, 0.05).state is PaceState.ON_PLAN
    behind = pace(ON, timedelta(minutes=61), 0.09, 0.05)
    assert (behind.state, behind.factor) == (PaceState.BEHIND, pytest.approx(1.1))
    assert pace(ON, timedelta(minutes=90), 0.10, 0.05).state is PaceState.ON_PLAN
    assert pace(PaceAdjustment(), timedelta(minutes=61), 0.0, 0.9).state is PaceState.ON_PLAN


def test_pace_30_percent_in_the_first_half_hour_is_on_plan() -> None:
    peak = early_peak(ON, timedelta(minutes=30), 0.3, 0.0)
    assert pace(ON, timedelta(minutes=30), 0.3, peak).state is PaceState.ON_PLAN
    # Reaching 40 % only after the early window does not count as ahead.
    assert early_peak(ON, timedelta(minutes=31), 0.45, peak) == pytest.approx(0.3)


def measure(fraction: float, minute: float, sellable: int = 100, factor: float = 1.0) -> Measure:
    return Measure(
        now=T0 + timedelta(minutes=minute),
        has_plan=True,
        consumed_units=round(fraction * 100),
        forecast_units=100,
        restocked_units=0,
        consumed_fraction=fraction,
        sellable_units=sellable,
        projected_sell_out_time=None,
        pace_factor=factor,
    )


def ids():
    counter = itertools.count(1)
    return lambda tier: f"alert-{next(counter)}"


def test_pending_duration_then_firing_and_silent_resolution_of_a_short_blip() -> None:
    policy = AlertPolicy("acme", pending_duration=timedelta(minutes=2))
    new_id = ids()
    first = evaluate(policy, measure(0.81, 0), {}, KEY, new_id)
    yellow = first.alerts[Tier.YELLOW]
    assert yellow.state is AlertState.PENDING and not first.fired
    blip = evaluate(policy, measure(0.79, 1), {Tier.YELLOW: yellow}, KEY, new_id)
    assert blip.alerts[Tier.YELLOW].state is AlertState.RESOLVED and not blip.resolved
    again = evaluate(policy, measure(0.82, 1.5), {}, KEY, new_id).alerts[Tier.YELLOW]
    held = evaluate(policy, measure(0.83, 3.6), {Tier.YELLOW: again}, KEY, new_id)
    assert [a.tier for a in held.fired] == [Tier.YELLOW]


def test_hysteresis_and_pace_tightening() -> None:
    policy = AlertPolicy("acme")
    new_id = ids()
    fired = evaluate(policy, measure(0.80, 0), {}, KEY, new_id).alerts[Tier.YELLOW]
    assert fired.state is AlertState.FIRING
    inside = evaluate(policy, measure(0.76, 1), {Tier.YELLOW: fired}, KEY, new_id)
    assert inside.alerts[Tier.YELLOW].state is AlertState.FIRING
    below = evaluate(policy, measure(0.74, 2), {Tier.YELLOW: fired}, KEY, new_id)
    assert [a.tier for a in below.resolved] == [Tier.YELLOW]
    # Ahead of plan (factor 0.9) YELLOW fires at 72 %.
    assert Tier.YELLOW in evaluate(policy, measure(0.72, 0, factor=0.9), {}, KEY, new_id).alerts


def test_red_inhibits_yellow_and_orange_of_the_same_sku() -> None:
    policy = AlertPolicy("acme")
    result = evaluate(policy, measure(1.25, 0), {}, KEY, ids())
    red = result.alerts[Tier.RED]
    for tier in (Tier.YELLOW, Tier.ORANGE):
        assert result.alerts[tier].inhibited_by == red.alert_id
    assert any(c.kind is ChangeKind.INHIBITION_CHANGED for c in result.changes)
    released = evaluate(policy, measure(1.10, 5), result.alerts, KEY, ids())
    assert released.alerts[Tier.RED].state is AlertState.RESOLVED
    assert released.alerts[Tier.ORANGE].inhibited_by == ""


def test_low_stock_line_without_a_plan() -> None:
    policy = AlertPolicy(
        "acme", tier_lines=(TierLine(Tier.ORANGE, low_stock_units=10),), hysteresis_units=5
    )
    no_plan = Measure(T0, False, 0, 0, 0, 0.0, 10, None, 1.0)
    fired = evaluate(policy, no_plan, {}, ("acme", "sku-1", ""), ids()).alerts[Tier.ORANGE]
    assert fired.state is AlertState.FIRING
    still = Measure(T0, False, 0, 0, 0, 0.0, 14, None, 1.0)
    assert evaluate(policy, still, {Tier.ORANGE: fired}, KEY, ids()).alerts[Tier.ORANGE].is_open
    clear = Measure(T0, False, 0, 0, 0, 0.0, 16, None, 1.0)
    assert not evaluate(policy, clear, {Tier.ORANGE: fired}, KEY, ids()).alerts[Tier.ORANGE].is_open


def test_alert_ids_derive_from_the_opening_event_and_tier() -> None:
    at = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    ids = opened_by_event(("acme", "sku-1", "live-1"), 41, at)
    again = opened_by_event(("acme", "sku-1", "live-1"), 41, at)
    assert [ids(t) for t in Tier] == [again(t) for t in Tier]  # a replay opens the same alerts
    assert len({ids(t) for t in Tier}) == len(Tier)
    others = [
        opened_by_event(("acme", "sku-1", "live-1"), 42, at),
        opened_by_event(("acme", "sku-1", "live-2"), 41, at),
        opened_by_event(("acme", "sku-2", "live-1"), 41, at),
        opened_by_event(("other", "sku-1", "live-1"), 41, at),
        opened_by_event(("acme", "sku-1", "live-1"), 41, at + timedelta(microseconds=1)),
    ]
    assert all(other(Tier.RED) != ids(Tier.RED) for other in others)


# --- the warning line and hysteresis of unit lines and sell-out projections ----------------------


def stock(sellable: int, warning_line: int, minute: float = 0, sell_out_in: float | None = None):
    """A session with nothing consumed yet, `sellable` units and the remaining warning line."""
    sell_out = None if sell_out_in is None else T0 + timedelta(minutes=minute + sell_out_in)
    return replace(
        measure(0.0, minute, sellable),
        warning_line_units=warning_line,
        projected_sell_out_time=sell_out,
    )


SKU_WIDE = ("acme", "sku-1", "")


def sku_wide(sellable: int, minute: float = 0) -> Measure:
    return measure_without_plan(sellable, T0 + timedelta(minutes=minute))


def test_low_stock_lines_are_measured_only_sku_wide_not_again_in_the_session() -> None:
    policy = AlertPolicy("acme", tier_lines=(TierLine(Tier.ORANGE, low_stock_units=10),))
    assert evaluate(policy, stock(5, 0), {}, KEY, ids()).alerts == {}
    assert Tier.ORANGE in evaluate(policy, sku_wide(5), {}, SKU_WIDE, ids()).alerts


def test_stock_below_the_warning_line_fires_the_seed_yellow_and_clears_past_the_margin() -> None:
    # The seed: forecast 500, buffer 120 %: warn when stock is below 600. With 300 in stock the
    # consumption lines see nothing (nothing consumed yet) but the warning line does.
    policy = AlertPolicy("acme")
    result = evaluate(policy, stock(300, 600), {}, KEY, ids())
    yellow = result.alerts[Tier.YELLOW]
    assert yellow.state is AlertState.FIRING
    assert yellow.trigger is AlertTrigger.BELOW_WARNING_LINE
    assert set(result.alerts) == {Tier.YELLOW}
    # At the line it still holds (margin: 5 % of 600 = 30 units), past the margin it clears.
    at_line = evaluate(policy, stock(600, 600, 1), {Tier.YELLOW: yellow}, KEY, ids())
    assert at_line.alerts[Tier.YELLOW].is_open
    restocked = evaluate(policy, stock(630, 600, 2), {Tier.YELLOW: yellow}, KEY, ids())
    assert [a.tier for a in restocked.resolved] == [Tier.YELLOW]
    # Turned off, or without a line of its tier, the condition never fires.
    off = AlertPolicy("acme", warning_line_tier=None)
    assert evaluate(off, stock(300, 600), {}, KEY, ids()).alerts == {}
    orange_only = AlertPolicy("acme", tier_lines=(TierLine(Tier.ORANGE, 1.0),))
    assert evaluate(orange_only, stock(300, 600), {}, KEY, ids()).alerts == {}


def test_the_default_unit_margin_is_five_percent_of_the_line_and_at_least_one_unit() -> None:
    policy = AlertPolicy("acme")
    assert policy.unit_margin(10) == 1
    assert policy.unit_margin(600) == 30
    assert policy.unit_margin(601) == 31
    assert AlertPolicy("acme", hysteresis_units=4).unit_margin(600) == 4


@given(st.lists(st.integers(min_value=0, max_value=11), min_size=1, max_size=40))
def test_a_low_stock_level_bouncing_within_the_margin_never_resolves(levels: list[int]) -> None:
    policy = AlertPolicy("acme", tier_lines=(TierLine(Tier.ORANGE, low_stock_units=10),))
    fired = evaluate(policy, sku_wide(10), {}, SKU_WIDE, ids()).alerts
    assert fired[Tier.ORANGE].state is AlertState.FIRING
    for minute, level in enumerate(levels, start=1):
        step = evaluate(policy, sku_wide(level, minute), fired, SKU_WIDE, ids())
        assert not step.resolved and not step.fired
        fired = {tier: alert for tier, alert in step.alerts.items() if alert.is_open}


@given(st.lists(st.floats(min_value=0.5, max_value=19.9), min_size=1, max_size=40))
def test_a_sell_out_projection_swinging_within_twice_its_span_never_resolves(
    projections: list[float],
) -> None:
    line = TierLine(Tier.ORANGE, projected_sell_out_within=timedelta(minutes=10))
    policy = AlertPolicy("acme", tier_lines=(line,))
    fired = evaluate(policy, stock(100, 0, 0, 9.0), {}, KEY, ids()).alerts
    assert fired[Tier.ORANGE].trigger is AlertTrigger.PROJECTED_SELL_OUT
    for minute, projection in enumerate(projections, start=1):
        step = evaluate(policy, stock(100, 0, minute, projection), fired, KEY, ids())
        assert not step.resolved and not step.fired
        fired = {tier: alert for tier, alert in step.alerts.items() if alert.is_open}
    gone = evaluate(policy, stock(100, 0, 99, None), fired, KEY, ids())
    assert [a.tier for a in gone.resolved] == [Tier.ORANGE]


def test_an_open_alert_of_a_tier_removed_from_the_policy_resolves() -> None:
    fired = evaluate(AlertPolicy("acme"), measure(0.85, 0), {}, KEY, ids()).alerts
    assert fired[Tier.YELLOW].state is AlertState.FIRING
    without_yellow = AlertPolicy("acme", tier_lines=(TierLine(Tier.RED, 1.2),))
    step = evaluate(without_yellow, measure(0.85, 1), fired, KEY, ids())
    assert [a.tier for a in step.resolved] == [Tier.YELLOW]
    assert step.alerts[Tier.YELLOW].state is AlertState.RESOLVED
