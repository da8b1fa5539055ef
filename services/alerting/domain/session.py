"""What alerting measures of one SKU during one live session.

Consumption counts units held or sold since the session started: (reserved + sold) now minus
(reserved + sold) at the start, so a hold counts as soon as it leaves sellable stock and a released
or expired hold gives its units back. Restocks during the session extend what the session can
absorb: the tier lines measure consumption against forecast + restocked units, so a restock that
covers the shortage resolves the consumption alerts through the ordinary hysteresis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.alerting.domain.events import StockLevels
from services.alerting.domain.forecast import BurnRate
from services.alerting.domain.pace import early_peak
from services.alerting.domain.plan import LiveSessionPlan
from services.alerting.domain.policy import PaceAdjustment


@dataclass(frozen=True)
class SessionConsumption:
    tenant_id: str
    session_id: str
    sku_id: str
    baseline_units: int
    consumed_units: int
    restocked_units: int
    sellable_units: int
    burn: BurnRate
    early_peak_fraction: float = 0.0

    @classmethod
    def start(
        cls, plan: LiveSessionPlan, levels_before: StockLevels, at: datetime
    ) -> SessionConsumption:
        return cls(
            tenant_id=plan.tenant_id,
            session_id=plan.session_id,
            sku_id=plan.sku_id,
            baseline_units=levels_before.committed,
            consumed_units=0,
            restocked_units=0,
            sellable_units=levels_before.sellable,
            burn=BurnRate(0.0, max(at, plan.start_time)),
        )

    def capacity_units(self, plan: LiveSessionPlan) -> int:
        return plan.forecast_units + self.restocked_units

    def consumed_fraction(self, plan: LiveSessionPlan) -> float:
        capacity = self.capacity_units(plan)
        return self.consumed_units / capacity if capacity > 0 else 0.0

    def observe(
        self,
        plan: LiveSessionPlan,
        adjustment: PaceAdjustment,
        levels: StockLevels,
        at: datetime,
        restocked: int,
    ) -> SessionConsumption:
        # Built directly rather than with dataclasses.replace: this runs once per stock event.
        consumed = levels.committed - self.baseline_units
        restocked_units = self.restocked_units + max(0, restocked)
        capacity = plan.forecast_units + restocked_units
        fraction = consumed / capacity if capacity > 0 else 0.0
        return SessionConsumption(
            tenant_id=self.tenant_id,
            session_id=self.session_id,
            sku_id=self.sku_id,
            baseline_units=self.baseline_units,
            consumed_units=consumed,
            restocked_units=restocked_units,
            sellable_units=levels.sellable,
            burn=self.burn.observe(at, consumed - self.consumed_units),
            early_peak_fraction=early_peak(
                adjustment, at - plan.start_time, fraction, self.early_peak_fraction
            ),
        )
