"""Live-session plans and the warning line of the seed.

The warning line is the stock to have for a session: forecast * an effective buffer factor. The seed
puts the buffer at 120 % for goods restocked within about three days and asks for more when the
supply chain is slower or the forecast is uncertain. The rule, deterministic and documented:

    effective = buffer (default 1.2)
              + 0.05 for every full day of restock lead time beyond 3 days (at most +0.30)
              + 0.5 * (1 - confidence)                      (confidence in (0, 1], 0 means 1)

    warning_line_units = ceil(forecast_units * effective)

So a one-week lead time adds 0.20 and a forecast trusted at 60 % adds another 0.20: 1.6 * forecast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

DEFAULT_BUFFER_FACTOR = 1.2
LEAD_TIME_FREE_DAYS = 3
LEAD_TIME_RAISE_PER_DAY = 0.05
LEAD_TIME_RAISE_CAP = 0.30
CONFIDENCE_RAISE_WEIGHT = 0.5


class PlanState(Enum):
    SCHEDULED = 1
    LIVE = 2
    ENDED = 3


def effective_buffer_factor(
    buffer_factor: float, restock_lead_time: timedelta, forecast_confidence: float
) -> float:
    buffer = buffer_factor or DEFAULT_BUFFER_FACTOR
    confidence = forecast_confidence or 1.0
    extra_days = max(0, restock_lead_time.days - LEAD_TIME_FREE_DAYS)
    lead_raise = min(LEAD_TIME_RAISE_CAP, LEAD_TIME_RAISE_PER_DAY * extra_days)
    return round(buffer + lead_raise + CONFIDENCE_RAISE_WEIGHT * (1.0 - confidence), 6)


@dataclass(frozen=True)
class LiveSessionPlan:
    tenant_id: str
    session_id: str
    sku_id: str
    title: str
    forecast_units: int
    start_time: datetime
    end_time: datetime
    restock_lead_time: timedelta
    forecast_confidence: float
    buffer_factor: float
    ended_time: datetime | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None

    @property
    def effective_buffer_factor(self) -> float:
        return effective_buffer_factor(
            self.buffer_factor, self.restock_lead_time, self.forecast_confidence
        )

    @property
    def warning_line_units(self) -> int:
        return math.ceil(self.forecast_units * self.effective_buffer_factor - 1e-9)

    def remaining_warning_line_units(self, consumed_units: int) -> int:
        """The stock to have for what the forecast still expects: the warning line at the start,
        then (forecast - consumed) * the effective buffer, 0 once the forecast is consumed. Stock
        below it is a warning in itself (the seed: forecast 500, warn below 600 in stock)."""
        remaining = max(0, self.forecast_units - consumed_units)
        return math.ceil(remaining * self.effective_buffer_factor - 1e-9)

    @property
    def closes_at(self) -> datetime:
        """When measuring stops: the planned end, or earlier when the plan was ended early."""
        if self.ended_time is not None and self.ended_time < self.end_time:
            return self.ended_time
        return self.end_time

    def state_at(self, now: datetime) -> PlanState:
        if now >= self.closes_at:
            return PlanState.ENDED
        if now >= self.start_time:
            return PlanState.LIVE
        return PlanState.SCHEDULED

    def is_live(self, now: datetime) -> bool:
        return self.state_at(now) is PlanState.LIVE

    def overlaps(self, other: LiveSessionPlan) -> bool:
        return self.start_time < other.closes_at and other.start_time < self.closes_at

    def ended(self, now: datetime) -> LiveSessionPlan:
        return replace(self, ended_time=now, update_time=now)
