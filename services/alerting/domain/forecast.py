"""Burn rate, projected sell-out, restock quantity and the expected-versus-actual curve.

Burn rate is an exponentially weighted moving average of consumption, continuous in time: an
observation `dt` after the previous one, with `du` units consumed in between, moves the rate by

    rate' = rate * exp(-dt/τ) + du/τ        (τ = SMOOTHING_WINDOW, units per minute)

which is the limit of a per-interval EWMA with weight 1 - exp(-dt/τ) and needs no fixed ticks. The
rate never goes below zero (returned holds lower it but never make it negative).

With sellable units S, rate r (per minute) and the session ending in T minutes:
- sell-out is projected at now + S/r when that is before the end (immediately when S <= 0);
- projected consumption at the end is consumed + r * T;
- restock needed = max(0, ceil(r * T * effective_buffer - S));
- order-by = (now + S/r) - restock lead time, when a restock is needed.

Minutes are compared before a datetime is built from them: a rate decayed towards zero makes S/r
astronomically large (a SKU quiet for an hour and a half projects past the year 9999), so no
`now + S/r` is formed unless S/r lies within the session or the rate's own bound. Every datetime
this module returns is clamped into datetime's range (moments.shifted), so no input overflows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.alerting.domain.moments import shifted

SMOOTHING_WINDOW = timedelta(minutes=5)
_EPSILON = 1e-9


@dataclass(frozen=True)
class BurnRate:
    units_per_minute: float
    observed_at: datetime

    def observe(
        self, at: datetime, consumed_delta: int, window: timedelta = SMOOTHING_WINDOW
    ) -> BurnRate:
        if at < self.observed_at:
            at = self.observed_at
        tau = window.total_seconds() / 60.0
        dt = (at - self.observed_at).total_seconds() / 60.0
        rate = self.units_per_minute * math.exp(-dt / tau) + consumed_delta / tau
        return BurnRate(max(0.0, rate), at)

    def at(self, when: datetime, window: timedelta = SMOOTHING_WINDOW) -> float:
        """The rate decayed to a later moment without new consumption."""
        return self.observe(when, 0, window).units_per_minute


def minutes_between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60.0)


def minutes_to_sell_out(sellable: int, rate_per_minute: float) -> float:
    """S/r, infinite when the rate is (nearly) zero."""
    if sellable <= 0:
        return 0.0
    if rate_per_minute <= _EPSILON:
        return math.inf
    return sellable / rate_per_minute


def projected_sell_out(
    now: datetime, sellable: int, rate_per_minute: float, session_end: datetime
) -> datetime | None:
    if sellable <= 0:
        return now
    minutes = minutes_to_sell_out(sellable, rate_per_minute)
    if minutes >= minutes_between(now, session_end):
        return None
    return now + timedelta(minutes=minutes)


def projected_consumed_at_end(
    consumed: int, rate_per_minute: float, now: datetime, session_end: datetime
) -> int:
    return consumed + round(rate_per_minute * minutes_between(now, session_end))


def restock_units_needed(
    sellable: int,
    rate_per_minute: float,
    now: datetime,
    session_end: datetime,
    effective_buffer: float,
) -> int:
    demand = rate_per_minute * minutes_between(now, session_end) * effective_buffer
    return max(0, math.ceil(demand - max(0, sellable) - _EPSILON))


def restock_order_by(
    now: datetime, sellable: int, rate_per_minute: float, lead_time: timedelta, needed: int
) -> datetime | None:
    if needed <= 0:
        return None
    lead_minutes = lead_time.total_seconds() / 60.0
    if sellable <= 0 or rate_per_minute <= _EPSILON:
        return shifted(now, -lead_minutes)
    return shifted(now, minutes_to_sell_out(sellable, rate_per_minute) - lead_minutes)


def expected_consumed(forecast_units: int, start: datetime, end: datetime, at: datetime) -> int:
    """The plan spreads the forecast evenly over the session."""
    total = (end - start).total_seconds()
    if total <= 0 or at <= start:
        return 0
    share = min(1.0, (at - start).total_seconds() / total)
    return round(forecast_units * share)


def expected_fraction(start: datetime, end: datetime, at: datetime) -> float:
    total = (end - start).total_seconds()
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (at - start).total_seconds() / total))


@dataclass(frozen=True)
class Sample:
    """Consumption and sellable units observed at one moment of a session."""

    at: datetime
    consumed_units: int
    sellable_units: int


@dataclass(frozen=True)
class CurvePoint:
    at: datetime
    expected_consumed_units: int
    actual_consumed_units: int | None
    projected_consumed_units: int | None
    sellable_units: int | None


def consumption_curve(
    forecast_units: int,
    start: datetime,
    end: datetime,
    resolution: timedelta,
    samples: list[Sample],
    now: datetime,
    consumed_now: int,
    rate_per_minute: float,
) -> list[CurvePoint]:
    """One point per resolution step from start to end; samples must be in time order."""
    points: list[CurvePoint] = []
    index = 0
    latest: Sample | None = None
    at = start
    while at <= end:
        while index < len(samples) and samples[index].at <= at:
            latest = samples[index]
            index += 1
        expected = expected_consumed(forecast_units, start, end, at)
        if at <= now:
            actual = latest.consumed_units if latest else 0
            sellable = latest.sellable_units if latest else None
            points.append(CurvePoint(at, expected, actual, None, sellable))
        else:
            projected = consumed_now + round(rate_per_minute * minutes_between(now, at))
            points.append(CurvePoint(at, expected, None, projected, None))
        at += resolution
    return points
