"""Alert policies: tier lines, low-stock lines, pace adjustment, hysteresis, pending and repeats.

A SKU without a policy of its own uses the tenant default; a tenant without one uses the seed: YELLOW
at 80 % of forecast consumed (prepare restock), ORANGE at 100 % (slow the pitch), RED at 120 % (pause
the sale, call the supplier). Beside the lines, stock below the session's warning line (the seed's
"forecast 500, warn below 600 in stock") fires `warning_line_tier`, YELLOW unless the policy says
otherwise or turns it off (None).

Hysteresis: a consumption alert resolves once consumption is `hysteresis_fraction` of the forecast
back below its line; a unit line (low stock, warning line) once sellable units are `unit_margin`
above it: `hysteresis_units`, or when that is 0, `hysteresis_fraction` of the line rounded up and
at least one unit, so a one-unit hold expiring and being taken again does not flap; a projected
sell-out once the projection is SELL_OUT_CLEAR_FACTOR times its span away (the smoothed rate
halved, about 3.5 minutes without a sale) or gone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import cached_property


class Tier(Enum):
    YELLOW = 1
    ORANGE = 2
    RED = 3


class ResponseAction(Enum):
    PREPARE_RESTOCK = 1
    SLOW_PITCH = 2
    CALL_SUPPLIER = 3
    PAUSE_SALE = 4
    STOP_SALE = 5
    # Never in a tier line: follows PAUSE_SALE when the alert clears (domain/sale_status.py).
    RESUME_SALE = 6


SALE_ACTIONS = (ResponseAction.PAUSE_SALE, ResponseAction.STOP_SALE)


@dataclass(frozen=True)
class TierLine:
    tier: Tier
    consumed_fraction: float = 0.0
    low_stock_units: int = 0
    projected_sell_out_within: timedelta | None = None
    actions: tuple[ResponseAction, ...] = ()


@dataclass(frozen=True)
class PaceAdjustment:
    """See domain/pace.py for the rule; zero values take these defaults."""

    enabled: bool = False
    early_window: timedelta = timedelta(minutes=30)
    early_ahead_fraction: float = 0.4
    tighten_factor: float = 0.9
    late_after: timedelta = timedelta(minutes=60)
    late_behind_fraction: float = 0.1
    relax_factor: float = 1.1


DEFAULT_REPEAT_INTERVAL = timedelta(minutes=30)
DEFAULT_HYSTERESIS_FRACTION = 0.05
SELL_OUT_CLEAR_FACTOR = 2.0

SEED_TIER_LINES = (
    TierLine(Tier.YELLOW, 0.8, actions=(ResponseAction.PREPARE_RESTOCK,)),
    TierLine(Tier.ORANGE, 1.0, actions=(ResponseAction.SLOW_PITCH,)),
    TierLine(Tier.RED, 1.2, actions=(ResponseAction.PAUSE_SALE, ResponseAction.CALL_SUPPLIER)),
)


@dataclass(frozen=True)
class AlertPolicy:
    tenant_id: str
    sku_id: str = ""
    tier_lines: tuple[TierLine, ...] = SEED_TIER_LINES
    pace_adjustment: PaceAdjustment = field(default_factory=PaceAdjustment)
    hysteresis_fraction: float = DEFAULT_HYSTERESIS_FRACTION
    hysteresis_units: int = 0
    warning_line_tier: Tier | None = Tier.YELLOW
    pending_duration: timedelta = timedelta(0)
    repeat_interval: timedelta = DEFAULT_REPEAT_INTERVAL
    inherited: bool = False
    update_time: datetime | None = None

    def warns_below_warning_line(self, line: TierLine) -> bool:
        return self.warning_line_tier is line.tier

    def unit_margin(self, line_units: int) -> int:
        """How far above a unit line sellable units must rise before its alert resolves."""
        if self.hysteresis_units > 0:
            return self.hysteresis_units
        return max(1, math.ceil(self.hysteresis_fraction * line_units - 1e-9))

    def line(self, tier: Tier) -> TierLine | None:
        return next((line for line in self.tier_lines if line.tier is tier), None)

    @cached_property
    def lines_most_severe_first(self) -> Sequence[TierLine]:
        return sorted(self.tier_lines, key=lambda line: -line.tier.value)


def seed_policy(tenant_id: str, sku_id: str = "") -> AlertPolicy:
    return AlertPolicy(tenant_id=tenant_id, sku_id=sku_id, inherited=True)
